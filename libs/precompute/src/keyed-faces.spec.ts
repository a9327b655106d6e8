import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interOcularDistance } from '@talecast/geometry';
import { keyedLandmarksAt, preferKeyframesPerShot } from './keyed-faces';
import type { MaskRole } from './masks-file';

const role: MaskRole = {
  regions: [{ from: 0, to: 1, box: [0, 0, 0.5, 1] }, { from: 1, to: 2, box: [0.5, 0, 1, 1] }],
  occluders: [],
  keyframes: [
    { t: 0, centre: [0.2, 0.5], size: 0.05, roll: 0 },
    { t: 0.96, centre: [0.3, 0.5], size: 0.05, roll: 0 },
    { t: 1, centre: [0.8, 0.5], size: 0.1, roll: 0 },
    { t: 1.5, centre: [0.9, 0.5], size: 0.1, roll: 0 },
  ],
};

test('keyed landmarks come from the keyframes of the region active at that time, never across regions', () => {
  const a = keyedLandmarksAt(role, 0.48, 25, 1000, 500)!;
  assert.ok(Math.abs(interOcularDistance(a) - 50) < 0.1);
  assert.equal(keyedLandmarksAt(role, 0.98, 25, 1000, 500), null, 'after the first region\'s last keyframe: no pose (not interpolated towards the next region)');
  const b = keyedLandmarksAt(role, 1.25, 25, 1000, 500)!;
  assert.ok(Math.abs(interOcularDistance(b) - 100) < 0.1, 'second region, its own keyframes');
  assert.equal(keyedLandmarksAt(role, 1.6, 25, 1000, 500), null, 'after the last keyframe');
  assert.equal(keyedLandmarksAt({ ...role, keyframes: undefined }, 0.5, 25, 1000, 500), null);
  assert.equal(keyedLandmarksAt({ ...role, regions: [{ from: 0, to: 1, box: [0.6, 0, 1, 1] }] }, 0.5, 25, 1000, 500), null, 'centre outside the region box');
});

test('per shot: keyframes replace a detection that found the face in under half the frames', () => {
  const n = 10;
  const present = Uint8Array.from([1, 0, 0, 0, 0, 1, 1, 1, 1, 0]); // shot 0..4: 1 of 5 detected; shot 5..9: 4 of 5
  const landmarks = new Float32Array(n * 136).fill(1);
  const keyed = { present: Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]), landmarks: new Float32Array(n * 136).fill(2) };
  const taken = preferKeyframesPerShot({ present, landmarks }, keyed, new Set([5]));
  assert.equal(taken, 5);
  assert.deepEqual([...present], [1, 1, 1, 1, 1, 1, 1, 1, 1, 0]);
  assert.equal(landmarks[0], 2, 'the detected frame of the keyed shot takes the keyframes too (no flicker)');
  assert.equal(landmarks[5 * 136], 1, 'the detected shot keeps detection');
});
