import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFloatPlane, createPlane, Plane } from './plane';
import { bilinearFootprints, featherMask, fillPolygon } from './mask';
import { applyAffine, applyAffineToPoint, similarityFromParts } from './similarity';
import { delaunayTriangulate } from './delaunay';
import { convexHull, gatherPoints, pointInPolygon } from './polygon';
import { triangleHitCounts, warpFloatPlane, warpPlane, warpRegionFor, warpTriangles } from './warp';

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 64x64 plane holding f(x, y) = 2x + y at pixel (x, y): linear, so bilinear sampling is exact. */
function rampPlane(): Plane {
  const p = createPlane(64, 64);
  for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) p.data[y * 64 + x] = 2 * x + y;
  return p;
}

describe('piecewise-affine warp', () => {
  test('a pure translation copies pixels exactly to where they move', () => {
    const src = createPlane(40, 40);
    for (let k = 0; k < src.data.length; k++) src.data[k] = (k * 37) % 251;
    const srcPts = [0, 0, 40, 0, 40, 40, 0, 40];
    const dstPts = srcPts.map((v, i) => v + (i % 2 === 0 ? 7 : 3));
    const tris = [0, 1, 2, 0, 2, 3];
    const region = warpRegionFor(dstPts, 100, 100);
    assert.deepEqual(region, { x: 7, y: 3, width: 40, height: 40 });
    const { plane, coverage } = warpPlane(src, srcPts, dstPts, tris, region);
    for (let y = 0; y < 40; y++) {
      for (let x = 0; x < 40; x++) {
        assert.equal(plane.data[y * 40 + x], src.data[y * 40 + x], `pixel ${x},${y}`);
        assert.equal(coverage.data[y * 40 + x], 1);
      }
    }
  });

  test('every covered pixel samples the source where the inverse affine sends its centre', () => {
    // dst -> src is one similarity for all triangles, so each triangle's affine must equal it.
    const toSrc = similarityFromParts({ scale: 0.45, rotationRadians: Math.PI / 6, tx: 30, ty: 5 });
    const dstPts = Float64Array.of(20, 20, 100, 25, 95, 90, 25, 95, 60, 55);
    const srcPts = applyAffine(toSrc, dstPts, new Float64Array(10));
    const tris = delaunayTriangulate(dstPts);
    const region = warpRegionFor(dstPts, 128, 128);
    const { plane, coverage } = warpPlane(rampPlane(), srcPts, dstPts, tris, region);
    let checked = 0;
    for (let j = 0; j < region.height; j++) {
      for (let i = 0; i < region.width; i++) {
        if (coverage.data[j * region.width + i] === 0) {
          assert.equal(plane.data[j * region.width + i], 0);
          continue;
        }
        const [sx, sy] = applyAffineToPoint(toSrc, region.x + i + 0.5, region.y + j + 0.5);
        const expected = 2 * (sx - 0.5) + (sy - 0.5);
        assert.ok(
          Math.abs(plane.data[j * region.width + i] - expected) <= 0.5 + 1e-4,
          `(${i},${j}) got ${plane.data[j * region.width + i]} expected ${expected.toFixed(2)}`,
        );
        checked++;
      }
    }
    assert.ok(checked > 4000, `only ${checked} pixels covered`);
  });

  test('top-left fill rule: a random mesh hits every interior pixel exactly once', () => {
    const random = rng(11);
    const pts = [10, 10, 150, 10, 150, 120, 10, 120];
    for (let k = 0; k < 60; k++) pts.push(10 + random() * 140, 10 + random() * 110);
    // Snap some points to pixel centres and edges to exercise exact ties.
    for (let k = 8; k < 40; k++) pts[k] = Math.round(pts[k] * 2) / 2;
    const tris = delaunayTriangulate(pts);
    const region = { x: 0, y: 0, width: 160, height: 130 };
    const hits = triangleHitCounts(pts, tris, region);
    const hull = gatherPoints(pts, convexHull(pts));
    let inside = 0;
    for (let j = 0; j < 130; j++) {
      for (let i = 0; i < 160; i++) {
        const h = hits[j * 160 + i];
        assert.ok(h <= 1, `pixel ${i},${j} hit ${h} times`);
        const cx = i + 0.5,
          cy = j + 0.5;
        if (cx > 10 && cx < 150 && cy > 10 && cy < 120) assert.equal(h, 1, `gap at ${i},${j}`);
        else if (!pointInPolygon(hull, cx, cy)) assert.equal(h, 0);
        inside += h;
      }
    }
    // The hull is the 140 x 110 rectangle whose edges pass between pixel centres.
    assert.equal(inside, 140 * 110);
  });

  test('a diagonal through pixel centres is split exactly between its two triangles', () => {
    const pts = [0.5, 0.5, 20.5, 0.5, 20.5, 20.5, 0.5, 20.5];
    const region = { x: 0, y: 0, width: 22, height: 22 };
    const upper = triangleHitCounts(pts, [0, 1, 2], region);
    const lower = triangleHitCounts(pts, [0, 2, 3], region);
    for (let k = 0; k < upper.length; k++) assert.ok(upper[k] + lower[k] <= 1);
    // Centres on the top and left edges count, on the bottom and right ones do not: 20 x 20.
    assert.equal(upper.reduce((s, v) => s + v, 0) + lower.reduce((s, v) => s + v, 0), 400);
  });

  test('scale 0.5 (4:2:0 chroma) equals warping with halved points', () => {
    const src = rampPlane();
    const srcPts = [4, 4, 60, 8, 56, 60, 6, 50];
    const dstPts = [20, 30, 120, 24, 126, 110, 30, 116];
    const tris = [0, 1, 2, 0, 2, 3];
    const region = warpRegionFor(dstPts, 64, 64, 0.5);
    const a = warpPlane(src, srcPts, dstPts, tris, region, 0.5);
    const b = warpPlane(
      src,
      srcPts.map((v) => v / 2),
      dstPts.map((v) => v / 2),
      tris,
      region,
      1,
    );
    assert.deepEqual(a.plane.data, b.plane.data);
    assert.deepEqual(a.coverage.data, b.coverage.data);
    assert.deepEqual(region, { x: 10, y: 12, width: 53, height: 46 });
  });

  test('float planes (masks) use the same map, and regions are clipped to the plane', () => {
    const mask = createFloatPlane(64, 64);
    for (let y = 0; y < 64; y++) for (let x = 0; x < 64; x++) mask.data[y * 64 + x] = x / 63;
    const srcPts = [0, 0, 64, 0, 64, 64, 0, 64];
    const dstPts = [-32, 10, 32, 10, 32, 74, -32, 74]; // half off the left edge of a 50x50 plane
    const region = warpRegionFor(dstPts, 50, 50);
    assert.deepEqual(region, { x: 0, y: 10, width: 32, height: 40 });
    const { plane, coverage } = warpFloatPlane(mask, srcPts, dstPts, [0, 1, 2, 0, 2, 3], region);
    for (let j = 0; j < region.height; j++) {
      for (let i = 0; i < region.width; i++) {
        assert.equal(coverage.data[j * 32 + i], 1);
        // Destination x maps to source x + 32, the mask ramp there is (x + 32) / 63 (samples stay
        // 1/1024 px inside the last column, hence the tolerance).
        assert.ok(Math.abs(plane.data[j * 32 + i] - (i + 32) / 63) < 1e-4);
      }
    }
  });

  test('one pass warps two planes and a mask like separate passes, and clears stale output', () => {
    const u = rampPlane();
    const v = createPlane(64, 64);
    for (let k = 0; k < v.data.length; k++) v.data[k] = 255 - u.data[k];
    const mask = createFloatPlane(64, 64, 0.25);
    const srcPts = [2, 3, 60, 5, 30, 61];
    const dstPts = [10, 10, 50, 12, 20, 45];
    const region = warpRegionFor(dstPts, 64, 64);
    const outU = createPlane(region.width, region.height, 77);
    const outV = createPlane(region.width, region.height, 77);
    const outM = createFloatPlane(region.width, region.height, 9);
    const count = warpTriangles(srcPts, dstPts, [0, 1, 2], region, {
      a: { src: u, out: outU },
      b: { src: v, out: outV },
      mask: { src: mask, out: outM },
    });
    const alone = warpPlane(u, srcPts, dstPts, [0, 1, 2], region);
    assert.deepEqual(outU.data, alone.plane.data);
    assert.equal(
      count,
      alone.coverage.data.reduce((s, c) => s + c, 0),
    );
    for (let k = 0; k < outV.data.length; k++) {
      const covered = alone.coverage.data[k] === 1;
      assert.equal(outM.data[k], covered ? 0.25 : 0);
      if (covered) assert.ok(Math.abs(outV.data[k] - (255 - outU.data[k])) <= 1);
      else assert.equal(outV.data[k], 0);
    }
  });

  test('mask footprints change nothing but the cost', () => {
    const mask = fillPolygon(createFloatPlane(64, 64), [8, 8, 56, 10, 50, 58, 12, 50]);
    featherMask(mask, 3);
    const footprints = bilinearFootprints(mask);
    assert.ok(footprints.includes(0) && footprints.includes(1) && footprints.includes(2));
    const srcPts = [0, 0, 64, 0, 64, 64, 0, 64];
    const dstPts = [5, 3, 90, 10, 80, 95, 2, 70];
    const tris = [0, 1, 2, 0, 2, 3];
    const region = warpRegionFor(dstPts, 100, 100);
    const plain = createFloatPlane(region.width, region.height);
    const fast = createFloatPlane(region.width, region.height);
    warpTriangles(srcPts, dstPts, tris, region, { mask: { src: mask, out: plain } });
    warpTriangles(srcPts, dstPts, tris, region, { mask: { src: mask, out: fast, footprints } });
    assert.deepEqual(fast.data, plain.data);
    const y = createPlane(region.width, region.height);
    warpTriangles(srcPts, dstPts, tris, region, { a: { src: rampPlane(), out: y }, mask: { src: mask, out: fast, footprints } });
    assert.deepEqual(fast.data, plain.data);
  });

  test('a triangle whose pixel centres satisfy x + y < 10 covers 45 pixels', () => {
    const region = { x: 0, y: 0, width: 10, height: 10 };
    // Centres (i + .5, j + .5) strictly left of the hypotenuse x + y = 10: i + j <= 8.
    const { coverage } = warpPlane(rampPlane(), [0, 0, 10, 0, 0, 10], [0, 0, 10, 0, 0, 10], [0, 1, 2], region);
    assert.equal(
      coverage.data.reduce((s, c) => s + c, 0),
      45,
    );
    assert.equal(coverage.data[8], 1);
    assert.equal(coverage.data[9], 0);
  });
});
