// Runs one ffmpeg process and turns a failure into an FfmpegError that carries the command
// line and the tail of stderr. Streaming (stdin/stdout) is left to the caller.
import { ChildProcess, spawn } from 'node:child_process';

export class FfmpegError extends Error {
  constructor(
    readonly command: string,
    readonly code: number | null,
    readonly stderrTail: string,
  ) {
    super(`ffmpeg failed (exit ${code ?? 'signal'}): ${command}\n${stderrTail}`);
    this.name = 'FfmpegError';
  }
}

export interface FfmpegRun {
  child: ChildProcess;
  done: Promise<void>;
  commandLine: string;
}

/** Starts ffmpeg; `done` resolves on exit 0 and rejects with FfmpegError otherwise. */
export function startFfmpeg(binary: string, args: string[], options: { stdin?: boolean; stdout?: boolean; signal?: AbortSignal } = {}): FfmpegRun {
  const child = spawn(binary, args, {
    stdio: [options.stdin ? 'pipe' : 'ignore', options.stdout ? 'pipe' : 'ignore', 'pipe'],
    signal: options.signal,
  });
  const commandLine = [binary, ...args].map(quote).join(' ');
  let tail = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    tail = (tail + chunk).slice(-4000);
  });
  const done = new Promise<void>((resolve, reject) => {
    child.once('error', (err) => reject(new FfmpegError(commandLine, null, `${err.message}\n${tail}`)));
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new FfmpegError(commandLine, code, tail.split('\n').slice(-15).join('\n')));
    });
  });
  return { child, done, commandLine };
}

/** Runs ffmpeg to completion (no piping). */
export async function runFfmpeg(binary: string, args: string[], signal?: AbortSignal): Promise<void> {
  await startFfmpeg(binary, args, { signal }).done;
}

function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
