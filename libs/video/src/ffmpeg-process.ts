// Runs one ffmpeg process and turns a failure into an FfmpegError that carries the command
// line and the tail of stderr. Streaming (stdin/stdout) is left to the caller.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';

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
  const wrapper = parentDeathWrapper();
  const child = spawn(wrapper ? wrapper[0] : binary, wrapper ? [...wrapper.slice(1), binary, ...args] : args, {
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

/**
 * A killed server must not leave its ffmpeg children behind. A render's decoder and encoder
 * meet Node at FIFOs: when the Node process is SIGKILLed they block for ever on a FIFO whose
 * other end is gone (seen after the load test's kill test, ~50 MB each). On Linux, util-linux's
 * `setpriv --pdeathsig KILL` sets the parent-death signal and execs ffmpeg in the same process
 * (same pid, so `child.kill` still reaches ffmpeg): the kernel kills ffmpeg when the thread
 * that started it ends. Every ffmpeg run is awaited by the thread that starts it, so none is
 * meant to outlive it. Checked once per process; elsewhere ffmpeg starts directly.
 */
const SETPRIV = '/usr/bin/setpriv';
let wrapperChecked: string[] | null | undefined;
export function parentDeathWrapper(): string[] | null {
  if (wrapperChecked === undefined) {
    const args = ['--pdeathsig', 'KILL', '--'];
    const usable = process.platform === 'linux' && spawnSync(SETPRIV, [...args, 'true'], { stdio: 'ignore', timeout: 5000 }).status === 0;
    wrapperChecked = usable ? [SETPRIV, ...args] : null;
  }
  return wrapperChecked;
}

function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
