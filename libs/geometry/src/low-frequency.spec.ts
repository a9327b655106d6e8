import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFloatPlane } from './plane';
import { LowFrequencyGrid, pushPullFill, sampleSeparable } from './low-frequency';

describe('LowFrequencyGrid', () => {
  test('recovers a smooth ramp from weighted samples, ignoring weightless ones, and fills empty cells from neighbours', () => {
    const grid = new LowFrequencyGrid().reset(0, 0, 100, 100, 10, 10);
    for (let y = 0; y < 100; y++)
      for (let x = 0; x < 100; x++) {
        // A hole without weight (a drawn eye, say) and a dark outlier with no weight.
        const hole = x >= 30 && x < 50 && y >= 30 && y < 50;
        grid.add(x + 0.5, y + 0.5, hole ? 0 : 100 + x, hole ? 0 : 1);
      }
    assert.ok(grid.solve(1));
    assert.ok(Math.abs(grid.mean - 149.5) < 1.5, `mean ${grid.mean}`);
    // The [1 2 1] blur of a linear ramp is the ramp: cell centres far from the hole are exact-ish.
    for (const x of [15, 55, 85]) assert.ok(Math.abs(grid.sample(x, 75) - (100 + x)) < 1.5, `at ${x}: ${grid.sample(x, 75)}`);
    // Inside the hole the value comes from around it, within the ramp's range there.
    const v = grid.sample(40, 40);
    assert.ok(v > 125 && v < 155, `hole ${v}`);
    assert.ok(grid.variance > 100, `variance ${grid.variance}`);
  });

  test('samples back bilinearly between cell centres and clamps at the outer ones', () => {
    const grid = new LowFrequencyGrid().reset(10, 20, 40, 20, 2, 1);
    for (let x = 10; x < 30; x++) grid.add(x + 0.5, 25, 0, 1);
    for (let x = 30; x < 50; x++) grid.add(x + 0.5, 25, 100, 1);
    assert.ok(grid.solve(0));
    assert.equal(grid.sample(20, 30), 0);
    assert.equal(grid.sample(30, 30), 50);
    assert.equal(grid.sample(40, 30), 100);
    assert.equal(grid.sample(0, 0), 0);
    assert.equal(grid.sample(99, 99), 100);
    const plane = grid.sampleInto(createFloatPlane(4, 1), 28, 30);
    [42.5, 47.5, 52.5, 57.5].forEach((v, k) => assert.ok(Math.abs(plane.data[k] - v) < 1e-4, `${k}: ${plane.data[k]} vs ${v}`));
    // The same as sampling each pixel on its own, on a 2-D grid too.
    const g2 = new LowFrequencyGrid().reset(0, 0, 30, 30, 3, 3);
    for (let y = 0; y < 30; y++) for (let x = 0; x < 30; x++) g2.add(x + 0.5, y + 0.5, x * y, 1);
    g2.solve(1);
    const p2 = g2.sampleInto(createFloatPlane(30, 30), 0, 0);
    for (let y = 0; y < 30; y++) for (let x = 0; x < 30; x++) assert.ok(Math.abs(p2.data[y * 30 + x] - g2.sample(x + 0.5, y + 0.5)) < 1e-3);
    // The separable field read at single pixels (as the compositor's span does), off the grid's
    // origin and past its edges; and a grid one cell wide.
    const f = g2.separable(-4, 7, 40, 20);
    for (const [x, y] of [
      [0, 0],
      [3, 19],
      [17, 5],
      [39, 12],
    ])
      assert.ok(Math.abs(sampleSeparable(f, y * f.stride, x) - g2.sample(-4 + x + 0.5, 7 + y + 0.5)) < 1e-3, `${x},${y}`);
    const g3 = new LowFrequencyGrid().reset(0, 0, 10, 30, 1, 3);
    for (let y = 0; y < 30; y++) g3.add(5, y + 0.5, y, 1);
    g3.solve(0);
    const f3 = g3.separable(0, 0, 10, 30);
    for (const y of [0, 15, 29]) assert.ok(Math.abs(sampleSeparable(f3, y * f3.stride, 9) - g3.sample(9.5, y + 0.5)) < 1e-3, `one column, row ${y}`);
  });

  test('reports no solution without weight', () => {
    const grid = new LowFrequencyGrid().reset(0, 0, 10, 10, 3, 3);
    grid.add(5, 5, 7, 0);
    assert.equal(grid.solve(), false);
  });
});

describe('pushPullFill', () => {
  test('keeps known values exactly and fills a hole smoothly within the range of its border', () => {
    const w = 64,
      h = 48;
    const values = new Float32Array(w * h * 2);
    const weights = new Float32Array(w * h);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const k = y * w + x;
        const known = !(y < 20 || (x > 40 && y < 30));
        weights[k] = known ? 1 : 0;
        values[2 * k] = known ? 50 + x : 999;
        values[2 * k + 1] = known ? 200 : -999;
      }
    const out = pushPullFill(values, weights, w, h, 2);
    let maxStep = 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const k = y * w + x;
        if (weights[k] === 1) {
          assert.equal(out[2 * k], values[2 * k]);
          continue;
        }
        assert.ok(out[2 * k] >= 50 && out[2 * k] <= 50 + w, `filled ${out[2 * k]} at ${x},${y}`);
        assert.ok(Math.abs(out[2 * k + 1] - 200) < 1e-3, 'a constant stays constant');
        if (x > 0 && weights[k - 1] === 0) maxStep = Math.max(maxStep, Math.abs(out[2 * k] - out[2 * k - 2]));
      }
    assert.ok(maxStep < 4, `the fill is smooth (largest step ${maxStep})`);
  });

  test('blends partly known pixels by their weight', () => {
    // Half its own 0, half the coarser mean (10 · 3 + 0 · 0.5) / 3.5.
    const out = pushPullFill(Float32Array.of(10, 0, 10, 10), Float32Array.of(1, 0.5, 1, 1), 2, 2, 1);
    assert.ok(Math.abs(out[1] - 0.5 * (30 / 3.5)) < 1e-4, `${out[1]}`);
    assert.throws(() => pushPullFill(new Float32Array(3), new Float32Array(4), 2, 2, 1), RangeError);
  });
});
