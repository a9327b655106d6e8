import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyLut,
  applyTransfer,
  labToRgba,
  labToSrgb,
  maskedStats,
  reinhardTransfer,
  rgbaToLab,
  rgbaToYuv420,
  rgbToYuv,
  srgbToLab,
  transferLut,
  yuv420MaskedStats,
  yuv420ToRgba,
  yuvCoefficients,
  yuvToRgb,
} from './colour';
import { createFloatPlane, createPlane } from './plane';

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const near = (a: number, b: number, tol: number, msg = '') => assert.ok(Math.abs(a - b) <= tol, `${msg} ${a} vs ${b}`);

describe('sRGB <-> Lab', () => {
  test('reference colours', () => {
    const white = srgbToLab(255, 255, 255);
    near(white[0], 100, 1e-9);
    near(white[1], 0, 1e-9);
    near(white[2], 0, 1e-9);
    const black = srgbToLab(0, 0, 0);
    near(black[0], 0, 1e-9);
    // sRGB red (D65): L* 53.24, a* 80.09, b* 67.20 (published values).
    const red = srgbToLab(255, 0, 0);
    near(red[0], 53.24, 0.02, 'L');
    near(red[1], 80.09, 0.03, 'a');
    near(red[2], 67.2, 0.03, 'b');
    // Mid grey 119 has L* close to 50.
    near(srgbToLab(119, 119, 119)[0], 50, 0.1, 'grey');
  });

  test('round trip error is far below 1/255 over a grid of 8-bit colours', () => {
    let worst = 0;
    const back = new Float64Array(3);
    for (let r = 0; r < 256; r += 5)
      for (let g = 0; g < 256; g += 3)
        for (let b = 0; b < 256; b += 7) {
          const lab = srgbToLab(r, g, b);
          labToSrgb(lab[0], lab[1], lab[2], back);
          worst = Math.max(worst, Math.abs(back[0] - r), Math.abs(back[1] - g), Math.abs(back[2] - b));
        }
    assert.ok(worst / 255 < 1 / 255 / 1000, `worst ${worst}`);
  });

  test('bulk conversion matches the scalar one and round-trips bytes exactly', () => {
    const random = rng(5);
    const rgba = Uint8Array.from({ length: 4 * 500 }, () => Math.floor(random() * 256));
    const lab = rgbaToLab(rgba);
    for (let p = 0; p < 500; p++) {
      const s = srgbToLab(rgba[4 * p], rgba[4 * p + 1], rgba[4 * p + 2]);
      for (let c = 0; c < 3; c++) near(lab[3 * p + c], s[c], 1e-3);
    }
    const back = labToRgba(lab);
    for (let p = 0; p < 500; p++) for (let c = 0; c < 3; c++) assert.equal(back[4 * p + c], rgba[4 * p + c]);
  });
});

describe("RGB <-> Y'CbCr", () => {
  test('BT.601 and BT.709 reference codes in both ranges', () => {
    const y601tv = yuvCoefficients('bt601', 'tv');
    const y709tv = yuvCoefficients('bt709', 'tv');
    const y709pc = yuvCoefficients('bt709', 'pc');
    assert.deepEqual(Array.from(rgbToYuv(255, 255, 255, y601tv)).map(Math.round), [235, 128, 128]);
    assert.deepEqual(Array.from(rgbToYuv(0, 0, 0, y601tv)).map(Math.round), [16, 128, 128]);
    assert.deepEqual(Array.from(rgbToYuv(255, 255, 255, y709pc)).map(Math.round), [255, 128, 128]);
    // Red: BT.601 limited (82, 90, 240); BT.709 limited (63, 102, 240); BT.709 full (54, 99, 256→clamped later).
    assert.deepEqual(Array.from(rgbToYuv(255, 0, 0, y601tv)).map(Math.round), [81, 90, 240]);
    assert.deepEqual(Array.from(rgbToYuv(255, 0, 0, y709tv)).map(Math.round), [63, 102, 240]);
    near(rgbToYuv(255, 0, 0, y709pc)[0], 54.213, 1e-3);
  });

  test('yuvToRgb inverts rgbToYuv', () => {
    const random = rng(9);
    for (const matrix of ['bt601', 'bt709'] as const)
      for (const range of ['tv', 'pc'] as const) {
        const k = yuvCoefficients(matrix, range);
        for (let n = 0; n < 200; n++) {
          const rgb = [random() * 255, random() * 255, random() * 255];
          const yuv = rgbToYuv(rgb[0], rgb[1], rgb[2], k);
          const back = yuvToRgb(yuv[0], yuv[1], yuv[2], k);
          for (let c = 0; c < 3; c++) near(back[c], rgb[c], 1e-9);
        }
      }
  });

  test('4:2:0 conversion averages chroma over 2x2 blocks and handles odd sizes', () => {
    // 3x3 image: the top-left 2x2 block is red, green, blue, white.
    const w = 3,
      h = 3;
    const rgba = new Uint8Array(w * h * 4).fill(128);
    const put = (x: number, y: number, r: number, g: number, b: number) => rgba.set([r, g, b, 255], 4 * (y * w + x));
    put(0, 0, 255, 0, 0);
    put(1, 0, 0, 255, 0);
    put(0, 1, 0, 0, 255);
    put(1, 1, 255, 255, 255);
    const frame = rgbaToYuv420(rgba, w, h, 'bt709', 'pc');
    assert.equal(frame.u.width, 2);
    assert.equal(frame.u.height, 2);
    const k = yuvCoefficients('bt709', 'pc');
    const mean = rgbToYuv((255 + 0 + 0 + 255) / 4, (0 + 255 + 0 + 255) / 4, (0 + 0 + 255 + 255) / 4, k);
    assert.equal(frame.u.data[0], Math.round(mean[1]));
    assert.equal(frame.v.data[0], Math.round(mean[2]));
    assert.equal(frame.y.data[0], Math.round(rgbToYuv(255, 0, 0, k)[0]));
    assert.equal(frame.u.data[3], 128); // the clipped corner block is grey
    const rgbaBack = yuv420ToRgba(frame, 'bt709', 'pc');
    assert.deepEqual(Array.from(rgbaBack.subarray(4 * 8, 4 * 9)), [128, 128, 128, 255]);
  });
});

describe('statistics and Reinhard transfer', () => {
  test('masked stats are weighted means and standard deviations', () => {
    const s = maskedStats([10, 100, 20, 200, 30, 300, 99, 99], 2, [1, 1, 1, 0]);
    near(s.mean[0], 20, 1e-12);
    near(s.mean[1], 200, 1e-12);
    near(s.std[0], Math.sqrt(200 / 3), 1e-9);
    near(s.std[1], Math.sqrt(20000 / 3), 1e-9);
    assert.equal(s.weight, 3);
    const soft = maskedStats([0, 10], 1, [0.25, 0.75]);
    near(soft.mean[0], 7.5, 1e-12);
  });

  test('transferred pixels hit the target mean and std', () => {
    const random = rng(21);
    const n = 4000;
    const lab = new Float32Array(n * 3);
    for (let p = 0; p < n; p++) {
      lab[3 * p] = 60 + (random() - 0.5) * 20;
      lab[3 * p + 1] = 12 + (random() - 0.5) * 8;
      lab[3 * p + 2] = 18 + (random() - 0.5) * 10;
    }
    const source = maskedStats(lab, 3);
    const target = { mean: [45, 20, 10], std: [4, 3, 6], weight: 1 };
    const t = reinhardTransfer(source, target);
    const after = maskedStats(applyTransfer(lab, 3, t), 3);
    for (let c = 0; c < 3; c++) {
      near(after.mean[c], target.mean[c], 1e-3, `mean ${c}`);
      near(after.std[c], target.std[c], 1e-3, `std ${c}`);
    }
  });

  test('a flat source is moved to the target mean with a clamped gain; strength 0 is identity', () => {
    const t = reinhardTransfer({ mean: [100, 128, 128], std: [0, 0, 0], weight: 1 }, { mean: [80, 120, 140], std: [10, 3, 3], weight: 1 });
    assert.deepEqual(t.gain, [3, 3, 3]);
    near(t.gain[0] * 100 + t.offset[0], 80, 1e-9);
    const none = reinhardTransfer({ mean: [1, 2, 3], std: [1, 1, 1], weight: 1 }, { mean: [9, 9, 9], std: [2, 2, 2], weight: 1 }, { strength: 0 });
    assert.deepEqual(none, { gain: [1, 1, 1], offset: [0, 0, 0] });
  });

  test('YUV 4:2:0 masked stats and the 8-bit LUT', () => {
    const y = createPlane(4, 4, 100);
    y.data.fill(200, 0, 8); // top half 200
    const u = createPlane(2, 2, 120);
    u.data[0] = 140;
    const v = createPlane(2, 2, 130);
    const mask = createFloatPlane(4, 4, 0);
    mask.data.fill(1, 0, 8); // top half only
    const s = yuv420MaskedStats({ y, u, v }, mask);
    near(s.mean[0], 200, 1e-12);
    near(s.std[0], 0, 1e-12);
    near(s.mean[1], 130, 1e-12);
    near(s.std[1], 10, 1e-12); // chroma blocks (0,0)=140 and (1,0)=120
    near(s.mean[2], 130, 1e-12);
    const lut = transferLut(0.5, 20, 16, 235);
    assert.equal(lut[0], 20);
    assert.equal(lut[100], 70);
    assert.equal(lut[255], 148);
    assert.equal(transferLut(2, 0, 16, 235)[200], 235);
    const p = createPlane(2, 1);
    p.data.set([0, 100]);
    assert.deepEqual(Array.from(applyLut(p, lut).data), [20, 70]);
  });
});
