// The CLI's whole `render` process against the engine's own time for the same story (issue 19
// item 5: what a person or a script pays around the render), two ways: cold (the command renders
// in its own process: Node's start, Nest, the embedded Postgres, the face models, the photo's
// analysis, the close) and handed over (a Talecast process of role worker is running on the same
// data folder; the command hands its render to it over the local socket, render-handover.ts). Runs
// the real CLI and the real server as child processes, after the bench has closed its own database.
import { ChildProcess, fork, spawn } from 'node:child_process';
import path from 'node:path';

export type CliRenderMode = 'cold' | 'handed';

export interface CliRenderRun {
  wholeSeconds: number;
  engineSeconds: number;
}

/** The engine's seconds from the CLI's summary line ("… of video in 6.2 s (9.68x real time; …"). */
export function engineSecondsOf(output: string): number | undefined {
  const m = /^rendered .* of video in ([\d.]+) s \(/m.exec(output);
  return m ? Number(m[1]) : undefined;
}

/** Whether the CLI said it handed its render to a running process. */
export function wasHandedOver(output: string): boolean {
  return /^render handed to the running Talecast process \(pid \d+\)$/m.test(output);
}

export async function cliRenderRuns(o: { storyId: string; face: string; runs: number; env: NodeJS.ProcessEnv; mode: CliRenderMode }): Promise<CliRenderRun[]> {
  const main = path.join(__dirname, '..', 'apps', 'cli', 'src', 'main.js');
  // Cold: the command must not find a server, even one somebody left running on this data folder.
  const env = o.mode === 'cold' ? { ...o.env, TALECAST_LOCAL_SOCKET: 'false' } : o.env;
  const runs: CliRenderRun[] = [];
  for (let i = 0; i < o.runs; i++) {
    const started = performance.now();
    const { code, output } = await run(process.execPath, [main, 'render', '--story', o.storyId, '--face', o.face], env);
    const wholeSeconds = (performance.now() - started) / 1000;
    const engineSeconds = engineSecondsOf(output);
    if (code !== 0 || engineSeconds === undefined) throw new Error(`cli render exited ${code}: ${output.slice(-800)}`);
    if (wasHandedOver(output) !== (o.mode === 'handed'))
      throw new Error(`cli render (${o.mode}) ${wasHandedOver(output) ? 'was' : 'was not'} handed over: ${output.slice(-800)}`);
    runs.push({ wholeSeconds: Math.round(wholeSeconds * 100) / 100, engineSeconds });
  }
  return runs;
}

/** How long the bench leaves a started server alone before the first command: its upload threads load the face models meanwhile. */
export const SERVER_SETTLE_MS = 5000;

/**
 * The real server (role worker: no HTTP port) on the bench's data folder, up and settled, for the
 * handed-over runs; stopped with SIGTERM (it removes its socket file).
 */
export async function startRenderServer(env: NodeJS.ProcessEnv): Promise<{ pid: number; stop(): Promise<void> }> {
  const main = path.join(__dirname, '..', 'apps', 'api', 'src', 'main.js');
  const child: ChildProcess = fork(main, [], {
    env: { ...env, TALECAST_ROLE: 'worker', TALECAST_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within 120 s:\n${output}`)), 120_000);
    child.on('message', (m: { ready?: boolean }) => {
      if (m?.ready) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`the server exited before it was up:\n${output}`));
    });
  });
  await new Promise((resolve) => setTimeout(resolve, SERVER_SETTLE_MS));
  return {
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface CliWrapperFigures {
  /** `npm run --silent cli -- --help`: npm, the build's up-to-date check, the CLI (median). */
  npmSeconds: number;
  /** `node …/main.js --help`: the CLI alone (median). */
  directSeconds: number;
  /** What `npm run cli` adds to every command. */
  addedSeconds: number;
  runs: { npm: number; direct: number }[];
}

/**
 * What `npm run cli` costs on top of the CLI itself (issue 19 item 5): npm's own start and the
 * build's up-to-date check, with nothing to compile. Alternates the two ways, `runs` times each.
 */
export async function cliWrapperRuns(o: { runs: number; env: NodeJS.ProcessEnv; repo: string }): Promise<CliWrapperFigures> {
  const main = path.join(__dirname, '..', 'apps', 'cli', 'src', 'main.js');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const timed = async (command: string, args: string[]) => {
    const started = performance.now();
    const { code, output } = await run(command, args, o.env, o.repo);
    if (code !== 0 || !output.includes('usage: npm run cli')) throw new Error(`${command} ${args.join(' ')} exited ${code}: ${output.slice(-400)}`);
    return Math.round(performance.now() - started) / 1000;
  };
  const runs: { npm: number; direct: number }[] = [];
  for (let i = 0; i < o.runs; i++)
    runs.push({
      npm: await timed(npm, ['run', '--silent', 'cli', '--', '--help']),
      direct: await timed(process.execPath, ['--enable-source-maps', main, '--help']),
    });
  const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
  const npmSeconds = median(runs.map((r) => r.npm));
  const directSeconds = median(runs.map((r) => r.direct));
  return { npmSeconds, directSeconds, addedSeconds: Math.round((npmSeconds - directSeconds) * 100) / 100, runs };
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}
