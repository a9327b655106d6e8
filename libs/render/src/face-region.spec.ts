import { test } from 'node:test';
import assert from 'node:assert/strict';
import { faceQpOffset, faceRegionParts, insertedFaceBounds, snappedBox } from './face-region';
import { SegmentRoleTrack } from './segment-task';

const OFFSETS = { maxQpOffset: 8, fullBelow: 32, noneAbove: 64 };

/** A track whose frames hold a square "face" of 68 points at `boxes[k]` ([left, top, size]; null: no insertion). */
function track(boxes: ([number, number, number] | null)[]): SegmentRoleTrack {
  const landmarks = new Float32Array(boxes.length * 136);
  boxes.forEach((b, k) => {
    if (!b) return;
    for (let p = 0; p < 68; p++) {
      // Points spread over the square's corners and edges: the box is exactly [left, top, left+size, top+size].
      landmarks[k * 136 + 2 * p] = b[0] + (p % 2) * b[2];
      landmarks[k * 136 + 2 * p + 1] = b[1] + ((p >> 1) % 2) * b[2];
    }
  });
  return { role: 'hero', faceIndex: Int32Array.from(boxes, (b) => (b ? 0 : -1)), landmarks } as unknown as SegmentRoleTrack;
}

test('the inserted face bounds are the landmarks box, and none where no face is inserted', () => {
  const t = track([[100, 50, 40], null]);
  assert.deepEqual(insertedFaceBounds(t, 0), [100, 50, 140, 90]);
  assert.equal(insertedFaceBounds(t, 1), null);
  assert.equal(insertedFaceBounds(t, 2), null);
});

test('a box is snapped outward to 16-pixel macroblocks and clipped to the frame', () => {
  assert.deepEqual(snappedBox([100, 50, 140, 90], 640, 360), { x: 96, y: 48, w: 48, h: 48 });
  assert.deepEqual(snappedBox([-20, 340, 30, 400], 640, 360), { x: 0, y: 336, w: 32, h: 24 });
  assert.equal(snappedBox([Infinity, Infinity, -Infinity, -Infinity], 640, 360), null);
});

test("a segment's region is the union of its faces' boxes with the margin; a segment without a face has none", () => {
  const opts = { width: 640, height: 360, margin: 0.25, ...OFFSETS };
  // Face of 40 px moving from (100, 50) to (160, 70): union [100, 50, 200, 110], margin 10 px -> [90, 40, 210, 120] -> MB [80, 32, 224, 128].
  const moving = { frameCount: 3, tracks: [track([[100, 50, 40], null, [160, 70, 40]])] };
  const empty = { frameCount: 2, tracks: [track([null, null])] };
  assert.deepEqual(faceRegionParts([moving, empty], opts), [
    { frames: 3, box: { x: 80, y: 32, w: 144, h: 96 }, qpOffset: 8 },
    { frames: 2, box: null, qpOffset: 0 },
  ]);
});

test('neighbouring segments with the same region are one part', () => {
  const opts = { width: 640, height: 360, margin: 0, ...OFFSETS };
  // 16,16 and 17,16 lie in the same macroblock; 200,100 does not.
  const a = {
    frameCount: 2,
    tracks: [
      track([
        [16, 16, 16],
        [16, 16, 16],
      ]),
    ],
  };
  const b = { frameCount: 3, tracks: [track([[17, 16, 15], null, [18, 17, 14]])] };
  const c = {
    frameCount: 2,
    tracks: [
      track([
        [200, 100, 32],
        [200, 100, 32],
      ]),
    ],
  };
  assert.deepEqual(faceRegionParts([a, b, c], opts), [
    { frames: 5, box: { x: 16, y: 16, w: 16, h: 16 }, qpOffset: 8 },
    { frames: 2, box: { x: 192, y: 96, w: 48, h: 48 }, qpOffset: 8 },
  ]);
});

test('the offset is full for a small face, falls linearly with its eye distance, and is none for a large one', () => {
  assert.equal(faceQpOffset(18, OFFSETS), 8);
  assert.equal(faceQpOffset(32, OFFSETS), 8);
  assert.equal(faceQpOffset(48, OFFSETS), 4);
  assert.equal(faceQpOffset(64, OFFSETS), 0);
  assert.equal(faceQpOffset(120, OFFSETS), 0);
});

test("a part's offset is its smallest face's, and a part of large faces only gets no region", () => {
  const opts = { width: 1280, height: 720, margin: 0, ...OFFSETS };
  // Eye distances 120 px (none) and 40 px (8 * (64 - 40) / 32 = 6).
  const near = { frameCount: 1, tracks: [eyesApart([400, 300], 120)] };
  const far = { frameCount: 1, tracks: [eyesApart([100, 100], 40)] };
  const [large] = faceRegionParts([near], opts);
  assert.deepEqual(large, { frames: 1, box: null, qpOffset: 0 });
  const [mixed] = faceRegionParts([{ frameCount: 1, tracks: [...near.tracks, ...far.tracks] }], opts);
  assert.equal(mixed.qpOffset, 6);
});

/** One frame of a face whose eyes (landmarks 36-41 and 42-47) are `spacing` px apart, centred at `at`, the other points around them. */
function eyesApart(at: [number, number], spacing: number): SegmentRoleTrack {
  const landmarks = new Float32Array(136);
  for (let p = 0; p < 68; p++) {
    const eye = p >= 36 && p < 42 ? -1 : p >= 42 && p < 48 ? 1 : 0;
    landmarks[2 * p] = at[0] + (eye ? (eye * spacing) / 2 : ((p % 3) - 1) * spacing);
    landmarks[2 * p + 1] = at[1] + (eye ? 0 : ((p % 2) * 2 - 1) * spacing);
  }
  return { role: 'hero', faceIndex: Int32Array.of(0), landmarks } as unknown as SegmentRoleTrack;
}
