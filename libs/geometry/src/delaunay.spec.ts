import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { delaunayTriangulate, inCircle } from './delaunay';
import { convexHull, gatherPoints, orient2d, polygonArea } from './polygon';

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function triangleAreas(points: ArrayLike<number>, tris: Uint32Array): number[] {
  const areas: number[] = [];
  for (let t = 0; t < tris.length; t += 3) {
    const [a, b, c] = [tris[t], tris[t + 1], tris[t + 2]];
    areas.push(orient2d(points[2 * a], points[2 * a + 1], points[2 * b], points[2 * b + 1], points[2 * c], points[2 * c + 1]) / 2);
  }
  return areas;
}

describe('delaunayTriangulate', () => {
  const random = rng(42);
  const n = 150;
  const points = Float64Array.from({ length: 2 * n }, () => random() * 400);
  const tris = delaunayTriangulate(points);

  test('covers the convex hull exactly: triangle areas sum to the hull area', () => {
    const hull = convexHull(points);
    const hullArea = polygonArea(gatherPoints(points, hull, new Float32Array(hull.length * 2)));
    const sum = triangleAreas(points, tris).reduce((s, a) => s + a, 0);
    assert.ok(Math.abs(sum - hullArea) < 1e-6 * hullArea, `${sum} vs ${hullArea}`);
    // Euler: a triangulation of n points with h on the hull has 2n - h - 2 triangles.
    assert.equal(tris.length / 3, 2 * n - hull.length - 2);
  });

  test('has no degenerate or inverted triangles and uses every point', () => {
    for (const area of triangleAreas(points, tris)) assert.ok(area > 1e-9, `area ${area}`);
    assert.equal(new Set(tris).size, n);
  });

  test('every circumcircle is empty', () => {
    for (let t = 0; t < tris.length; t += 3) {
      const [a, b, c] = [tris[t], tris[t + 1], tris[t + 2]];
      for (let p = 0; p < n; p++) {
        if (p === a || p === b || p === c) continue;
        const d = inCircle(
          points[2 * a],
          points[2 * a + 1],
          points[2 * b],
          points[2 * b + 1],
          points[2 * c],
          points[2 * c + 1],
          points[2 * p],
          points[2 * p + 1],
        );
        assert.ok(d <= 1e-6, `point ${p} inside circumcircle of ${a},${b},${c} (${d})`);
      }
    }
  });

  test('a regular grid (collinear and cocircular points) triangulates cleanly', () => {
    const grid: number[] = [];
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) grid.push(x * 10, y * 10);
    const t = delaunayTriangulate(grid);
    const areas = triangleAreas(grid, t);
    assert.equal(areas.length, 32);
    for (const a of areas) assert.ok(Math.abs(a - 50) < 1e-9, `grid triangle area ${a}`);
  });

  test('skips exact duplicates and returns nothing for too few points', () => {
    const t = delaunayTriangulate([0, 0, 10, 0, 0, 10, 10, 0]);
    assert.equal(t.length, 3);
    assert.ok(!Array.from(t).includes(3));
    assert.equal(delaunayTriangulate([0, 0, 1, 1]).length, 0);
    assert.equal(delaunayTriangulate([0, 0, 1, 1, 2, 2]).length, 0);
  });
});
