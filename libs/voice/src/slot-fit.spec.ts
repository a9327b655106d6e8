import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fadeEdges, fitLength, planSlotFit, slotSamples, STRETCH_LIMITS } from './slot-fit';

describe('planSlotFit', () => {
  test('a 3.5 s reading in a 2.8 s slot is sped up by 1.25', () => {
    const fit = planSlotFit(3.5, 2.8);
    assert.equal(fit.kind, 'fit');
    assert.ok(fit.kind === 'fit' && Math.abs(fit.tempo - 1.25) < 1e-12);
  });

  test('a short reading is slowed down (tempo below 1)', () => {
    const fit = planSlotFit(2.0, 2.5);
    assert.ok(fit.kind === 'fit' && Math.abs(fit.tempo - 0.8) < 1e-12);
  });

  test('the limits themselves are accepted', () => {
    assert.equal(planSlotFit(2 * STRETCH_LIMITS.max, 2).kind, 'fit');
    assert.equal(planSlotFit(2 * STRETCH_LIMITS.min, 2).kind, 'fit');
  });

  test('beyond 1.4x asks to read faster, with the longest length that would fit', () => {
    const fit = planSlotFit(4.3, 3);
    assert.equal(fit.kind, 'read-faster');
    assert.ok(fit.kind === 'read-faster' && Math.abs(fit.longestSeconds - 4.2) < 1e-9 && fit.recordedSeconds === 4.3 && fit.slotSeconds === 3);
  });

  test('below 0.7x asks to read slower, with the shortest length that would fit', () => {
    const fit = planSlotFit(1.3, 2);
    assert.equal(fit.kind, 'read-slower');
    assert.ok(fit.kind === 'read-slower' && Math.abs(fit.shortestSeconds - 1.4) < 1e-9);
  });

  test('refuses empty lengths', () => {
    assert.throws(() => planSlotFit(0, 2), RangeError);
    assert.throws(() => planSlotFit(1, 0), RangeError);
  });
});

describe('fitLength and fadeEdges', () => {
  test('a 2.8 s slot at 48 kHz is 134400 samples; longer input is cut, shorter padded', () => {
    assert.equal(slotSamples(2.8, 48000), 134400);
    const long = fitLength(new Float32Array(10).fill(0.5), 6);
    assert.deepEqual([...long], [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]);
    const short = fitLength(new Float32Array(3).fill(0.5), 5);
    assert.deepEqual([...short], [0.5, 0.5, 0.5, 0, 0]);
  });

  test('fades start and end at zero and leave the middle alone', () => {
    const s = fadeEdges(new Float32Array(10).fill(1), 4);
    assert.deepEqual([...s], [0, 0.25, 0.5, 0.75, 1, 1, 0.75, 0.5, 0.25, 0]);
  });
});
