import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPlane, eyeFrame, IRIS_RADIUS, setEyelids, syntheticFaceLandmarks } from '@talecast/geometry';
import { EYE_TRACK_DIMS, eyeTrack, irisVisibility, measureGaze } from './eye-measure';

describe('eyeTrack', () => {
  test('openness is 1 when open for this character, and a 3-frame blink stays below half on its frames', () => {
    const n = 40,
      open = syntheticFaceLandmarks({ centerX: 200, centerY: 200, faceWidth: 180 });
    const lm = new Float32Array(n * 136);
    const blink = [20, 21, 22];
    for (let i = 0; i < n; i++) lm.set(blink.includes(i) ? setEyelids(open, [0.1, 0.1], new Float32Array(136)) : open, i * 136);
    const track = eyeTrack(lm, null, new Uint8Array(n).fill(1), new Set());
    for (let i = 0; i < n; i++) {
      const o = track[i * EYE_TRACK_DIMS];
      if (blink.includes(i)) assert.ok(o < 0.5, `frame ${i}: ${o}`);
      else if (Math.abs(i - 21) > 3) assert.ok(o > 0.95, `frame ${i}: ${o}`);
    }
  });

  test('gaze: unknown frames hold their neighbours, and a run never crosses a cut', () => {
    const n = 10,
      lm = new Float32Array(n * 136),
      gaze = new Float32Array(n * 4).fill(NaN);
    for (let i = 0; i < n; i++) lm.set(syntheticFaceLandmarks({ centerX: 100, centerY: 100, faceWidth: 90 }), i * 136);
    gaze[1 * 4] = 0.2;
    gaze[8 * 4] = -0.2;
    const track = eyeTrack(lm, gaze, new Uint8Array(n).fill(1), new Set([5]));
    assert.ok(Math.abs(track[0 * EYE_TRACK_DIMS + 2] - 0.2) < 1e-5 && Math.abs(track[4 * EYE_TRACK_DIMS + 2] - 0.2) < 1e-5);
    assert.ok(Math.abs(track[5 * EYE_TRACK_DIMS + 2] + 0.2) < 1e-5 && Math.abs(track[9 * EYE_TRACK_DIMS + 2] + 0.2) < 1e-5);
  });
});

describe('measureGaze', () => {
  test('reads a drawn iris looking right, and NaN for a closed eye', () => {
    const lm = syntheticFaceLandmarks({ centerX: 320, centerY: 240, faceWidth: 300 });
    const luma = createPlane(640, 480, 220);
    for (const eye of [0, 1] as const) {
      const f = eyeFrame(lm, eye),
        cx = f.cx + 0.2 * f.width,
        r = IRIS_RADIUS * f.width;
      for (let y = 0; y < 480; y++) for (let x = 0; x < 640; x++) if (Math.hypot(x + 0.5 - cx, y + 0.5 - f.cy) < r) luma.data[y * 640 + x] = 30;
    }
    const g = measureGaze(luma, lm, new Float32Array(4));
    assert.ok(Math.abs(g[0] - 0.2) < 0.04 && Math.abs(g[2] - 0.2) < 0.04, `${g}`);
    const closed = measureGaze(luma, setEyelids(lm, [0, 0], new Float32Array(136)), new Float32Array(4));
    assert.ok(Number.isNaN(closed[0]) && Number.isNaN(closed[2]));
  });
});

describe('iris visibility', () => {
  test('an eye whose lid landmarks stay open but whose iris is gone counts as closing', () => {
    const n = 40,
      open = syntheticFaceLandmarks({ centerX: 200, centerY: 200, faceWidth: 180 });
    const lm = new Float32Array(n * 136),
      contrast = new Float32Array(n * 2).fill(120);
    for (let i = 0; i < n; i++) lm.set(open, i * 136);
    for (const i of [20, 21, 22]) contrast[i * 2] = contrast[i * 2 + 1] = 10;
    const track = eyeTrack(lm, null, new Uint8Array(n).fill(1), new Set(), contrast);
    for (const i of [20, 21, 22]) assert.ok(track[i * EYE_TRACK_DIMS] < 0.5, `frame ${i}: ${track[i * EYE_TRACK_DIMS]}`);
    assert.ok(track[5 * EYE_TRACK_DIMS] > 0.95 && track[35 * EYE_TRACK_DIMS + 1] > 0.95);
  });

  test('reads a drawn iris as visible and a closed eye (lash line only) as not', () => {
    const lm = syntheticFaceLandmarks({ centerX: 320, centerY: 240, faceWidth: 300 });
    const openEye = createPlane(640, 480, 200),
      shut = createPlane(640, 480, 200);
    for (const eye of [0, 1] as const) {
      const f = eyeFrame(lm, eye),
        r = IRIS_RADIUS * f.width;
      for (let y = 0; y < 480; y++)
        for (let x = 0; x < 640; x++) {
          if (Math.hypot(x + 0.5 - f.cx, y + 0.5 - f.cy) < r) openEye.data[y * 640 + x] = 40;
          if (Math.abs(y + 0.5 - f.cy) < 1.5 && Math.abs(x + 0.5 - f.cx) < f.width / 2) shut.data[y * 640 + x] = 30;
        }
    }
    const a = irisVisibility(openEye, lm, new Float32Array(2)),
      b = irisVisibility(shut, lm, new Float32Array(2));
    for (const e of [0, 1]) assert.ok(a[e] > 100 && b[e] < 0.35 * a[e], `eye ${e}: open ${a[e]}, shut ${b[e]}`);
  });
});
