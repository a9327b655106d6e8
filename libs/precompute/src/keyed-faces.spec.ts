import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyAffine, centroid, interOcularDistance } from '@talecast/geometry';
import { fillGapsFromKeyframes, keyedLandmarksAt, preferKeyframesPerShot, similarityAboutCentre } from './keyed-faces';
import { posedLandmarks } from './face-keyframes';
import type { MaskRole } from './masks-file';

const role: MaskRole = {
  regions: [
    { from: 0, to: 1, box: [0, 0, 0.5, 1] },
    { from: 1, to: 2, box: [0.5, 0, 1, 1] },
  ],
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
  const held = keyedLandmarksAt(role, 0.97, 25, 1000, 500)!;
  assert.ok(
    Math.abs(interOcularDistance(held) - 50) < 0.1,
    "within half a frame after the first region's last keyframe: that pose, not interpolated towards the next region",
  );
  assert.equal(keyedLandmarksAt({ ...role, regions: [role.regions[0]] }, 0.99, 25, 1000, 500), null, 'past the region: no pose');
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

test('frames detection lost inside a shot take the keyframes moved onto the neighbouring detections', () => {
  // Shot 0..11 and shot 12..15. The keyed face walks right; the "detected" face is the keyed one
  // 1.2 times larger and turned 5 degrees about its centre, and shifted by a drift growing over the
  // frames (the keys are coarse). Detection lost frames 3..8 (a head turn) and the cut frame 12.
  const n = 16,
    w = 640,
    h = 360;
  const keyedAt = (j: number) => posedLandmarks({ centre: [0.3 + 0.01 * j, 0.5], size: 0.05, roll: 0, yaw: 0, mouthOpen: 0, eyesOpen: 1 }, w, h);
  const truthAt = (j: number) =>
    applyAffine(
      similarityAboutCentre({ scale: 1.2, rotationRadians: (5 * Math.PI) / 180, tx: -40 + 2 * j, ty: -30 }, keyedAt(j)),
      keyedAt(j),
      new Float32Array(136),
    );
  const keyed = { present: new Uint8Array(n).fill(1), landmarks: new Float32Array(n * 136) };
  const present = Uint8Array.from([1, 1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 1, 1]);
  const landmarks = new Float32Array(n * 136);
  for (let j = 0; j < n; j++) {
    keyed.landmarks.set(keyedAt(j), j * 136);
    if (present[j]) landmarks.set(truthAt(j), j * 136);
  }
  const filled = fillGapsFromKeyframes({ present, landmarks }, keyed, new Set([12]), 30);
  assert.equal(filled, 7);
  assert.deepEqual([...present], new Array(n).fill(1));
  // Inside the gap the two fits are interpolated (exact here); the cut frame has only the fit of
  // the frame after it (off by that frame's drift, 2 px).
  for (const [j, tolerance] of [
    [3, 0.5],
    [5, 0.5],
    [8, 0.5],
    [12, 2.5],
  ]) {
    const truth = truthAt(j);
    let worst = 0;
    for (let c = 0; c < 136; c++) worst = Math.max(worst, Math.abs(landmarks[j * 136 + c] - truth[c]));
    assert.ok(worst < tolerance, `frame ${j}: off by ${worst.toFixed(2)} px`);
  }
});

test('a face keyed small in a turn is filled where the keys move it, not pulled towards the corner', () => {
  // The tale's hero turning to profile and back far from the frame's corner: the keys shrink the
  // face (size 0.05 → 0.01 → 0.05) and move it 0.05 of the width aside and back; detection finds it
  // 3 times the keys' size at the turn's ends (coarse keys). The filled face's eye midpoint follows
  // the keys' (the old fit about the corner moved it 3 times as far, 16 px off already in the first filled frame, like the tale's hero that was
  // filled up to 30 eye distances off its head, onto the trees).
  const n = 13,
    w = 640,
    h = 360;
  const bump = (j: number) => Math.sin((Math.PI * j) / (n - 1));
  const pose = (j: number, grow: number) => ({
    centre: [0.6 + 0.05 * bump(j), 0.6] as [number, number],
    size: grow * (0.05 - 0.04 * bump(j)),
    roll: 0,
    yaw: 0,
    mouthOpen: 0,
    eyesOpen: 1,
  });
  const keyed = { present: new Uint8Array(n).fill(1), landmarks: new Float32Array(n * 136) };
  for (let j = 0; j < n; j++) keyed.landmarks.set(posedLandmarks(pose(j, 1), w, h), j * 136);
  const present = new Uint8Array(n);
  const landmarks = new Float32Array(n * 136);
  for (const j of [0, n - 1]) {
    present[j] = 1;
    landmarks.set(posedLandmarks(pose(j, 3), w, h), j * 136);
  }
  assert.equal(fillGapsFromKeyframes({ present, landmarks }, keyed, new Set(), 30), n - 2);
  const eyes = (lm: Float32Array) => centroid(lm, [36, 39, 42, 45]);
  for (let j = 1; j < n - 1; j++) {
    const [x, y] = eyes(landmarks.subarray(j * 136, (j + 1) * 136));
    const [kx, ky] = eyes(keyed.landmarks.subarray(j * 136, (j + 1) * 136));
    assert.ok(Math.hypot(x - kx, y - ky) < 0.5, `frame ${j}: the filled face is ${Math.hypot(x - kx, y - ky).toFixed(1)} px from where the keys put it`);
  }
});

test('keyed gap filling reaches only so far from a detection, never across a cut, never without keys', () => {
  const n = 10;
  const keyedFace = posedLandmarks({ centre: [0.5, 0.5], size: 0.05, roll: 0, yaw: 0, mouthOpen: 0, eyesOpen: 1 }, 640, 360);
  const keyed = { present: Uint8Array.from([1, 1, 1, 1, 1, 1, 1, 0, 1, 1]), landmarks: new Float32Array(n * 136) };
  const present = Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const landmarks = new Float32Array(n * 136);
  for (let j = 0; j < n; j++) keyed.landmarks.set(keyedFace, j * 136);
  landmarks.set(keyedFace, 0);
  const filled = fillGapsFromKeyframes({ present, landmarks }, keyed, new Set([6]), 3);
  assert.equal(filled, 3);
  assert.deepEqual([...present], [1, 1, 1, 1, 0, 0, 0, 0, 0, 0], 'three frames of reach; the shot from the cut at 6 has no detection; frame 7 has no keys');
});

test("a keyframe on the next region's first frame does not pull this region's last frames towards it", () => {
  const wide: MaskRole = {
    regions: [
      { from: 0, to: 1, box: [0, 0, 1, 1] },
      { from: 1, to: 2, box: [0, 0, 1, 1] },
    ],
    occluders: [],
    keyframes: [
      { t: 0, centre: [0.2, 0.5], size: 0.05, roll: 0 },
      { t: 0.5, centre: [0.7, 0.5], size: 0.05, roll: 0 },
      { t: 1, centre: [0.3, 0.5], size: 0.05, roll: 0 },
      { t: 2, centre: [0.3, 0.5], size: 0.05, roll: 0 },
    ],
  };
  assert.equal(keyedLandmarksAt(wide, 0.8, 25, 1000, 500), null, "after the region's last own key: no pose");
  assert.ok(keyedLandmarksAt(wide, 0.5, 25, 1000, 500));
  assert.ok(keyedLandmarksAt(wide, 1, 25, 1000, 500), 'the key belongs to the region it starts');
  const last = keyedLandmarksAt({ ...wide, regions: [wide.regions[0]] }, 0.96, 25, 1000, 500)!;
  assert.ok(last, "with no region starting there, a key at the region's end is still its own");
});
