import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mouthOpenness, openMouthTo, syntheticFaceLandmarks } from '@talecast/geometry';
import { CLOSED_STORY_MOUTH, closedMouthShape, MouthShaper, openPhotoOpening } from './mouth-shape';

const P = (l: ArrayLike<number>, i: number): [number, number] => [l[2 * i], l[2 * i + 1]];
const dist = (l: ArrayLike<number>, i: number, j: number) => Math.hypot(l[2 * i] - l[2 * j], l[2 * i + 1] - l[2 * j + 1]);

/** A laughing mouth, made lopsided as sample1's: the right half of the lower lip hanging lower, one corner raised. */
function lopsidedLaugh(roll = 0): Float32Array {
  const l = syntheticFaceLandmarks({ centerX: 256, centerY: 256, faceWidth: 360, mouthOpen: 0.32, rollDegrees: roll });
  const r = (roll * Math.PI) / 180;
  const down = [-Math.sin(r), Math.cos(r)];
  const move = (i: number, d: number) => {
    l[2 * i] += d * down[0];
    l[2 * i + 1] += d * down[1];
  };
  for (const i of [55, 56, 65]) move(i, 9);
  move(54, -6);
  move(64, -6);
  return l;
}

/** The point mirrored across the axis through the mouth's middle, perpendicular to the eye line. */
function mirrorAcrossMouth(l: ArrayLike<number>, i: number): [number, number] {
  const eye = (from: number) => {
    let x = 0,
      y = 0;
    for (let k = from; k < from + 6; k++) {
      x += l[2 * k];
      y += l[2 * k + 1];
    }
    return [x / 6, y / 6];
  };
  const [rx, ry] = eye(36),
    [lx, ly] = eye(42);
  const len = Math.hypot(lx - rx, ly - ry);
  const ex = (lx - rx) / len,
    ey = (ly - ry) / len;
  const cx = (l[96] + l[108]) / 2,
    cy = (l[97] + l[109]) / 2;
  const [px, py] = P(l, i);
  const u = (px - cx) * ex + (py - cy) * ey;
  return [px - 2 * u * ex, py - 2 * u * ey];
}

describe('closedMouthShape', () => {
  for (const roll of [0, 16]) {
    test(`the lips meet, the width and corners are the child's, symmetric (roll ${roll}°)`, () => {
      const child = lopsidedLaugh(roll);
      const closed = closedMouthShape(child);
      // Lips meet: each inner pair coincides, and nothing is left open.
      for (const [u, l] of [
        [61, 67],
        [62, 66],
        [63, 65],
      ])
        assert.ok(dist(closed, u, l) < 1e-3, `pair ${u}/${l}: ${dist(closed, u, l)}`);
      assert.ok(mouthOpenness(closed) < 1e-4);
      // The width kept and the corners where the child's are (their middle; each moved only to level them).
      assert.ok(Math.abs(dist(closed, 48, 54) - dist(child, 48, 54)) < 0.5, `${dist(closed, 48, 54)} vs ${dist(child, 48, 54)}`);
      const mid = (l: ArrayLike<number>) => [(l[96] + l[108]) / 2, (l[97] + l[109]) / 2];
      assert.ok(Math.hypot(mid(closed)[0] - mid(child)[0], mid(closed)[1] - mid(child)[1]) < 1e-3);
      // Symmetric about the face's axis through the mouth's middle (the lopsided hang taken out).
      for (const [a, b] of [
        [48, 54],
        [49, 53],
        [50, 52],
        [59, 55],
        [58, 56],
        [61, 63],
      ]) {
        const [mx, my] = mirrorAcrossMouth(closed, a);
        assert.ok(Math.hypot(mx - closed[2 * b], my - closed[2 * b + 1]) < 0.05, `${a}/${b}`);
      }
      // The inner corners keep their own way in from the outer ones (the corners' texture unstretched).
      assert.ok(Math.abs(dist(closed, 48, 60) - dist(child, 48, 60)) < 1 && Math.abs(dist(closed, 54, 64) - dist(child, 54, 64)) < 1);
      // Each lip keeps its thickness at the middle (outer to inner, along the face's down).
      assert.ok(Math.abs(dist(closed, 51, 62) - dist(child, 51, 62)) < 1, 'upper lip');
      assert.ok(Math.abs(dist(closed, 57, 66) - dist(child, 57, 66)) < 1, 'lower lip');
      // The rest of the face untouched.
      for (let i = 0; i < 96; i++) assert.equal(closed[i], child[i]);
    });
  }

  test('follows the roll: the closed shape of a rolled face is the rolled closed shape', () => {
    const a = closedMouthShape(lopsidedLaugh(0));
    const b = closedMouthShape(lopsidedLaugh(16));
    const r = (16 * Math.PI) / 180;
    // syntheticFaceLandmarks rolls about its centre (256, 256).
    for (let i = 48; i < 68; i++) {
      const x = a[2 * i] - 256,
        y = a[2 * i + 1] - 256;
      const rx = 256 + x * Math.cos(r) - y * Math.sin(r),
        ry = 256 + x * Math.sin(r) + y * Math.cos(r);
      assert.ok(Math.hypot(rx - b[2 * i], ry - b[2 * i + 1]) < 0.05, `point ${i}`);
    }
  });
});

describe('MouthShaper', () => {
  test('closes a laughing photo towards the story and leaves closed photos alone', () => {
    const shaper = new MouthShaper();
    const child = lopsidedLaugh();
    const own = mouthOpenness(child);
    // Closed story: the closed shape; as open as the photo or more: the photo's own.
    const closed = closedMouthShape(child);
    assert.deepEqual(Array.from(shaper.childFor(child, 0)), Array.from(closed));
    assert.equal(shaper.childFor(child, own), child);
    // Half way: the mouth half way, opened to the story's by openMouthTo as the compositor does.
    const half = Float32Array.from(shaper.childFor(child, own / 2));
    for (let i = 96; i < 136; i++) assert.ok(Math.abs(half[i] - (closed[i] + child[i]) / 2) < 1e-3);
    openMouthTo(half, own / 2);
    assert.ok(Math.abs(mouthOpenness(half) - own / 2) < 1e-3);
    // A closed-lipped photo is its own shape at every opening, and opens as the story's.
    const lipsClosed = syntheticFaceLandmarks({ centerX: 256, centerY: 256, faceWidth: 360, mouthOpen: 0 });
    assert.equal(shaper.childFor(lipsClosed, 0), lipsClosed);
    assert.equal(shaper.openingFor(lipsClosed, 0.03), 0.03);
    assert.equal(shaper.openingFor(child, 0.03), 0);
  });

  test("the opening given to an open photo: shut under the net's noise on a drawn closed mouth, continuous, the story's when open", () => {
    assert.equal(openPhotoOpening(0), 0);
    assert.equal(openPhotoOpening(CLOSED_STORY_MOUTH), 0);
    assert.equal(openPhotoOpening(0.3), 0.3);
    let previous = 0;
    for (let o = 0; o <= 0.2; o += 0.001) {
      const v = openPhotoOpening(o);
      assert.ok(v >= previous - 1e-9 && Math.abs(v - previous) < 0.003, `at ${o.toFixed(3)}`);
      previous = v;
    }
  });
});
