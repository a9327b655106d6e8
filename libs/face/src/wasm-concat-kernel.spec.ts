import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { concatRows } from './wasm-concat-kernel';

describe('concatRows', () => {
  test('three one-channel planes side by side along the channel axis (face-api input normalisation)', () => {
    const r = Float32Array.of(1, 2, 3),
      g = Float32Array.of(4, 5, 6),
      b = Float32Array.of(7, 8, 9);
    const out = new Float32Array(9);
    concatRows([r, g, b], [1, 1, 1], 3, out);
    assert.deepEqual([...out], [1, 4, 7, 2, 5, 8, 3, 6, 9]);
  });

  test('rows of different lengths, short ones copied by value and long ones by set', () => {
    // Two outer rows; input a has rows of 2 values, input b rows of 70 values.
    const a = Int32Array.from({ length: 4 }, (_, k) => -1 - k);
    const b = Int32Array.from({ length: 140 }, (_, k) => k);
    const out = new Int32Array(144);
    concatRows([a, b], [2, 70], 2, out);
    assert.deepEqual([...out.subarray(0, 2)], [-1, -2]);
    assert.deepEqual([...out.subarray(2, 72)], [...b.subarray(0, 70)]);
    assert.deepEqual([...out.subarray(72, 74)], [-3, -4]);
    assert.deepEqual([...out.subarray(74, 144)], [...b.subarray(70, 140)]);
  });

  test('along the first axis the inputs follow each other', () => {
    const out = new Uint8Array(5);
    concatRows([Uint8Array.of(1, 2), Uint8Array.of(3, 4, 5)], [2, 3], 1, out);
    assert.deepEqual([...out], [1, 2, 3, 4, 5]);
  });
});
