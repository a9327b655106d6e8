// The segment threads' process launcher (a perl process that starts their ffmpeg runs, makes their
// FIFOs and sets pipe sizes): exit codes, output, niceness and kills as with Node's own children;
// FIFOs and pipe sizes as asked; and a killed server leaves neither the launcher nor its processes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { closeSync, constants, openSync, promises as fs, readFileSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, tempDir } from '@talecast/testing';
import { FfmpegError, locateFfmpeg, ProcessLauncher } from '@talecast/video';

const LAUNCHER = path.join(REPO_ROOT, 'dist/libs/video/src/process-launcher.js');

async function launcher(): Promise<ProcessLauncher> {
  const l = await ProcessLauncher.start();
  assert.ok(l, 'perl-base is on every Debian machine we run on');
  return l;
}

/** Running (a zombie waiting for init to reap it counts as gone). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** How many bytes a non-blocking writer puts into the FIFO before it is full (a reader holds it open). */
function capacity(fifo: string): number {
  const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  let n = 0;
  try {
    for (;;) n += writeSync(writer, Buffer.alloc(4096));
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'EAGAIN');
  } finally {
    closeSync(writer);
    closeSync(reader);
  }
  return n;
}

describe('process launcher', { skip: process.platform !== 'linux' && 'Linux only' }, () => {
  test('a run passes on its output, exit code, stderr tail, niceness and environment', async () => {
    const l = await launcher();
    try {
      const lines: string[] = [];
      const script = `echo "one 'two'"; cut -d' ' -f19 /proc/self/stat; echo "$LAUNCHER_TEST"; echo broken >&2; exit 3`;
      const run = l.run('/bin/sh', ['-c', script], { stdout: true, niceness: 7, env: { LAUNCHER_TEST: 'a=b c' } });
      run.onStdout((t) => lines.push(t));
      assert.ok((await run.pid) > 0);
      const err = await run.done.then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof FfmpegError);
      assert.equal(err.code, 3);
      assert.match(err.stderrTail, /broken/);
      assert.equal(lines.join(''), "one 'two'\n7\na=b c\n", 'all output before the exit, niceness 7, the variable added');
      await l.run('/bin/true', []).done;
    } finally {
      l.close();
    }
  });

  test('a kill reaches the running process; a missing program fails its run, not the launcher', async () => {
    const l = await launcher();
    try {
      const run = l.run('/bin/sleep', ['30']);
      const pid = await run.pid;
      assert.ok(alive(pid));
      run.kill('SIGKILL');
      const err = await run.done.then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(err instanceof FfmpegError && err.code === null, 'ended by a signal');
      const missing = await l.run('/nonexistent/ffmpeg', ['-version']).done.then(
        () => null,
        (e: unknown) => e,
      );
      assert.ok(missing instanceof FfmpegError && missing.code === 127);
      assert.ok(l.usable);
      const { ffmpeg } = await locateFfmpeg();
      await l.run(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'nullsrc=s=8x8:r=1', '-frames:v', '1', '-f', 'null', '-']).done;
    } finally {
      l.close();
    }
  });

  test('FIFOs are made with the mode asked; a pipe open at both ends is enlarged', async () => {
    const l = await launcher();
    const dir = await tempDir('talecast-launcher-');
    try {
      const [a, b] = [path.join(dir.path, 'a.fifo'), path.join(dir.path, "b 'fifo")];
      await l.makeFifos([a, b]);
      for (const f of [a, b]) {
        assert.ok(statSync(f).isFIFO());
        assert.equal(statSync(f).mode & 0o777, 0o600);
      }
      await assert.rejects(l.makeFifos([a]), /File exists/);
      assert.equal(capacity(a), 65536, "Linux's default pipe");
      // Held open at both ends (as a run's decoder and thread hold theirs) while the size is set.
      const reader = openSync(a, constants.O_RDONLY | constants.O_NONBLOCK);
      const writer = openSync(a, constants.O_WRONLY | constants.O_NONBLOCK);
      try {
        await l.setPipeSize([a], 1048576);
        let n = 0;
        try {
          for (;;) n += writeSync(writer, Buffer.alloc(65536));
        } catch {
          /* full */
        }
        assert.equal(n, 1048576);
      } finally {
        closeSync(writer);
        closeSync(reader);
      }
    } finally {
      l.close();
      await dir.cleanup();
    }
  });

  test('a SIGKILLed server leaves neither the launcher nor its processes', async () => {
    const dir = await tempDir('talecast-launcher-');
    try {
      const script = path.join(dir.path, 'child.js');
      // From a worker thread, as the segment threads start theirs.
      await fs.writeFile(
        script,
        `const { Worker, isMainThread, parentPort } = require('node:worker_threads');
if (isMainThread) {
  new Worker(__filename).on('message', (m) => process.send(m));
  setInterval(() => {}, 1000);
} else {
  require(${JSON.stringify(LAUNCHER)}).ProcessLauncher.start().then(async (l) => {
    const run = l.run('/bin/sleep', ['31']);
    run.done.catch(() => {});
    parentPort.postMessage([await run.pid, l.child.pid]);
    setInterval(() => {}, 1000);
  });
}`,
      );
      const child = fork(script, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      const [sleeper, perl] = await new Promise<number[]>((resolve, reject) => {
        child.once('message', (m) => resolve(m as number[]));
        child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
      });
      assert.ok(alive(sleeper) && alive(perl));
      child.kill('SIGKILL');
      const until = Date.now() + 5000;
      while ((alive(sleeper) || alive(perl)) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      assert.ok(!alive(sleeper), 'the launched process is gone');
      assert.ok(!alive(perl), 'the launcher is gone');
    } finally {
      await dir.cleanup();
    }
  });
});
