import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lipLineDarkness, lipLineProfile, lumaAt, normalisedLipProfile, readLipLine } from './lip-line';
import { RgbFrame } from './insertion-metrics';

/** Landmarks of a face whose eye centres are `iod` apart, turned by `angle` (radians), mouth centre at (cx, cy): eyes, mouth corners, inner lips. */
function face(cx: number, cy: number, iod: number, angle: number): Float32Array {
  const lm = new Float32Array(136);
  const ux = Math.cos(angle),
    uy = Math.sin(angle);
  const put = (k: number, across: number, down: number) => {
    lm[2 * k] = cx + across * ux - down * uy;
    lm[2 * k + 1] = cy + across * uy + down * ux;
  };
  // Eyes: six points each around centres ±iod/2 across, 1.1 iod up; outer corners 36 and 45.
  for (let k = 0; k < 6; k++) {
    const a = (k / 6) * 2 * Math.PI;
    put(36 + k, -iod / 2 + 0.15 * iod * Math.cos(a + Math.PI), -1.1 * iod + 0.05 * iod * Math.sin(a));
    put(42 + k, iod / 2 + 0.15 * iod * Math.cos(a), -1.1 * iod + 0.05 * iod * Math.sin(a));
  }
  put(48, -0.45 * iod, 0);
  put(54, 0.45 * iod, 0);
  for (let k = 60; k < 68; k++) put(k, ((k % 4) - 1.5) * 0.1 * iod, 0);
  return lm;
}

/**
 * A grey frame: skin 180, lips 120 within 0.18 eye distances of the lip line, the gap `gap` eye distances high at 30
 * (its centre `shift` eye distances down from the landmarks' lip line), all times `gain`; supersampled 4x4.
 */
function mouthFrame(lm: Float32Array, iod: number, angle: number, gap: number, opts: { gain?: number; shift?: number; w?: number; h?: number } = {}): RgbFrame {
  const { gain = 1, shift = 0, w = 200, h = 200 } = opts;
  let cx = 0,
    cy = 0;
  for (let k = 60; k < 68; k++) {
    cx += lm[2 * k] / 8;
    cy += lm[2 * k + 1] / 8;
  }
  const ux = Math.cos(angle),
    uy = Math.sin(angle);
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      let sum = 0;
      for (let sy = 0; sy < 4; sy++)
        for (let sx = 0; sx < 4; sx++) {
          const px = x + (sx + 0.5) / 4 - cx,
            py = y + (sy + 0.5) / 4 - cy;
          const down = -px * uy + py * ux - shift * iod;
          sum += Math.abs(down) < gap * iod * 0.5 ? 30 : Math.abs(down) < 0.18 * iod ? 120 : 180;
        }
      data.fill(Math.round((gain * sum) / 16), 3 * (y * w + x), 3 * (y * w + x) + 3);
    }
  return { data, width: w, height: h };
}

describe('lip line darkness', () => {
  const iod = 60;
  test('reads the gap as its height in eye distances times its darkness under the lips', () => {
    const lm = face(100, 100, iod, 0);
    for (const gap of [0.02, 0.05, 0.1]) {
      const d = readLipLine(mouthFrame(lm, iod, 0, gap), lm);
      const expected = (gap * (120 - 30)) / 120;
      assert.ok(Math.abs(d - expected) < 0.006, `gap ${gap}: ${d} vs ${expected}`);
    }
  });
  test('grows with the opening (0 → 0.02 of the eye distance shows) and holds still on a still mouth', () => {
    const lm = face(100, 100, iod, 0.2);
    const read = [0, 0.01, 0.02, 0.04].map((g) => readLipLine(mouthFrame(lm, iod, 0.2, g), lm));
    for (let k = 1; k < read.length; k++) assert.ok(read[k] > read[k - 1] + 0.005, `${read}`);
    assert.ok(Math.abs(read[0]) < 1e-3, `${read[0]}`);
  });
  test('the light’s gain and a shift of the mouth inside the window do not change it; turning the face does not either', () => {
    const lm = face(100, 100, iod, 0);
    const base = readLipLine(mouthFrame(lm, iod, 0, 0.05), lm);
    assert.ok(Math.abs(readLipLine(mouthFrame(lm, iod, 0, 0.05, { gain: 0.6 }), lm) - base) < 0.002);
    assert.ok(Math.abs(readLipLine(mouthFrame(lm, iod, 0, 0.05, { shift: 0.04 }), lm) - base) < 0.002);
    const turned = face(100, 100, iod, 0.5);
    assert.ok(Math.abs(readLipLine(mouthFrame(turned, iod, 0.5, 0.05), turned) - base) < 0.004);
  });
  test('the judged profile: the rows about the lip line, the lips at 1, the gap at its darkness under them, the same under another light', () => {
    const lm = face(100, 100, iod, 0.3);
    const p = normalisedLipProfile(mouthFrame(lm, iod, 0.3, 0.1), lm)!;
    // ±0.1 eye distances at 0.0125 a row: the middle 17 of the 41 rows (the skin, 1.5, is outside them).
    assert.equal(p.length, 17);
    assert.ok(Math.abs(p[8] - 30 / 120) < 0.02, `${p[8]}`);
    assert.ok(Math.abs(p[0] - 1) < 0.01 && Math.abs(p[16] - 1) < 0.01, `${p[0]} ${p[16]}`);
    const dim = normalisedLipProfile(mouthFrame(lm, iod, 0.3, 0.1, { gain: 0.5 }), lm)!;
    assert.ok(p.every((v, k) => Math.abs(v - dim[k]) < 0.02));
  });
  test('a window leaving the frame or degenerate landmarks read NaN', () => {
    const lm = face(10, 100, iod, 0);
    assert.ok(Number.isNaN(readLipLine(mouthFrame(lm, iod, 0, 0.05), lm)));
    assert.equal(lipLineProfile(mouthFrame(lm, iod, 0, 0.05), new Float32Array(136)), null);
  });
  test('darkness of a profile and bilinear luma', () => {
    // Level (median) 100: two rows at 50 → area 0.1 (the step) × (50 + 50) / 100.
    assert.equal(lipLineDarkness([100, 100, 50, 50, 100, 120, 100, 130, 100], 0.1), 0.1);
    assert.ok(Number.isNaN(lipLineDarkness([], 0.1)));
    const rgb: RgbFrame = { data: new Uint8Array([0, 0, 0, 100, 100, 100, 0, 0, 0, 100, 100, 100]), width: 2, height: 2 };
    assert.ok(Math.abs(lumaAt(rgb, 1, 1) - 50) < 1e-9);
    assert.ok(Math.abs(lumaAt(rgb, 0.5, 0.5)) < 1e-9);
    assert.ok(Number.isNaN(lumaAt(rgb, 0.2, 1)));
  });
});
