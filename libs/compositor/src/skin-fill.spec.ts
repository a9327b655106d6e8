import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFloatPlane } from '@talecast/geometry';
import { fillWithSkin } from './skin-fill';

describe('fillWithSkin', () => {
  // 128 px: the left half skin with a fine grain (a deterministic ±12 luma noise), the right half dark hair.
  const size = 128;
  const rgba = new Uint8Array(size * size * 4);
  const skin = createFloatPlane(size, size);
  let seed = 7;
  const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 24;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const k = y * size + x;
      if (x < size / 2) {
        const d = noise();
        rgba.set([200 + d, 150 + d, 120 + d, 255], 4 * k);
        skin.data[k] = 1;
      } else rgba.set([40, 30, 20, 255], 4 * k);
    }
  /** The standard deviation of the red channel minus its 3×3 mean over the right half's inside (the fill's fine detail). */
  const fineSpread = (out: Uint8Array) => {
    const v: number[] = [];
    for (let y = 8; y < size - 8; y++)
      for (let x = size / 2 + 8; x < size - 8; x++) {
        let m = 0;
        for (let j = -1; j <= 1; j++) for (let i = -1; i <= 1; i++) m += out[4 * ((y + j) * size + x + i)];
        v.push(out[4 * (y * size + x)] - m / 9);
      }
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  };

  test("the filled pixels get the child's own skin grain with `detail`, a smooth colour without; skin stays as it was", () => {
    const plain = fillWithSkin(rgba, size, skin, skin);
    const grained = fillWithSkin(rgba, size, skin, skin, 1);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size / 2; x++) {
        const k = 4 * (y * size + x);
        assert.deepEqual(Array.from(grained.subarray(k, k + 3)), Array.from(rgba.subarray(k, k + 3)), `skin pixel ${x},${y} changed`);
      }
    const smooth = fineSpread(plain),
      grain = fineSpread(grained);
    assert.ok(smooth < 1, `the plain fill's fine detail ${smooth.toFixed(2)}`);
    // The source's fine detail (noise of σ ≈ 6.9 less its 3×3 mean) is about 6.5; the grain holds most of it.
    assert.ok(grain > 4 && grain < 9, `the grained fill's fine detail ${grain.toFixed(2)}`);
    // Its mean colour is the fill's: grain, not a shift.
    let a = 0,
      b = 0;
    for (let y = 0; y < size; y++)
      for (let x = size / 2; x < size; x++) {
        a += plain[4 * (y * size + x)];
        b += grained[4 * (y * size + x)];
      }
    assert.ok(Math.abs(a - b) / ((size * size) / 2) < 1.5);
  });
});
