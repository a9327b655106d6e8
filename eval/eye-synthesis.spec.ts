import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lidReading } from './eye-synthesis';

const W = 40,
  H = 30;

/** 68 points with both eyes' rings (8 px wide) about (12, 15) and (28, 15); the rest at the frame's centre. */
function landmarks(): Float32Array {
  const p = new Float32Array(136).fill(20);
  for (const [first, cx] of [
    [36, 12],
    [42, 28],
  ]) {
    for (let k = 0; k < 6; k++) {
      const a = (2 * Math.PI * k) / 6 + Math.PI;
      p[2 * (first + k)] = cx + 4 * Math.cos(a);
      p[2 * (first + k) + 1] = 15 + 2 * Math.sin(a);
    }
  }
  return p;
}

/** Skin (150) with, per eye, an open eye (white with a dark iris) or a shut one (a dark lash line). */
function plane(open: boolean): Uint8Array {
  const y = new Uint8Array(W * H).fill(150);
  for (const cx of [12, 28])
    for (let dy = -2; dy <= 2; dy++)
      for (let dx = -4; dx <= 4; dx++) {
        const k = (15 + dy) * W + cx + dx;
        if (open) y[k] = Math.abs(dx) <= 1 ? 30 : 230;
        else if (dy === 1) y[k] = 40;
      }
  return y;
}

describe('lidReading: an output eye between the same frame rendered open and shut', () => {
  const lm = landmarks();
  const open = plane(true),
    shut = plane(false);
  test('reads 1 on the open render, 0 on the shut one, the mix share on a mix', () => {
    for (const e of [0, 1] as const) {
      assert.ok(Math.abs(lidReading(open, open, shut, W, H, lm, e) - 1) < 1e-9);
      assert.ok(Math.abs(lidReading(shut, open, shut, W, H, lm, e)) < 1e-9);
      const mix = open.map((v, k) => Math.round(0.3 * v + 0.7 * shut[k]));
      assert.ok(Math.abs(lidReading(mix, open, shut, W, H, lm, e) - 0.3) < 0.01);
    }
  });
  test('a brighter frame (the face lit otherwise) does not read as a lid', () => {
    const lit = open.map((v) => Math.min(255, v + 12));
    assert.ok(Math.abs(lidReading(lit, open, shut, W, H, lm, 0) - 1) < 0.05);
  });
  test('one eye shut, the other open, each read apart', () => {
    const wink = Uint8Array.from(open, (v, k) => (k % W < 20 ? shut[k] : v));
    assert.ok(lidReading(wink, open, shut, W, H, lm, 0) < 0.05);
    assert.ok(lidReading(wink, open, shut, W, H, lm, 1) > 0.95);
  });
  test('where the two renders do not differ there is nothing to read', () => {
    assert.ok(Number.isNaN(lidReading(open, open, open, W, H, lm, 0)));
  });
});
