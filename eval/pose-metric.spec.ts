import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { interOcularDistance } from '@talecast/geometry';
import { landmarkCentre } from './insertion-metrics';
import { intendedPlacement, placedPose, POSE_POINTS, poseDifference } from './pose-metric';

/** A face-like 68-point set: an oval outline, two eye rings, a nose line, a mouth ring. */
function face(eyeSpacing = 1): Float32Array {
  const p = new Float32Array(136);
  const set = (i: number, x: number, y: number) => {
    p[2 * i] = x;
    p[2 * i + 1] = y;
  };
  for (let i = 0; i < 17; i++) set(i, 100 * Math.cos(Math.PI * (1 - i / 16)), 120 * Math.sin(Math.PI * (i / 16)) + 10);
  for (let i = 17; i < 27; i++) set(i, -70 + 14 * (i - 17) + (i >= 22 ? 14 : 0), -50);
  for (let i = 27; i < 36; i++) set(i, i < 31 ? 0 : -16 + 8 * (i - 31), i < 31 ? -30 + 12 * (i - 27) : 22);
  for (let k = 0; k < 6; k++) {
    const a = (2 * Math.PI * k) / 6;
    set(36 + k, -40 * eyeSpacing + 14 * Math.cos(a), -30 + 6 * Math.sin(a));
    set(42 + k, 40 * eyeSpacing + 14 * Math.cos(a), -30 + 6 * Math.sin(a));
  }
  for (let k = 0; k < 20; k++) {
    const a = (2 * Math.PI * k) / 20;
    set(48 + k, 30 * Math.cos(a), 55 + (k < 12 ? 10 : 4) * Math.sin(a));
  }
  // About its own centre, so turning and growing it leave the centre where it is.
  const [cx, cy] = landmarkCentre(p);
  return p.map((v, i) => v - (i % 2 ? cy : cx));
}

function moved(lm: Float32Array, dx: number, dy: number, scale: number, degrees: number): Float32Array {
  const c = Math.cos((degrees * Math.PI) / 180),
    s = Math.sin((degrees * Math.PI) / 180);
  const out = new Float32Array(lm.length);
  for (let i = 0; i < lm.length; i += 2) {
    out[i] = scale * (c * lm[i] - s * lm[i + 1]) + dx;
    out[i + 1] = scale * (s * lm[i] + c * lm[i + 1]) + dy;
  }
  return out;
}

describe('poseDifference', () => {
  const reference = moved(face(), 320, 200, 1, 0);
  test('the same face moved, grown and turned reads back its shift, size and roll', () => {
    const d = poseDifference(moved(face(), 320 + 6, 200 - 8, 1.2, 10), reference);
    assert.ok(Math.abs(d.centre - 10 / interOcularDistance(reference)) < 1e-4, `${d.centre}`);
    assert.ok(Math.abs(d.scale - 0.2) < 1e-4, `${d.scale}`);
    assert.ok(Math.abs(d.rollDegrees - 10) < 1e-3, `${d.rollDegrees}`);
  });
  test('the child’s narrower eye spacing in the same pose is not read as a shift or a turn', () => {
    const d = poseDifference(moved(face(0.8), 320, 200, 1, 0), reference);
    assert.ok(d.centre < 1e-4, `${d.centre}`);
    assert.ok(Math.abs(d.rollDegrees) < 1e-3, `${d.rollDegrees}`);
    assert.ok(Math.abs(d.scale) < 0.05, `${d.scale}`);
  });
  test('a face turned the other way reads a negative roll', () => {
    assert.ok(poseDifference(moved(face(), 320, 200, 1, -15), reference).rollDegrees < -14.9);
  });
});

/** The same face with its jaw points read `share` of the eye distance higher (as the net reads a child's jaw inside a drawn head). */
function jawReadHigher(lm: Float32Array, share: number): Float32Array {
  const out = Float32Array.from(lm);
  for (let i = 0; i < 17; i++) out[2 * i + 1] -= share * interOcularDistance(lm);
  return out;
}

describe('placedPose: the pose on the brows, eyes and nose against where the compositor puts the child', () => {
  const frame = moved(face(), 320, 200, 1, 0);
  const child = moved(face(0.8), 256, 256, 2.5, 3);
  const intended = intendedPlacement(child, frame, true);
  test('the intended placement has the frame’s pose centre on those points and keeps the frame’s jaw', () => {
    assert.ok(poseDifference(intended, frame, POSE_POINTS).centre < 1e-4);
    for (let i = 0; i < 17; i++) assert.equal(intended[2 * i], frame[2 * i]);
  });
  test('a perfect placement whose jaw the net reads higher scores nothing; all 68 points read it as a shift', () => {
    const output = jawReadHigher(intended, 0.3);
    assert.ok(placedPose(output, child, frame, true).centre < 1e-4);
    assert.ok(poseDifference(output, frame).centre > 0.05, `${poseDifference(output, frame).centre}`);
  });
  test('the intended face moved by 10 % of the eye distance, grown 10 % or turned 4° reads that back', () => {
    const iod = interOcularDistance(frame);
    const shifted = intended.map((v, i) => (i % 2 ? v + 0.1 * iod : v));
    assert.ok(Math.abs(placedPose(shifted, child, frame, true).centre - 0.1) < 1e-3);
    const [cx, cy] = [320, 200];
    const grown = intended.map((v, i) => (i % 2 ? cy + 1.1 * (v - cy) : cx + 1.1 * (v - cx)));
    assert.ok(Math.abs(placedPose(grown, child, frame, true).scale - 0.1) < 1e-3);
    const turned = moved(
      intended.map((v, i) => v - (i % 2 ? cy : cx)),
      cx,
      cy,
      1,
      4,
    );
    assert.ok(Math.abs(placedPose(turned, child, frame, true).rollDegrees - 4) < 1e-2);
  });
});
