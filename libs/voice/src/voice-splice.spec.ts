import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AAC_FRAME, adtsFrames, spliceFrames, spliceWindows } from './voice-splice';

/** One ADTS frame of `length` bytes (7-byte header, no CRC), AAC-LC 48 kHz stereo, its payload filled with `fill`. */
function adts(length: number, fill: number, profile = 1, blocks = 0): Uint8Array {
  const f = new Uint8Array(length).fill(fill);
  f.set([0xff, 0xf1, (profile << 6) | (3 << 2), (2 << 6) | ((length >> 11) & 3), (length >> 3) & 0xff, ((length & 7) << 5) | 0x1f, 0xfc | blocks]);
  return f;
}
const concat = (frames: Uint8Array[]) => Uint8Array.from(frames.flatMap((f) => [...f]));

describe('mixing in place: AAC frames', () => {
  test('an ADTS stream splits into its frames by the lengths in their headers', () => {
    const frames = adtsFrames(concat([adts(20, 1), adts(9, 2), adts(300, 3)]))!;
    assert.deepEqual(
      frames.map((f) => [f.length, f[8]]),
      [
        [20, 1],
        [9, 2],
        [300, 3],
      ],
    );
  });

  test('anything else is not spliced: not ADTS, not AAC-LC, several blocks per header, a cut frame', () => {
    assert.equal(adtsFrames(Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8])), null);
    assert.equal(adtsFrames(adts(20, 1, 0)), null, 'AAC Main');
    assert.equal(adtsFrames(adts(20, 1, 1, 1)), null, 'two raw blocks in one frame');
    assert.equal(adtsFrames(adts(20, 1).subarray(0, 15)), null, 'truncated');
  });

  test("a line's window: its slot widened, on the frame grid, encoded from two frames before", () => {
    // ffmpeg's grid: frame i decodes to samples [(i − 1)·1024, i·1024).
    const grid = { firstPts: -AAC_FRAME, frames: 1000, rate: 48000 };
    const [w] = spliceWindows([{ file: 'l.wav', from: 3.2, to: 6.0, role: 'hero' }], grid, 0.05, () => 0.05)!;
    // 3.15 s = sample 151200 lies in frame 148 ([150528, 151552)); 6.05 s = sample 290400 ends in frame 284.
    assert.deepEqual([w.first, w.last], [148, 284]);
    assert.equal(w.start, (148 - 2 - 1) * AAC_FRAME, 'two frames before, on the grid');
    assert.equal(w.end, (284 + 2) * AAC_FRAME, 'two frames after');
    assert.equal(w.offset, 3, "the encoding's frame 0 is its priming, then the two frames before");
  });

  test('windows that come close merge; a window at the start begins at sample 0, after the priming', () => {
    const grid = { firstPts: -AAC_FRAME, frames: 1000, rate: 48000 };
    const lines = [
      { file: 'a', from: 1, to: 2 },
      { file: 'b', from: 2.05, to: 3 },
      { file: 'c', from: 10, to: 11 },
    ];
    const ws = spliceWindows(lines, grid, 0.05, () => 0.05)!;
    assert.deepEqual(
      ws.map((w) => w.lines.map((l) => l.file)),
      [['a', 'b'], ['c']],
    );
    const [first] = spliceWindows([{ file: 'a', from: 0, to: 1 }], grid, 0.05, () => 0.05)!;
    assert.deepEqual([first.first, first.start, first.offset], [1, 0, 1]);
    // A priming of 2112 samples (off the 1024 grid): frames 0-2 start before the timeline; the window starts at frame 3 (sample 960).
    const [apple] = spliceWindows([{ file: 'a', from: 0, to: 1 }], { ...grid, firstPts: -2112 }, 0.05, () => 0.05)!;
    assert.deepEqual([apple.first, apple.start, apple.offset], [3, 960, 1]);
  });

  test('the story keeps its own frames outside the windows; inside, the encoding’s frames from `offset`', () => {
    const story = Array.from({ length: 10 }, (_, i) => Uint8Array.of(i));
    const encoded = Array.from({ length: 8 }, (_, i) => Uint8Array.of(100 + i));
    const out = spliceFrames(story, [{ first: 4, last: 6, start: 0, end: 0, offset: 3, lines: [] }], [encoded]);
    assert.deepEqual(
      out.map((f) => f[0]),
      [0, 1, 2, 3, 103, 104, 105, 7, 8, 9],
    );
    assert.throws(() => spliceFrames(story, [{ first: 4, last: 6, start: 0, end: 0, offset: 6, lines: [] }], [encoded]), /fewer than it replaces/);
  });
});
