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
export function startFfmpeg(
  binary: string,
  args: string[],
  options: { stdin?: boolean; stdout?: boolean; signal?: AbortSignal; env?: Record<string, string> } = {},
): FfmpegRun {
  const [file, argv] = parentDeathCommand(binary, args);
  const child = spawn(file, argv, {
    stdio: [options.stdin ? 'pipe' : 'ignore', options.stdout ? 'pipe' : 'ignore', 'pipe'],
    signal: options.signal,
    env: options.env ? { ...process.env, ...options.env } : undefined,
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
 * meant to outlive it. Elsewhere ffmpeg starts directly.
 *
 * The signal is only sent for a death *after* setpriv's prctl: a server killed between the fork
 * and the prctl left an orphan (one decoder after a CI run's kill test). So a shell, exec'd by
 * setpriv with the signal already set, checks that its parent is still the server before it
 * execs ffmpeg (`$0` is the server's pid; a re-parented child sees another); each exec keeps
 * the pid and the signal. The shell costs ~1 ms.
 */
const SETPRIV = '/usr/bin/setpriv';
const PARENT_CHECK = 'test "$PPID" = "$0" && exec "$@"';
let wrapperChecked: boolean | undefined;

/**
 * The command that runs `binary args` as a child of this process, guarded as above; `parentPid`
 * is the pid the child must find as its parent (a test passes another to act out the race).
 */
export function parentDeathCommand(binary: string, args: string[], parentPid = process.pid): [string, string[]] {
  if (!parentDeathWrapperUsable()) return [binary, args];
  return [SETPRIV, ['--pdeathsig', 'KILL', '--', '/bin/sh', '-c', PARENT_CHECK, String(parentPid), binary, ...args]];
}

/**
 * Whether setpriv can carry the signal here, checked once per thread (module state is per
 * thread) by one process start. The segment threads check while they warm up and the locator
 * for the main thread, so no one pays the probe while a parent waits for the first frame.
 */
export function parentDeathWrapperUsable(): boolean {
  if (wrapperChecked === undefined) {
    const probe = () =>
      spawnSync(SETPRIV, ['--pdeathsig', 'KILL', '--', '/bin/sh', '-c', PARENT_CHECK, String(process.pid), 'true'], { stdio: 'ignore', timeout: 5000 });
    wrapperChecked = process.platform === 'linux' && probe().status === 0;
  }
  return wrapperChecked;
}

function quote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
