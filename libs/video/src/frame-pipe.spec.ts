import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream, existsSync } from 'node:fs';
import path from 'node:path';
import { createFramePipe, readFramesFromPipe } from './frame-pipe';

const FRAME = 100_000;

/** Writes `count` frames (each filled with its number) and half a frame into the FIFO, then closes it. */
function writeFrames(file: string, count: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file);
    out.on('error', reject);
    for (let n = 0; n < count; n++) out.write(Buffer.alloc(FRAME, n + 1));
    out.end(Buffer.alloc(FRAME / 2, 99), () => resolve());
  });
}

test('frames arrive whole and in order, read ahead, a trailing partial frame dropped; the folder is removed', async () => {
  const pipe = await createFramePipe();
  try {
    const writer = writeFrames(pipe.path, 9);
    const seen: number[] = [];
    await readFramesFromPipe(
      pipe,
      FRAME,
      3,
      writer,
      () => undefined,
      async (frame) => {
        assert.ok(frame.every((v) => v === frame[0]));
        seen.push(frame[0]);
        await new Promise((r) => setTimeout(r, 2));
      },
    );
    await writer;
    assert.deepEqual(seen, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  } finally {
    await pipe.remove();
  }
  assert.equal(existsSync(path.dirname(pipe.path)), false);
});

test('a writer that exits without opening the FIFO does not leave the reader hanging', async () => {
  const pipe = await createFramePipe();
  try {
    let used = 0;
    await readFramesFromPipe(
      pipe,
      FRAME,
      2,
      new Promise((r) => setTimeout(r, 50)),
      () => undefined,
      async () => void used++,
    );
    assert.equal(used, 0);
  } finally {
    await pipe.remove();
  }
});

test("a failure while using a frame stops the writer and is the reader's failure", async () => {
  const pipe = await createFramePipe();
  try {
    const out = createWriteStream(pipe.path);
    out.on('error', () => undefined);
    out.write(Buffer.alloc(FRAME * 4, 1));
    let stopped = false;
    await assert.rejects(
      readFramesFromPipe(
        pipe,
        FRAME,
        2,
        new Promise<void>((r) => out.on('close', () => r())),
        () => {
          stopped = true;
          out.destroy();
        },
        async () => {
          throw new Error('bad frame');
        },
      ),
      /bad frame/,
    );
    assert.ok(stopped);
  } finally {
    await pipe.remove();
  }
});
