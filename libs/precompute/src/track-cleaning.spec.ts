import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dropShortRuns, fillMissing, fillShortGaps } from './track-cleaning';
import { LANDMARK_DIMS } from './range-analyzer';

const presence = (s: string) => Uint8Array.from(s, (c) => (c === '#' ? 1 : 0));
const text = (p: Uint8Array) => Array.from(p, (v) => (v ? '#' : '.')).join('');

test('fillShortGaps: a gap of up to maxGap frames inside a shot is interpolated, not across a cut', () => {
  const present = presence('##..##...#');
  const landmarks = new Float32Array(present.length * LANDMARK_DIMS);
  landmarks.fill(10, 1 * LANDMARK_DIMS, 2 * LANDMARK_DIMS);
  landmarks.fill(40, 4 * LANDMARK_DIMS, 5 * LANDMARK_DIMS);
  fillShortGaps({ present, landmarks }, new Set(), 2);
  assert.equal(text(present), '######...#', 'the 3-frame gap stays open');
  assert.equal(landmarks[2 * LANDMARK_DIMS], 20);
  assert.equal(landmarks[3 * LANDMARK_DIMS + 5], 30);
  const cut = presence('##..##');
  fillShortGaps({ present: cut, landmarks: new Float32Array(cut.length * LANDMARK_DIMS) }, new Set([3]), 2);
  assert.equal(text(cut), '##..##');
});

test('dropShortRuns: runs shorter than the minimum go, a cut splits a run', () => {
  const p = presence('#.###.##..####');
  dropShortRuns(p, new Set(), 3);
  assert.equal(text(p), '..###.....####');
  const q = presence('######');
  dropShortRuns(q, new Set([2]), 3);
  assert.equal(text(q), '..####');
});

test('fillMissing: NaN samples take the nearest known value in their run, else 0', () => {
  const present = presence('####.##');
  const v = Float32Array.from([NaN, 2, NaN, NaN, 7, NaN, NaN]);
  fillMissing(v, 1, present, new Set());
  assert.deepEqual([...v], [2, 2, 2, 2, 7, 0, 0]);
  const w = Float32Array.from([1, NaN, NaN, 5]);
  fillMissing(w, 1, presence('####'), new Set([2]));
  assert.deepEqual([...w], [1, 1, 5, 5]);
});
