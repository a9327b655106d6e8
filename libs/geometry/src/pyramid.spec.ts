import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFloatPlane, createPlane, Plane } from './plane';
import { laplacianBlend, LaplacianBlender } from './pyramid';

function textured(w: number, h: number, seed: number): Plane {
  const p = createPlane(w, h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      p.data[y * w + x] = Math.round(128 + 60 * Math.sin((x + seed) * 0.37) * Math.cos((y - seed) * 0.21));
    }
  return p;
}

describe('Laplacian blend', () => {
  const w = 61,
    h = 47; // odd sizes exercise the edge handling

  test('blending a plane with itself reproduces it exactly (perfect reconstruction)', () => {
    const a = textured(w, h, 3);
    const mask = createFloatPlane(w, h);
    for (let k = 0; k < mask.data.length; k++) mask.data[k] = (k % 7) / 6;
    for (const levels of [3, 4, 5]) assert.deepEqual(laplacianBlend(a, a, mask, { levels }).data, a.data);
  });

  test('mask 1 gives a, mask 0 gives b', () => {
    const a = textured(w, h, 1),
      b = textured(w, h, 17);
    assert.deepEqual(laplacianBlend(a, b, createFloatPlane(w, h, 1)).data, a.data);
    assert.deepEqual(laplacianBlend(a, b, createFloatPlane(w, h, 0)).data, b.data);
  });

  test('a step mask gives a wide, monotone low-frequency transition but keeps b where the mask is 0', () => {
    const a = createPlane(64, 16, 200),
      b = createPlane(64, 16, 40);
    const mask = createFloatPlane(64, 16);
    for (let y = 0; y < 16; y++) for (let x = 0; x < 32; x++) mask.data[y * 64 + x] = 1;
    const blend = (levels: number) => {
      const out = createPlane(64, 16);
      new LaplacianBlender().blend(a, b, mask, out, { levels, keepOutsideMask: false });
      return Array.from(out.data.subarray(8 * 64, 9 * 64));
    };
    const row = blend(4);
    assert.equal(row[0], 200);
    assert.equal(row[63], 40);
    for (let x = 0; x < 63; x++) assert.ok(row[x + 1] <= row[x], `not monotone at ${x}`);
    // Pixels beyond the mask edge pick up some of a (multi-band), unlike an alpha blend.
    assert.ok(row[33] > 41 && row[30] < 199, `transition ${row.slice(26, 38)}`);
    // More levels blend the low band over a wider zone.
    const width = (r: number[]) => r.filter((v) => v > 45 && v < 195).length;
    assert.ok(width(blend(3)) < width(row) && width(row) < width(blend(5)));
    const kept = new LaplacianBlender().blend(a, b, mask, createPlane(64, 16), { levels: 4 });
    assert.equal(kept.data[8 * 64 + 33], 40);
  });

  test('blends in place over a strided view (out === b)', () => {
    const a = createPlane(8, 8, 250);
    const frame = createPlane(20, 10, 10);
    const view: Plane = { data: frame.data.subarray(2 * 20 + 3), width: 8, height: 8, stride: 20 };
    new LaplacianBlender().blend(a, view, createFloatPlane(8, 8, 1), view, { levels: 3 });
    assert.equal(frame.data[2 * 20 + 3], 250);
    assert.equal(frame.data[9 * 20 + 10], 250);
    assert.equal(frame.data[2 * 20 + 2], 10);
    assert.equal(frame.data[2 * 20 + 11], 10);
  });
});
