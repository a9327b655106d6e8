import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { secondDifference, smoothTracks } from './landmark-smoother';

describe('smoothTracks', () => {
  test('keeps steady motion exactly (no lag, even at the ends of a track)', () => {
    const n = 40;
    const v = Float32Array.from({ length: n }, (_, i) => 10 + 2.5 * i);
    const out = smoothTracks(v, 1, new Uint8Array(n).fill(1), new Set(), 2);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(out[i] - v[i]) < 1e-3, `frame ${i}: ${out[i]} vs ${v[i]}`);
  });

  test('removes jitter: second difference drops by far more than 2x', () => {
    const n = 200;
    let seed = 7;
    const noise = () => ((seed = (seed * 16807) % 2147483647) / 2147483647 - 0.5) * 2;
    const v = Float32Array.from({ length: n }, (_, i) => 100 + 30 * Math.sin(i / 25) + noise());
    const present = new Uint8Array(n).fill(1);
    const out = smoothTracks(v, 1, present, new Set(), 2);
    const before = secondDifference(v, 1, present, new Set());
    const after = secondDifference(out, 1, present, new Set());
    assert.ok(before / after > 4, `jitter ${before} → ${after}`);
  });

  test('never blends across a cut or a gap', () => {
    const n = 20;
    const v = Float32Array.from({ length: n }, (_, i) => (i < 10 ? 0 : 100));
    const out = smoothTracks(v, 1, new Uint8Array(n).fill(1), new Set([10]), 3);
    assert.equal(out[9], 0);
    assert.equal(out[10], 100);
    const gap = new Uint8Array(n).fill(1);
    gap[10] = 0;
    const out2 = smoothTracks(
      Float32Array.from({ length: n }, (_, i) => (i < 10 ? 0 : 50)),
      1,
      gap,
      new Set(),
      3,
    );
    assert.equal(out2[9], 0);
    assert.equal(out2[11], 50);
  });
});
