import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalLandmarks } from '@talecast/face';
import { FACE_MAX_SCALE_STEP, FACE_MAX_STEP, largestShift, midLandmarks, plausibleScale, plausibleStep, RecentFrames, regionBefore } from './look-back';
import { predictOrientedBox, SSD_CALIBRATION, eyeLineAngle } from './face-crop';

/** The canonical face scaled to `size` px, its landmarks' mean at (x, y). */
function face(x: number, y: number, size = 100): Float32Array {
  const lm = canonicalLandmarks(size);
  let mx = 0,
    my = 0;
  for (let p = 0; p < lm.length; p += 2) {
    mx += lm[p] / 68;
    my += lm[p + 1] / 68;
  }
  for (let p = 0; p < lm.length; p += 2) {
    lm[p] += x - mx;
    lm[p + 1] += y - my;
  }
  return lm;
}

describe('recent frames: copies of the last frames by index', () => {
  test('keeps copies, drops the oldest once full, forgets everything at a cut', () => {
    const kept = new RecentFrames(2, 4);
    const buffer = new Uint8Array([1, 2, 3, 4]);
    kept.keep(10, buffer);
    buffer.fill(9); // the reader refills its buffer: the kept copy must not change
    kept.keep(11, buffer);
    assert.deepEqual(Array.from(kept.get(10)!), [1, 2, 3, 4]);
    kept.keep(12, buffer);
    assert.equal(kept.get(10), undefined, 'the oldest made room');
    assert.deepEqual(Array.from(kept.get(12)!), [9, 9, 9, 9]);
    kept.clear();
    assert.equal(kept.get(11), undefined);
    assert.equal(kept.get(12), undefined);
  });

  test('a capacity of 0 keeps nothing', () => {
    const kept = new RecentFrames(0, 4);
    kept.keep(1, new Uint8Array(4));
    assert.equal(kept.get(1), undefined);
  });
});

describe('looking back: where the face was one frame earlier', () => {
  test('with one known frame, the crop the landmarks predict', () => {
    const lm = face(300, 200);
    assert.deepEqual(regionBefore(lm, null), predictOrientedBox(lm, SSD_CALIBRATION, eyeLineAngle(lm)));
  });

  test('a face walking right 35 px a frame is looked for 35 px to the left', () => {
    const newerStill = face(335, 200),
      newer = face(300, 200);
    const region = regionBefore(newer, newerStill);
    const still = predictOrientedBox(newer, SSD_CALIBRATION, eyeLineAngle(newer));
    assert.ok(Math.abs(region.cx - (still.cx - 35)) < 1e-3 && Math.abs(region.cy - still.cy) < 1e-3, JSON.stringify({ region, still }));
    assert.equal(region.width, still.width);
  });

  test('the same face a step away and a little smaller is accepted; a jump, another size or a far face is not', () => {
    const newer = face(300, 200, 100);
    assert.ok(plausibleStep(newer, face(270, 205, 95)));
    // The face box of the canonical landmarks is smaller than `size`: measure the step in its own size.
    const box = (lm: Float32Array) => {
      const xs = Array.from(lm).filter((_, p) => p % 2 === 0),
        ys = Array.from(lm).filter((_, p) => p % 2 === 1);
      return Math.sqrt((Math.max(...xs) - Math.min(...xs)) * (Math.max(...ys) - Math.min(...ys)));
    };
    const size = box(newer);
    assert.ok(!plausibleStep(newer, face(300 + (FACE_MAX_STEP + 0.05) * size, 200, 100)), 'a jump of more than the step');
    assert.ok(plausibleStep(newer, face(300 + (FACE_MAX_STEP - 0.05) * size, 200, 100)), 'a step just under it');
    assert.ok(!plausibleStep(newer, face(300, 200, 100 * (FACE_MAX_SCALE_STEP + 0.1))), 'much larger');
    assert.ok(!plausibleStep(newer, face(300, 200, 100 / (FACE_MAX_SCALE_STEP + 0.1))), 'much smaller');
  });

  test('after a fast move found again by the detector only the size is checked: a network answer on part of a turning head is not taken', () => {
    const followed = face(300, 200, 100);
    assert.ok(plausibleScale(followed, face(420, 180, 104)), 'far off but the same size: the detector found it there');
    // Tale frame 161 (1280x720): the network's points on a head turning to profile collapsed from 109x102 px to 44x41 px.
    assert.ok(!plausibleScale(followed, face(330, 170, 40)), 'a face shrunk to two fifths in a frame');
    assert.ok(!plausibleScale(followed, face(300, 200, 100 * (FACE_MAX_SCALE_STEP + 0.1))), 'much larger');
  });
});

describe('a frame between two answers (landmark runs on every other frame of a steady track)', () => {
  test('largestShift is the farthest any one point moved', () => {
    const a = face(300, 200);
    const b = Float32Array.from(a);
    assert.equal(largestShift(a, b), 0);
    for (let p = 0; p < b.length; p += 2) b[p] += 2; // the whole face 2 px right
    b[2 * 57 + 1] += 6; // and the lower lip 6 px down
    assert.ok(Math.abs(largestShift(a, b) - Math.hypot(2, 6)) < 1e-4);
    assert.ok(Math.abs(largestShift(b, a) - Math.hypot(2, 6)) < 1e-4);
  });

  test('midLandmarks puts every point halfway', () => {
    const a = face(300, 200);
    const b = face(310, 190, 110);
    const mid = midLandmarks(a, b);
    assert.equal(mid.length, 136);
    for (let p = 0; p < 136; p++) assert.ok(Math.abs(mid[p] - (a[p] + b[p]) / 2) < 1e-3);
    assert.ok(Math.abs(largestShift(a, mid) - largestShift(a, b) / 2) < 1e-3);
  });
});
