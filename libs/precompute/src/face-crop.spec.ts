import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { boundingBoxOf, eyeLineAngle, holdsFace, orientedFaceInput, predictBox, predictOrientedBox, sameFaceScore, SSD_CALIBRATION } from './face-crop';

/** A face-like 68-point set: eyes at 36–41 / 42–47, the rest spread over a box. */
function face(cx: number, cy: number, size: number, angle: number): Float32Array {
  const lm = new Float32Array(136);
  for (let i = 0; i < 68; i++) {
    let u = ((i % 9) / 8 - 0.5) * size;
    let v = (Math.floor(i / 9) / 7 - 0.5) * size;
    if (i >= 36 && i < 42) {
      u = -0.2 * size + (i - 38.5) * 0.02 * size;
      v = -0.1 * size;
    }
    if (i >= 42 && i < 48) {
      u = 0.2 * size + (i - 44.5) * 0.02 * size;
      v = -0.1 * size;
    }
    lm[2 * i] = cx + u * Math.cos(angle) - v * Math.sin(angle);
    lm[2 * i + 1] = cy + u * Math.sin(angle) + v * Math.cos(angle);
  }
  return lm;
}

describe('oriented face crops', () => {
  test('the eye line gives the roll; an upright face predicts the same box as predictBox', () => {
    assert.ok(Math.abs(eyeLineAngle(face(100, 100, 80, 0.3)) - 0.3) < 1e-6);
    const lm = face(200, 150, 90, 0);
    const o = predictOrientedBox(lm, SSD_CALIBRATION, 0);
    const b = predictBox(lm, SSD_CALIBRATION);
    const ob = boundingBoxOf(o);
    for (const k of ['x', 'y', 'width', 'height'] as const) assert.ok(Math.abs(ob[k] - b[k]) < 1e-3, k);
  });

  test('a turned face gets the same box size in its own axes as the upright one', () => {
    const upright = predictOrientedBox(face(300, 200, 100, 0), SSD_CALIBRATION, 0);
    const turned = predictOrientedBox(face(300, 200, 100, 0.5), SSD_CALIBRATION, 0.5);
    assert.ok(Math.abs(turned.width - upright.width) < 1e-3 && Math.abs(turned.height - upright.height) < 1e-3);
    assert.ok(Math.hypot(turned.cx - 300, turned.cy - 200) <= Math.hypot(upright.cx - 300, upright.cy - 200) + 1e-3);
  });

  test('the input is sampled along the face axes, black outside the box and outside the frame, and maps back', () => {
    const width = 64,
      height = 48;
    const rgb = new Uint8Array(width * height * 3);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgb.set([x * 4, y * 4, 100], (y * width + x) * 3);
    const out = new Float32Array(16 * 16 * 3);
    // A box half outside the frame on the left, taller than wide (padded left and right).
    const map = orientedFaceInput(rgb, width, height, { cx: 4, cy: 24, width: 16, height: 32, angle: 0 }, 16, out);
    assert.equal(map.step, 2);
    const px = (i: number, j: number) => Array.from(out.subarray((j * 16 + i) * 3, (j * 16 + i) * 3 + 3));
    assert.deepEqual(px(0, 8), [0, 0, 0], 'padding beside the box');
    assert.deepEqual(px(5, 8), [0, 0, 0], 'outside the frame');
    const [x, y] = map.toFrame(10, 8);
    assert.deepEqual([x, y], [8, 24]);
    assert.deepEqual(px(10, 8).map(Math.round), [32, 96, 100]);
    // Turned a quarter: the input's x axis runs down the frame.
    const turned = orientedFaceInput(rgb, width, height, { cx: 32, cy: 24, width: 16, height: 16, angle: Math.PI / 2 }, 16, out);
    const [tx, ty] = turned.toFrame(12, 8);
    assert.ok(Math.abs(tx - 32) < 1e-9 && Math.abs(ty - 28) < 1e-9);
    assert.deepEqual(px(12, 8).map(Math.round), [128, 112, 100]);
  });
});

describe('holdsFace', () => {
  // The tale at 640x360, frame 303: the friend's track box and the tiny detector's box on that face.
  const friendTrack = { x: 469, y: 187, width: 39, height: 53 };
  const detectorBox = { x: 466, y: 203, width: 65, height: 61 };
  test("the detector's larger, lower box on a face another role follows is that role's face", () => {
    assert.ok(sameFaceScore(detectorBox, friendTrack) < 0.3);
    assert.ok(holdsFace(detectorBox, friendTrack));
  });
  test('a box beside the held face, or of a very different size around it, is not', () => {
    assert.ok(!holdsFace({ x: 520, y: 187, width: 40, height: 53 }, friendTrack));
    assert.ok(!holdsFace({ x: 380, y: 100, width: 250, height: 250 }, friendTrack));
  });
});
