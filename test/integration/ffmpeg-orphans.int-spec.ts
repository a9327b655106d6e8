// A server killed mid-render leaves no ffmpeg behind. A render's ffmpeg processes meet Node at
// FIFOs; when the Node process is SIGKILLed they used to block for ever on a FIFO whose other end
// was gone (found after the load test's kill test). Here a real Node process starts a real ffmpeg
// on a FIFO nobody writes — from its main thread and from a worker thread, as the render's
// segment threads do — and is SIGKILLed; ffmpeg must be gone shortly after.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawn, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, tempDir } from '@talecast/testing';
import { locateFfmpeg, parentDeathCommand, parentDeathWrapperUsable } from '@talecast/video';

const FFMPEG_PROCESS = path.join(REPO_ROOT, 'dist/libs/video/src/ffmpeg-process.js');

/** The child: starts ffmpeg reading `fifo` (from a worker thread when asked), prints ffmpeg's pid, then waits to be killed. */
const CHILD = `
const { Worker, isMainThread, workerData, parentPort } = require('node:worker_threads');
function start(ffmpeg, fifo) {
  const { startFfmpeg } = require(${JSON.stringify(FFMPEG_PROCESS)});
  const run = startFfmpeg(ffmpeg, ['-hide_banner', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', '8x8', '-i', fifo, '-f', 'null', '-']);
  run.done.catch(() => {});
  return run.child.pid;
}
if (isMainThread) {
  const [ffmpeg, fifo, where] = process.argv.slice(2);
  if (where === 'worker') {
    const w = new Worker(__filename, { workerData: { ffmpeg, fifo } });
    w.on('message', (pid) => process.send(pid));
  } else {
    process.send(start(ffmpeg, fifo));
  }
  setInterval(() => {}, 1000);
} else {
  parentPort.postMessage(start(workerData.ffmpeg, workerData.fifo));
  setInterval(() => {}, 1000);
}
`;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether `pid` is gone (or a zombie waiting for init to reap it) within `ms`. */
async function goneWithin(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!alive(pid)) return true;
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (/^\d+ \(.*\) Z/.test(stat)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('ffmpeg children of a killed server', { skip: process.platform !== 'linux' && 'parent-death signals are Linux only' }, () => {
  test('setpriv is there to carry the parent-death signal', () => {
    assert.ok(parentDeathWrapperUsable(), 'util-linux setpriv with --pdeathsig is on every Debian machine we run on');
  });

  // The spawn window: a server killed after the fork but before setpriv set the signal gets no
  // signal at all. Acted out without a race: the child is told to expect a parent it does not
  // have (as a re-parented child would find), so it must stop before ffmpeg runs.
  test('a child whose parent is not the server (killed before the signal was set) never runs ffmpeg', async () => {
    const { ffmpeg } = await locateFfmpeg();
    const [file, args] = parentDeathCommand(ffmpeg, ['-hide_banner', '-version']);
    const ran = spawnSync(file, args, { encoding: 'utf8' });
    assert.equal(ran.status, 0, ran.stderr);
    assert.match(ran.stdout, /ffmpeg version/, 'with its real parent the child runs ffmpeg');
    const someoneElse = process.ppid;
    const [file2, args2] = parentDeathCommand(ffmpeg, ['-hide_banner', '-version'], someoneElse);
    const orphan = spawnSync(file2, args2, { encoding: 'utf8' });
    assert.notEqual(orphan.status, 0);
    assert.equal(orphan.stdout, '', 'no ffmpeg ran');
  });

  test('the guarded child is ffmpeg itself (same pid: kill and wait reach it)', async () => {
    const { ffmpeg } = await locateFfmpeg();
    const [file, args] = parentDeathCommand(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'nullsrc=s=8x8:r=1', '-f', 'null', '-']);
    const child = spawn(file, args, { stdio: 'ignore' });
    try {
      let comm = '';
      for (let i = 0; i < 100 && comm !== 'ffmpeg'; i++) {
        await new Promise((r) => setTimeout(r, 20));
        comm = (await fs.readFile(`/proc/${child.pid}/comm`, 'utf8').catch(() => '')).trim();
      }
      assert.equal(comm, 'ffmpeg', 'the spawned pid becomes ffmpeg');
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
  });

  for (const where of ['main', 'worker'] as const) {
    test(`ffmpeg started from the ${where} thread dies with its SIGKILLed Node process`, async () => {
      const { ffmpeg } = await locateFfmpeg();
      const dir = await tempDir('talecast-orphan-');
      let pid = 0;
      try {
        const fifo = path.join(dir.path, 'frames.fifo');
        assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
        const script = path.join(dir.path, 'child.js');
        await fs.writeFile(script, CHILD);
        const child = fork(script, [ffmpeg, fifo, where], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
        pid = await new Promise<number>((resolve, reject) => {
          child.once('message', (m) => resolve(Number(m)));
          child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
        });
        assert.ok(pid > 0 && alive(pid), 'ffmpeg is running, blocked on its FIFO');
        // Still there while its parent lives: the watchdog does not end runs early.
        await new Promise((r) => setTimeout(r, 300));
        assert.ok(alive(pid));
        child.kill('SIGKILL');
        assert.ok(await goneWithin(pid, 5000), `ffmpeg ${pid} outlived its killed parent`);
      } finally {
        if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
        await dir.cleanup();
      }
    });
  }
});
