// Micro-benchmark of the per-frame piecewise-affine warp (not a test; timings vary by machine).
// Run: node scripts/build.mjs && node dist/libs/geometry/bench/warp.bench.js
// Must never be imported by library code.
import {
  bilinearFootprints,
  createFloatPlane,
  createPlane,
  createWarpScratch,
  FACE_OUTLINE,
  faceMeshPoints,
  faceMeshTriangles,
  featherMask,
  fillPolygon,
  gatherPoints,
  syntheticFaceLandmarks,
  warpRegionFor,
  warpTriangles,
} from '@talecast/geometry';

const S = 512;
const texture = createPlane(S, S);
for (let k = 0; k < texture.data.length; k++) texture.data[k] = (k * 31) & 255;
const chroma = createPlane(S / 2, S / 2, 128);
const canonical = faceMeshPoints(syntheticFaceLandmarks({ centerX: 256, centerY: 270, faceWidth: 300 }));
// A realistic soft face mask: the outline, feathered (as prepareFace builds it, roughly).
const mask = fillPolygon(createFloatPlane(S, S), gatherPoints(canonical, FACE_OUTLINE));
featherMask(mask, 6);
const footprints = bilinearFootprints(mask);
const triangles = faceMeshTriangles(canonical);
// A destination region of about 200 x 200 pixels (172 x 233): the mesh is taller than wide.
const dst = faceMeshPoints(syntheticFaceLandmarks({ centerX: 640, centerY: 360, faceWidth: 157, rollDegrees: 8, yawDegrees: 10 }));
const region = warpRegionFor(dst, 1280, 720);
const chromaRegion = warpRegionFor(dst, 640, 360, 0.5);

/** Many short runs: on a shared machine the fastest run is the best estimate of the cost. */
function measure(label: string, iterations: number, fn: () => void): void {
  for (let i = 0; i < 300; i++) fn();
  const runs: number[] = [];
  for (let r = 0; r < 40; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) fn();
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6 / iterations);
  }
  runs.sort((a, b) => a - b);
  console.log(`${label.padEnd(44)} best ${runs[0].toFixed(3)} ms   median ${runs[20].toFixed(3)} ms`);
}

/** A trivial loop, to compare machines: ~0.4 ns per iteration on a typical 2.5 GHz core. */
function calibrate(): void {
  const loop = (n: number) => {
    let s = 0;
    for (let i = 0; i < n; i++) s = (s + i * 3) | 0;
    return s;
  };
  let best = Infinity,
    s = 0;
  for (let r = 0; r < 10; r++) {
    const t0 = process.hrtime.bigint();
    s += loop(2e7);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 2e7);
  }
  console.log(`calibration: ${best.toFixed(2)} ns per trivial loop iteration (${s & 1}); ~0.4 on a typical 2.5 GHz core`);
}

calibrate();
const scratch = createWarpScratch();
const outY = createPlane(region.width, region.height);
const outM = createFloatPlane(region.width, region.height);
const outU = createPlane(chromaRegion.width, chromaRegion.height);
const outV = createPlane(chromaRegion.width, chromaRegion.height);
const covered = warpTriangles(canonical, dst, triangles, region, { a: { src: texture, out: outY } }, 1, scratch);
console.log(`region ${region.width}x${region.height}, ${covered} covered pixels, ${triangles.length / 3} triangles`);
measure('Y only', 50, () => {
  warpTriangles(canonical, dst, triangles, region, { a: { src: texture, out: outY } }, 1, scratch);
});
measure('Y + mask (one pass)', 50, () => {
  warpTriangles(canonical, dst, triangles, region, { a: { src: texture, out: outY }, mask: { src: mask, out: outM } }, 1, scratch);
});
measure('Y + mask with footprints (one pass)', 50, () => {
  warpTriangles(canonical, dst, triangles, region, { a: { src: texture, out: outY }, mask: { src: mask, out: outM, footprints } }, 1, scratch);
});
measure('U + V at scale 0.5 (one pass)', 50, () => {
  warpTriangles(canonical, dst, triangles, chromaRegion, { a: { src: chroma, out: outU }, b: { src: chroma, out: outV } }, 0.5, scratch);
});
