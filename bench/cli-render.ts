// The CLI's whole `render` process against the engine's own time for the same story (issue 19
// item 5: what a person or a script pays around the render: Node's start, Nest, the embedded
// Postgres, the face models, the photo's analysis, the close). Runs the real CLI as a child
// process, in the bench's data folder, after the bench has closed its own database.
import { spawn } from 'node:child_process';
import path from 'node:path';

export interface CliRenderRun {
  wholeSeconds: number;
  engineSeconds: number;
}

/** The engine's seconds from the CLI's summary line ("… of video in 6.2 s (9.68x real time; …"). */
export function engineSecondsOf(output: string): number | undefined {
  const m = /^rendered .* of video in ([\d.]+) s \(/m.exec(output);
  return m ? Number(m[1]) : undefined;
}

export async function cliRenderRuns(o: { storyId: string; face: string; runs: number; env: NodeJS.ProcessEnv }): Promise<CliRenderRun[]> {
  const main = path.join(__dirname, '..', 'apps', 'cli', 'src', 'main.js');
  const runs: CliRenderRun[] = [];
  for (let i = 0; i < o.runs; i++) {
    const started = performance.now();
    const { code, output } = await run(process.execPath, [main, 'render', '--story', o.storyId, '--face', o.face], o.env);
    const wholeSeconds = (performance.now() - started) / 1000;
    const engineSeconds = engineSecondsOf(output);
    if (code !== 0 || engineSeconds === undefined) throw new Error(`cli render exited ${code}: ${output.slice(-800)}`);
    runs.push({ wholeSeconds: Math.round(wholeSeconds * 100) / 100, engineSeconds });
  }
  return runs;
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}
