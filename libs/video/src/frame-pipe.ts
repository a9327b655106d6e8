// Raw frames from an ffmpeg decoder through a FIFO, read asynchronously (in libuv's thread pool)
// straight into a few reused buffers: the reads of the next frames run while the caller works on
// the current one, and no stream chunk is allocated (a 720p yuv420p frame through the child's
// stdout stream arrived as ~21 fresh 64 KB Buffers, each copied once more and collected later).
import { spawnSync } from 'node:child_process';
import { close, closeSync, constants, open, openSync, promises as fs, read } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface FramePipe {
  /** The FIFO ffmpeg writes to (its output file). */
  path: string;
  /** Removes the FIFO's private folder. */
  remove: () => Promise<void>;
}

/** A FIFO in a private folder of its own. */
export async function createFramePipe(): Promise<FramePipe> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'talecast-frames-'));
  const file = path.join(dir, 'frames.fifo');
  const made = spawnSync('mkfifo', ['-m', '600', file]);
  if (made.status !== 0) {
    await fs.rm(dir, { recursive: true, force: true });
    throw new Error(`mkfifo ${file}: ${made.error?.message ?? made.stderr.toString()}`);
  }
  return { path: file, remove: () => fs.rm(dir, { recursive: true, force: true }) };
}

/**
 * Reads whole frames of `frameBytes` from the FIFO in order and hands each to `use`, with up to
 * `ahead` frames read ahead; resolves at the end of the stream (a trailing partial frame is
 * dropped). `writerDone` settles when the writing process has exited: a writer that never opened
 * the FIFO then no longer leaves the open hanging. On a failure of `use` the caller must stop the
 * writer (`stopWriter`) so that pending reads end.
 */
export async function readFramesFromPipe(
  pipe: FramePipe,
  frameBytes: number,
  ahead: number,
  writerDone: Promise<unknown>,
  stopWriter: () => void,
  use: (frame: Uint8Array) => Promise<void>,
): Promise<void> {
  const fd = await openReadEnd(pipe.path, writerDone);
  let reads: Promise<boolean> = Promise.resolve(true);
  // Reads are chained: one fd, frames in order; each slot's buffer is refilled once used.
  const schedule = (buffer: Uint8Array) => (reads = reads.then((more) => more && readFull(fd, buffer)));
  const slots = Array.from({ length: Math.max(1, ahead) }, () => {
    const buffer = new Uint8Array(frameBytes);
    return { buffer, ready: schedule(buffer) };
  });
  try {
    for (let n = 0; ; n++) {
      const slot = slots[n % slots.length];
      if (!(await slot.ready)) break;
      await use(slot.buffer);
      slot.ready = schedule(slot.buffer);
    }
  } catch (err) {
    stopWriter();
    throw err;
  } finally {
    await reads.catch(() => false);
    await new Promise<void>((resolve) => close(fd, () => resolve()));
  }
}

/** Fills the buffer with the next frame; false at the end of the stream. */
async function readFull(fd: number, buffer: Uint8Array): Promise<boolean> {
  let got = 0;
  while (got < buffer.length) {
    const n = await new Promise<number>((resolve, reject) =>
      read(fd, buffer, got, buffer.length - got, null, (err, bytes) => (err ? reject(err) : resolve(bytes))),
    );
    if (n === 0) return false;
    got += n;
  }
  return true;
}

/** Opens the FIFO's read end without hanging when the writer exits before opening it. */
async function openReadEnd(file: string, writerDone: Promise<unknown>): Promise<number> {
  const opening = new Promise<number>((resolve, reject) => open(file, 'r', (err, fd) => (err ? reject(err) : resolve(fd))));
  let settled = false;
  void opening.then(
    () => (settled = true),
    () => (settled = true),
  );
  const unblock = () => {
    if (settled) return;
    try {
      // Open and close the write end at once: the pending open returns, and reads see the end.
      closeSync(openSync(file, constants.O_WRONLY | constants.O_NONBLOCK));
    } catch {
      /* already open or gone */
    }
  };
  writerDone.then(unblock, unblock);
  return opening;
}
