import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rangeFramesFor } from './story-precomputer';

test('ranges of at most 10 s, as many as a multiple of the threads', () => {
  // 30 s at 30 fps on two threads: four ranges of 7.5 s (three of 10 s left one thread idle at the end)
  assert.equal(rangeFramesFor(900, 30, 2), 225);
  // 60 s: six ranges of 10 s, as before
  assert.equal(rangeFramesFor(1800, 30, 2), 300);
  // 20 s: two of 10 s; 12 s: two of 6 s
  assert.equal(rangeFramesFor(600, 30, 2), 300);
  assert.equal(rangeFramesFor(360, 30, 2), 180);
  // one thread: 10 s ranges
  assert.equal(rangeFramesFor(900, 30, 1), 300);
});

test('no range longer than 10 s, and the ranges share out evenly over the threads (unless there are fewer frames than threads)', () => {
  for (const frames of [1, 2, 29, 301, 899, 900, 901, 1799, 7200]) {
    for (const threads of [1, 2, 3, 4]) {
      const size = rangeFramesFor(frames, 30, threads);
      assert.ok(size >= 1 && size <= 300, `${frames} frames, ${threads} threads: ${size}`);
      const ranges = Math.ceil(frames / size);
      if (frames >= threads) assert.equal(ranges % threads, 0, `${frames} frames, ${threads} threads: ${ranges} ranges of ${size}`);
    }
  }
});
