import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyAffine,
  applyAffineToPoint,
  composeAffine,
  decomposeSimilarity,
  fitAffine,
  fitSimilarity,
  identityAffine,
  invertAffine,
  similarityFromParts,
  triangleAffine,
} from './similarity';

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, msg?: string) {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${msg ?? ''}[${i}] ${actual[i]} vs ${expected[i]}`);
  }
}

describe('similarity', () => {
  const truth = { scale: 1.7, rotationRadians: 0.4, tx: 12, ty: -5 };
  const random = rng(7);
  const src = Float64Array.from({ length: 40 }, () => random() * 200 - 100);
  const dst = applyAffine(similarityFromParts(truth), src, new Float64Array(40));

  test('fitSimilarity recovers a known similarity exactly', () => {
    const m = fitSimilarity(src, dst);
    const p = decomposeSimilarity(m);
    assert.ok(Math.abs(p.scale - 1.7) < 1e-9);
    assert.ok(Math.abs(p.rotationRadians - 0.4) < 1e-9);
    assert.ok(Math.abs(p.tx - 12) < 1e-9 && Math.abs(p.ty + 5) < 1e-9);
    // x' = a x + b y + c with a = s cos, b = -s sin
    close(m, [1.7 * Math.cos(0.4), -1.7 * Math.sin(0.4), 12, 1.7 * Math.sin(0.4), 1.7 * Math.cos(0.4), -5], 1e-9);
  });

  test('zero-weight outliers are ignored and weights pull the fit', () => {
    const corrupted = Float64Array.from(dst);
    corrupted[0] += 500;
    corrupted[1] -= 300;
    const weights = Float64Array.from({ length: 20 }, (_, i) => (i === 0 ? 0 : 1));
    close(fitSimilarity(src, corrupted, weights), fitSimilarity(src, dst), 1e-9);
    const unweighted = decomposeSimilarity(fitSimilarity(src, corrupted));
    assert.ok(Math.abs(unweighted.tx - 12) > 1, 'the outlier moves an unweighted fit');
  });

  test('a mirrored target still gives a proper rotation (no reflection)', () => {
    const mirrored = Float64Array.from(src, (v, i) => (i % 2 === 0 ? -v : v));
    const m = fitSimilarity(src, mirrored);
    assert.ok(m[0] * m[4] - m[1] * m[3] >= 0);
  });

  test('least squares: the fitted residual is no larger than the true transform on noisy data', () => {
    const noisy = Float64Array.from(dst, (v) => v + (random() - 0.5) * 4);
    const residual = (m: Float64Array) => {
      const mapped = applyAffine(m, src, new Float64Array(40));
      return mapped.reduce((s, v, i) => s + (v - noisy[i]) ** 2, 0);
    };
    const fitted = fitSimilarity(src, noisy);
    assert.ok(residual(fitted) <= residual(similarityFromParts(truth)) + 1e-9);
    const p = decomposeSimilarity(fitted);
    assert.ok(Math.abs(p.scale - 1.7) < 0.02 && Math.abs(p.rotationRadians - 0.4) < 0.02);
  });

  test('throws when all source points coincide', () => {
    assert.throws(() => fitSimilarity([1, 1, 1, 1, 1, 1], [0, 0, 1, 0, 0, 1]), RangeError);
  });
});

describe('affine algebra', () => {
  const a = Float64Array.of(1.2, 0.3, 5, -0.2, 0.9, -7);
  const b = similarityFromParts({ scale: 0.5, rotationRadians: -1.1, tx: 3, ty: 4 });

  test('invert gives the identity when composed', () => {
    close(composeAffine(a, invertAffine(a)), identityAffine(), 1e-12);
    close(composeAffine(invertAffine(a), a), identityAffine(), 1e-12);
  });

  test('composeAffine(outer, inner) applies inner first', () => {
    const [x1, y1] = applyAffineToPoint(b, 10, -3);
    const [x2, y2] = applyAffineToPoint(a, x1, y1);
    close(applyAffineToPoint(composeAffine(a, b), 10, -3), [x2, y2], 1e-12);
    const other = applyAffineToPoint(composeAffine(b, a), 10, -3);
    assert.ok(Math.abs(other[0] - x2) > 1e-3, 'composition order matters');
  });

  test('fitAffine recovers a sheared affine from 3 points and from many', () => {
    const src = [0, 0, 10, 0, 0, 10];
    const dst = applyAffine(a, src, new Float64Array(6));
    close(fitAffine(src, dst), a, 1e-12);
    const random = rng(3);
    const many = Float64Array.from({ length: 60 }, () => random() * 50);
    close(fitAffine(many, applyAffine(a, many, new Float64Array(60))), a, 1e-9);
  });

  test('fitAffine refuses collinear points', () => {
    assert.throws(() => fitAffine([0, 0, 1, 1, 2, 2], [0, 0, 1, 0, 0, 1]), RangeError);
  });

  test('triangleAffine maps each vertex onto its partner', () => {
    const m = triangleAffine(1, 2, 8, 3, 4, 9, 10, 10, 30, 12, 15, 40);
    assert.ok(m);
    close(applyAffineToPoint(m, 1, 2), [10, 10], 1e-12);
    close(applyAffineToPoint(m, 8, 3), [30, 12], 1e-12);
    close(applyAffineToPoint(m, 4, 9), [15, 40], 1e-12);
    assert.equal(triangleAffine(0, 0, 1, 1, 2, 2, 0, 0, 1, 0, 0, 1), null);
  });

  test('decompose of a general affine reports the column RMS scale', () => {
    const p = decomposeSimilarity(Float64Array.of(2, 0, 0, 0, 2, 0));
    assert.equal(p.scale, 2);
    assert.equal(p.rotationRadians, 0);
  });
});
