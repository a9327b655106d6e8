import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFloatPlane } from './plane';
import {
  bilinearFootprints,
  clampMask,
  featherMask,
  fillPolygon,
  FOOTPRINT_MIXED,
  FOOTPRINT_ONE,
  FOOTPRINT_ZERO,
  invertMask,
  maskMass,
  minMasks,
  PolygonRasterizer,
} from './mask';

const square = (x0: number, y0: number, x1: number, y1: number) => [x0, y0, x1, y0, x1, y1, x0, y1];

function assertUnitRange(data: Float32Array) {
  for (const v of data) assert.ok(v >= 0 && v <= 1, `value ${v} outside [0, 1]`);
}

describe('polygon fill', () => {
  test('a filled square has its exact area, with and without antialiasing', () => {
    const m = createFloatPlane(50, 50);
    fillPolygon(m, square(10, 10, 30, 30));
    assert.equal(maskMass(m), 400);
    assert.equal(m.data[10 * 50 + 10], 1);
    assert.equal(m.data[9 * 50 + 10], 0);
    const hard = createFloatPlane(50, 50);
    fillPolygon(hard, square(10, 10, 30, 30), { antialias: false });
    assert.deepEqual(hard.data, m.data);
  });

  test('antialiased coverage measures fractional areas; hard fill counts pixel centres', () => {
    const aa = createFloatPlane(50, 50);
    fillPolygon(aa, square(10.25, 10.25, 30.75, 30.75));
    assert.ok(Math.abs(maskMass(aa) - 20.5 * 20.5) < 1e-3, `${maskMass(aa)}`);
    assert.ok(Math.abs(aa.data[10 * 50 + 10] - 0.75 * 0.75) < 1e-6, 'corner pixel covers 0.75 x 0.75');
    const hard = createFloatPlane(50, 50);
    fillPolygon(hard, square(10.25, 10.25, 30.75, 30.75), { antialias: false });
    assert.equal(maskMass(hard), 21 * 21); // centres 10.5 .. 30.5
  });

  test('a rotated triangle gets its analytic area within 0.5%', () => {
    const m = createFloatPlane(100, 100);
    const tri = [12.3, 20.7, 88.1, 9.4, 47.5, 91.2];
    fillPolygon(m, tri);
    const area = Math.abs((tri[2] - tri[0]) * (tri[5] - tri[1]) - (tri[4] - tri[0]) * (tri[3] - tri[1])) / 2;
    assert.ok(Math.abs(maskMass(m) - area) < 0.005 * area, `${maskMass(m)} vs ${area}`);
    assertUnitRange(m.data);
  });

  test('overlaps, self-intersections and repeated fills stay within [0, 1]', () => {
    const m = createFloatPlane(60, 60);
    const star = [30, 2, 42, 58, 2, 22, 58, 22, 18, 58];
    fillPolygon(m, star);
    fillPolygon(m, star);
    fillPolygon(m, square(5.5, 5.5, 40.2, 40.7));
    assertUnitRange(m.data);
    assert.equal(m.data[30 * 60 + 30], 1);
  });

  test('origin offsets place frame-space polygons in a bbox-sized plane', () => {
    const m = createFloatPlane(20, 20);
    fillPolygon(m, square(105, 205, 110, 215), { originX: 100, originY: 200 });
    assert.equal(maskMass(m), 50);
    assert.equal(m.data[5 * 20 + 5], 1);
    assert.equal(m.data[4 * 20 + 5], 0);
  });

  test("'cut' removes a polygon from a mask, scaled by value", () => {
    const m = createFloatPlane(40, 40, 1);
    const r = new PolygonRasterizer();
    r.fill(m, square(10, 10, 20, 20), { combine: 'cut' });
    assert.equal(maskMass(m), 1600 - 100);
    r.fill(m, square(25, 25, 35, 35), { combine: 'cut', value: 0.5 });
    assert.ok(Math.abs(maskMass(m) - (1600 - 100 - 50)) < 1e-3);
    assert.equal(m.data[15 * 40 + 15], 0);
  });

  test('polygons partly outside the plane are clipped', () => {
    const m = createFloatPlane(10, 10);
    fillPolygon(m, square(-5, -5, 5, 5));
    assert.equal(maskMass(m), 25);
  });
});

describe('feathering and combining', () => {
  test('feathering conserves mass, keeps [0, 1] and softens the edge symmetrically', () => {
    const m = createFloatPlane(100, 100);
    fillPolygon(m, square(30, 30, 70, 70));
    featherMask(m, 4);
    assert.ok(Math.abs(maskMass(m) - 1600) < 0.05, `${maskMass(m)}`);
    assertUnitRange(m.data);
    assert.ok(m.data[50 * 100 + 50] > 0.999, 'centre stays solid');
    // Along the middle row, the edge at x = 30 becomes a ramp through 0.5 between pixels 29 and 30.
    const row = Array.from(m.data.subarray(50 * 100, 51 * 100));
    assert.ok(Math.abs(row[29] + row[30] - 1) < 1e-4);
    for (let x = 18; x < 40; x++) assert.ok(row[x + 1] >= row[x] - 1e-7, `not monotone at ${x}`);
    assert.ok(row[17] < 1e-6 && row[18] > 1e-6, 'support is 3 x radius');
  });

  test('bilinear footprints classify each 2x2 block exactly', () => {
    const m = createFloatPlane(4, 3);
    m.data.set([0, 0, 1, 1, 0, 0, 1, 1, 0, 0.5, 1, 1]);
    assert.deepEqual(Array.from(bilinearFootprints(m)), [
      FOOTPRINT_ZERO,
      FOOTPRINT_MIXED,
      FOOTPRINT_ONE,
      FOOTPRINT_ONE,
      FOOTPRINT_MIXED,
      FOOTPRINT_MIXED,
      FOOTPRINT_ONE,
      FOOTPRINT_ONE,
      FOOTPRINT_MIXED,
      FOOTPRINT_MIXED,
      FOOTPRINT_ONE,
      FOOTPRINT_ONE,
    ]);
  });

  test('min-combine, invert and clamp', () => {
    const a = createFloatPlane(2, 1);
    a.data.set([0.2, 0.9]);
    const b = createFloatPlane(2, 1);
    b.data.set([0.5, 0.4]);
    assert.deepEqual(Array.from(minMasks(a, b, createFloatPlane(2, 1)).data), [Math.fround(0.2), Math.fround(0.4)]);
    invertMask(b);
    assert.ok(Math.abs(b.data[0] - 0.5) < 1e-7 && Math.abs(b.data[1] - 0.6) < 1e-7);
    const c = createFloatPlane(3, 1);
    c.data.set([-1, 2, Number.NaN]);
    assert.deepEqual(Array.from(clampMask(c).data), [0, 1, 0]);
  });
});
