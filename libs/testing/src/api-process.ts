// Test support: runs the real API as a child process on a free loopback port and waits until
// it listens. Used by end-to-end tests; the process is always killed in `stop()`. An unhandled
// promise rejection in the server (it logs them instead of crashing) fails the test: `stop()`
// throws when the server logged one.
import { ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { freePort } from '@talecast/persistence';

export interface ApiProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export const REPO_ROOT = path.resolve(__dirname, '../../../..');
export const API_MAIN = path.join(REPO_ROOT, 'dist/apps/api/src/main.js');
export const CLI_MAIN = path.join(REPO_ROOT, 'dist/apps/cli/src/main.js');

export async function startApi(env: Record<string, string>, timeoutMs = 60_000, options: { allowUnhandledRejections?: boolean } = {}): Promise<ApiProcess> {
  const port = env.PORT ?? String(await freePort());
  const child = fork(API_MAIN, [], {
    env: {
      ...process.env,
      TALECAST_LOG_LEVEL: 'warn',
      TALECAST_UPLOADS_PER_MINUTE: '1000',
      TALECAST_RENDERS_PER_MINUTE: '1000',
      ...env,
      PORT: port,
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`API did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    child.on('message', (m: { ready?: boolean }) => {
      if (m?.ready) {
        clearTimeout(timer);
        resolve();
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`API exited with ${code} before listening:\n${out}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => out,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      const rejection = /^.*unhandled rejection.*$/im.exec(out);
      if (rejection && !options.allowUnhandledRejections) throw new Error(`the API had an unhandled promise rejection: ${rejection[0]}`);
      return code;
    },
  };
}

/** Runs a node script to completion and returns its exit code and output. */
export function runNode(script: string, args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = fork(script, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
