import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analysisRangeStarts, frameWork, rangeFramesFor } from './analysis-ranges';
import { MasksFile } from './masks-file';

test('ranges of at most 10 s, as many as a multiple of the threads', () => {
  // 30 s at 30 fps on two threads: four ranges of 7.5 s (three of 10 s left one thread idle at the end)
  assert.equal(rangeFramesFor(900, 300, 2), 225);
  // 60 s: six ranges of 10 s, as before
  assert.equal(rangeFramesFor(1800, 300, 2), 300);
  // 20 s: two of 10 s; 12 s: two of 6 s
  assert.equal(rangeFramesFor(600, 300, 2), 300);
  assert.equal(rangeFramesFor(360, 300, 2), 180);
  // one thread: 10 s ranges
  assert.equal(rangeFramesFor(900, 300, 1), 300);
});

test('no range longer than 10 s, and the ranges share out evenly over the threads (unless there are fewer frames than threads)', () => {
  for (const frames of [1, 2, 29, 301, 899, 900, 901, 1799, 7200]) {
    for (const threads of [1, 2, 3, 4]) {
      const size = rangeFramesFor(frames, 300, threads);
      assert.ok(size >= 1 && size <= 300, `${frames} frames, ${threads} threads: ${size}`);
      const ranges = Math.ceil(frames / size);
      if (frames >= threads) assert.equal(ranges % threads, 0, `${frames} frames, ${threads} threads: ${ranges} ranges of ${size}`);
    }
  }
});

/** A masks file whose roles are active over the given [from, to) seconds. */
function masksWith(roles: Record<string, [number, number][]>): MasksFile {
  const entries = Object.entries(roles).map(([name, spans]) => [
    name,
    { regions: spans.map(([from, to]) => ({ from, to, box: [0, 0, 1, 1] as [number, number, number, number] })), occluders: [] },
  ]);
  return { version: 1, roles: Object.fromEntries(entries) };
}

test('a frame costs one unit, and three more for each role active then', () => {
  const masks = masksWith({ hero: [[0, 10]], friend: [[5, 10]] });
  assert.equal(frameWork(masks, 0, 30), 4);
  assert.equal(frameWork(masks, 150, 30), 7);
  assert.equal(frameWork(masks, 300, 30), 1);
  // A region from 1.167 s starts on frame 35 (35 / 30 = 1.1667 s), as the analysis matches it.
  assert.equal(frameWork(masksWith({ hero: [[1.167, 2]] }), 35, 30), 4);
});

test('with the same work everywhere, the ranges are the even split', () => {
  const masks = masksWith({ hero: [[0, 60]] });
  assert.deepEqual(analysisRangeStarts(900, 30, 300, 2, masks), [0, 225, 450, 675]);
  assert.deepEqual(analysisRangeStarts(1800, 30, 300, 2, masks), [0, 300, 600, 900, 1200, 1500]);
  assert.deepEqual(analysisRangeStarts(10, 30, 300, 1, masks), [0]);
});

test('ranges are cut where the expected work is equal: shorter where two faces are followed', () => {
  // 30 s: nobody for 10 s, the hero for 10 s, hero and friend for 10 s → work 300 + 1200 + 2100 = 3600, 900 a range.
  const masks = masksWith({ hero: [[10, 30]], friend: [[20, 30]] });
  const starts = analysisRangeStarts(900, 30, 300, 2, masks);
  assert.deepEqual(starts, [0, 450, 643, 771]);
  const work = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => frameWork(masks, from + k, 30)).reduce((a, b) => a + b, 0);
  const ends = [...starts.slice(1), 900];
  for (const [r, start] of starts.entries()) assert.ok(Math.abs(work(start, ends[r]) - 900) <= 7, `range ${r}: ${work(start, ends[r])}`);
});

test('starts stay strictly increasing, inside the story, for any length', () => {
  const masks = masksWith({ hero: [[0, 1]], friend: [[0.5, 2]] });
  for (const frames of [1, 2, 3, 7, 61, 900]) {
    for (const threads of [1, 2, 4]) {
      const starts = analysisRangeStarts(frames, 30, 300, threads, masks);
      assert.equal(starts[0], 0);
      for (let k = 1; k < starts.length; k++) assert.ok(starts[k] > starts[k - 1] && starts[k] < frames, `${frames}/${threads}: ${starts}`);
    }
  }
});
