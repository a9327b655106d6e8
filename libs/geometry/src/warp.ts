// Piecewise-affine warp over a triangle mesh: rasterise each destination triangle (pixel centres,
// top-left fill rule: shared edges are hit exactly once), map every covered pixel back through
// its triangle's affine into the source, sample bilinearly. Runs per video frame, so one pass
// over the triangles warps every plane that shares the map at once (Y and the mask together,
// U and V together with scale 0.5), with the source position stepped incrementally along spans.
// Must never allocate per pixel or per triangle, nor call closures in the pixel loop.
import { createFloatPlane, createPlane, FloatPlane, Plane, pointsBoundingRect, Rect } from './plane';
import { FOOTPRINT_ONE, FOOTPRINT_ZERO } from './mask';
import { triangleAffine } from './similarity';

// Module-local copies: compiled CommonJS reads imported bindings through getters, never per pixel.
const ONE = FOOTPRINT_ONE;
const ZERO = FOOTPRINT_ZERO;
const NO_FOOTPRINTS = new Uint8Array(0);

/** The planes one warp pass reads and writes; every output is the destination region's size. */
export interface WarpLayers {
  /** Up to two 8-bit planes warped with one map (Y alone, or U and V). */
  a?: { src: Plane; out: Plane };
  b?: { src: Plane; out: Plane };
  /**
   * A float plane (the mask) warped with the same map; with `footprints` (see
   * `bilinearFootprints`) flat parts of the mask cost one byte lookup instead of a bilinear sample.
   */
  mask?: { src: FloatPlane; out: FloatPlane; footprints?: Uint8Array };
  /** Receives 1 where a triangle covers the pixel centre. */
  coverage?: FloatPlane;
}

/**
 * Receives the warp one destination span at a time: pixels x0 .. x0 + n - 1 of row y (absolute
 * destination coordinates); the first pixel's source position is (sx, sy) in source index space
 * (pixel (i, j)'s centre is (i, j)), and it advances by (dx, dy) per pixel. Lets a caller fuse
 * its own per-pixel work (sampling + blending) into the warp without intermediate planes.
 */
export interface WarpSpanVisitor {
  span(y: number, x0: number, n: number, sx: number, sy: number, dx: number, dy: number): void;
}

/** Reusable per-thread scratch for `warpTriangles` / `forEachWarpSpan`. */
export interface WarpScratch {
  spans: Int32Array;
  affine: Float64Array;
  /** @internal the span kernels `warpTriangles` reconfigures per call. */
  layers: LayerSpans;
}

export function createWarpScratch(): WarpScratch {
  return { spans: new Int32Array(3 * 256), affine: new Float64Array(6), layers: new LayerSpans() };
}

/**
 * The destination region for a warp: the bounding box of the destination points (times
 * `scale`), clipped to a plane of `planeWidth` x `planeHeight` (already at that scale).
 */
export function warpRegionFor(dstPoints: ArrayLike<number>, planeWidth: number, planeHeight: number, scale = 1): Rect {
  return pointsBoundingRect(dstPoints, planeWidth, planeHeight, scale);
}

/**
 * Walks every destination triangle's covered pixels inside `region` (top-left fill rule) and
 * hands them to `visitor` span by span with the source positions of that triangle's affine.
 * Points are full-resolution pixel coordinates (pixel (i, j) spans [i, i+1) x [j, j+1)),
 * multiplied by `scale` (0.5 for 4:2:0 chroma). Returns the number of pixels visited.
 */
export function forEachWarpSpan(
  srcPoints: ArrayLike<number>,
  dstPoints: ArrayLike<number>,
  triangles: ArrayLike<number>,
  region: Rect,
  visitor: WarpSpanVisitor,
  scale = 1,
  scratch: WarpScratch = sharedScratch(),
): number {
  if (scratch.spans.length < 3 * region.height) scratch.spans = new Int32Array(3 * region.height);
  const spans = scratch.spans,
    m = scratch.affine;
  let count = 0;
  for (let t = 0; t + 2 < triangles.length; t += 3) {
    const i0 = 2 * triangles[t],
      i1 = 2 * triangles[t + 1],
      i2 = 2 * triangles[t + 2];
    const dx0 = dstPoints[i0] * scale,
      dy0 = dstPoints[i0 + 1] * scale;
    const dx1 = dstPoints[i1] * scale,
      dy1 = dstPoints[i1 + 1] * scale;
    const dx2 = dstPoints[i2] * scale,
      dy2 = dstPoints[i2 + 1] * scale;
    const rows = triangleSpans(dx0, dy0, dx1, dy1, dx2, dy2, region, spans);
    if (rows === 0) continue;
    if (
      !triangleAffine(
        dx0,
        dy0,
        dx1,
        dy1,
        dx2,
        dy2,
        srcPoints[i0] * scale,
        srcPoints[i0 + 1] * scale,
        srcPoints[i1] * scale,
        srcPoints[i1 + 1] * scale,
        srcPoints[i2] * scale,
        srcPoints[i2 + 1] * scale,
        m,
      )
    )
      continue;
    // Source index space: pixel (i, j)'s centre is (i, j), hence the -0.5.
    const a = m[0],
      b = m[1],
      c = m[2] - 0.5,
      d = m[3],
      e = m[4],
      f = m[5] - 0.5;
    for (let r = 0; r < rows; r++) {
      const j = spans[3 * r],
        iStart = spans[3 * r + 1],
        n = spans[3 * r + 2] - iStart;
      const yc = j + 0.5;
      count += n;
      visitor.span(j, iStart, n, a * (iStart + 0.5) + b * yc + c, d * (iStart + 0.5) + e * yc + f, a, d);
    }
  }
  return count;
}

// Samples land at most this far inside the last row/column, so the bilinear 2x2 never leaves it.
const EDGE = 1 / 1024;

/**
 * Warps every layer from source space (`srcPoints`) to the destination `region` (`dstPoints`)
 * in one pass over the triangles (see `forEachWarpSpan` for coordinates and `scale`).
 * Outputs are cleared to 0 first; pixels outside all triangles stay 0. Sources of one call must
 * share a size (at least 2x2); sampling clamps to their edges. Returns the covered pixel count.
 */
export function warpTriangles(
  srcPoints: ArrayLike<number>,
  dstPoints: ArrayLike<number>,
  triangles: ArrayLike<number>,
  region: Rect,
  layers: WarpLayers,
  scale = 1,
  scratch: WarpScratch = sharedScratch(),
): number {
  const w = region.width,
    h = region.height;
  const A = layers.a,
    B = layers.b,
    M = layers.mask,
    C = layers.coverage;
  const source = A?.src ?? B?.src ?? M?.src;
  for (const out of [A?.out, B?.out, M?.out, C]) {
    if (out && (out.width !== w || out.height !== h)) throw new RangeError('warpTriangles: outputs must match the region');
  }
  for (const src of [A?.src, B?.src, M?.src]) {
    if (src && source && (src.width !== source.width || src.height !== source.height)) {
      throw new RangeError('warpTriangles: sources of one pass must share a size');
    }
  }
  if (source && (source.width < 2 || source.height < 2)) throw new RangeError('warpTriangles: source smaller than 2x2');
  for (const out of [A?.out, B?.out]) if (out) clearPlane(out);
  if (M) M.out.data.fill(0, 0, w * h);
  if (C) C.data.fill(0, 0, w * h);
  const v = scratch.layers;
  v.setup(layers, region, source);
  const count = forEachWarpSpan(srcPoints, dstPoints, triangles, region, v, scale, scratch);
  v.release();
  return count;
}

/** The per-layer span kernels behind `warpTriangles`; one per scratch, reconfigured per call. */
class LayerSpans implements WarpSpanVisitor {
  private first: { src: Plane; out: Plane } | undefined;
  private second: { src: Plane; out: Plane } | undefined;
  private mask: { src: FloatPlane; out: FloatPlane; footprints?: Uint8Array } | undefined;
  private coverage: FloatPlane | undefined;
  private ox = 0;
  private oy = 0;
  private w = 0;
  private limX = 0;
  private limY = 0;

  setup(layers: WarpLayers, region: Rect, source: { width: number; height: number } | undefined): void {
    this.first = layers.a ?? layers.b;
    this.second = layers.a && layers.b ? layers.b : undefined;
    this.mask = layers.mask;
    this.coverage = layers.coverage;
    this.ox = region.x;
    this.oy = region.y;
    this.w = region.width;
    this.limX = (source?.width ?? 2) - 1 - EDGE;
    this.limY = (source?.height ?? 2) - 1 - EDGE;
  }

  release(): void {
    this.first = this.second = this.mask = this.coverage = undefined;
  }

  span(y: number, x0: number, n: number, sx: number, sy: number, dx: number, dy: number): void {
    const row = y - this.oy,
      col = x0 - this.ox,
      k = row * this.w + col;
    const first = this.first,
      second = this.second,
      mask = this.mask;
    if (first && mask) {
      spanPlaneAndMask(
        first.src,
        first.out,
        row * first.out.stride + col,
        mask.src,
        mask.footprints ?? NO_FOOTPRINTS,
        mask.out.data,
        k,
        sx,
        sy,
        dx,
        dy,
        n,
        this.limX,
        this.limY,
      );
    } else if (first) {
      spanPlane(first.src, first.out, row * first.out.stride + col, sx, sy, dx, dy, n, this.limX, this.limY);
    } else if (mask) {
      spanMask(mask.src, mask.footprints ?? NO_FOOTPRINTS, mask.out.data, k, sx, sy, dx, dy, n, this.limX, this.limY);
    }
    if (second) spanPlane(second.src, second.out, row * second.out.stride + col, sx, sy, dx, dy, n, this.limX, this.limY);
    if (this.coverage) this.coverage.data.fill(1, k, k + n);
  }
}

function spanPlane(src: Plane, out: Plane, k: number, sx: number, sy: number, a: number, d: number, n: number, limX: number, limY: number): void {
  const s = src.data,
    stride = src.stride,
    o = out.data;
  for (const end = k + n; k < end; k++) {
    const x = sx < 0 ? 0 : sx > limX ? limX : sx;
    const y = sy < 0 ? 0 : sy > limY ? limY : sy;
    sx += a;
    sy += d;
    const xi = x | 0,
      yi = y | 0;
    const fx = x - xi,
      fy = y - yi;
    const p = yi * stride + xi;
    const p00 = s[p],
      p10 = s[p + stride];
    const top = p00 + (s[p + 1] - p00) * fx;
    o[k] = (top + (p10 + (s[p + stride + 1] - p10) * fx - top) * fy + 0.5) | 0;
  }
}

function spanMask(
  src: FloatPlane,
  fp: Uint8Array,
  o: Float32Array,
  k: number,
  sx: number,
  sy: number,
  a: number,
  d: number,
  n: number,
  limX: number,
  limY: number,
): void {
  const s = src.data,
    stride = src.width,
    hasFp = fp.length > 0;
  for (const end = k + n; k < end; k++) {
    const x = sx < 0 ? 0 : sx > limX ? limX : sx;
    const y = sy < 0 ? 0 : sy > limY ? limY : sy;
    sx += a;
    sy += d;
    const xi = x | 0,
      yi = y | 0;
    const p = yi * stride + xi;
    if (hasFp) {
      const c = fp[p];
      if (c === ONE) {
        o[k] = 1;
        continue;
      }
      if (c === ZERO) {
        o[k] = 0;
        continue;
      }
    }
    const fx = x - xi,
      fy = y - yi;
    const p00 = s[p],
      p10 = s[p + stride];
    const top = p00 + (s[p + 1] - p00) * fx;
    o[k] = top + (p10 + (s[p + stride + 1] - p10) * fx - top) * fy;
  }
}

function spanPlaneAndMask(
  src: Plane,
  out: Plane,
  k: number,
  msrc: FloatPlane,
  fp: Uint8Array,
  mo: Float32Array,
  km: number,
  sx: number,
  sy: number,
  a: number,
  d: number,
  n: number,
  limX: number,
  limY: number,
): void {
  const s = src.data,
    stride = src.stride,
    o = out.data,
    ms = msrc.data,
    mstride = msrc.width,
    hasFp = fp.length > 0;
  for (const end = k + n; k < end; k++, km++) {
    const x = sx < 0 ? 0 : sx > limX ? limX : sx;
    const y = sy < 0 ? 0 : sy > limY ? limY : sy;
    sx += a;
    sy += d;
    const xi = x | 0,
      yi = y | 0;
    const fx = x - xi,
      fy = y - yi;
    let p = yi * stride + xi;
    const p00 = s[p],
      p10 = s[p + stride];
    const top = p00 + (s[p + 1] - p00) * fx;
    o[k] = (top + (p10 + (s[p + stride + 1] - p10) * fx - top) * fy + 0.5) | 0;
    p = yi * mstride + xi;
    if (hasFp) {
      const c = fp[p];
      if (c === ONE) {
        mo[km] = 1;
        continue;
      }
      if (c === ZERO) {
        mo[km] = 0;
        continue;
      }
    }
    const q00 = ms[p],
      q10 = ms[p + mstride];
    const qtop = q00 + (ms[p + 1] - q00) * fx;
    mo[km] = qtop + (q10 + (ms[p + mstride + 1] - q10) * fx - qtop) * fy;
  }
}

let shared: WarpScratch | undefined;
function sharedScratch(): WarpScratch {
  shared ??= createWarpScratch();
  return shared;
}

function clearPlane(p: Plane): void {
  if (p.stride === p.width) {
    p.data.fill(0, 0, p.width * p.height);
    return;
  }
  for (let j = 0; j < p.height; j++) p.data.fill(0, j * p.stride, j * p.stride + p.width);
}

/**
 * Writes the rows a triangle covers inside `clip` into `spans` as [row, firstCol, endCol) triples
 * and returns their count. A pixel is covered when its centre (i + .5, j + .5) is inside, with the
 * top-left rule: left and top edges inclusive, right and bottom exclusive. Each edge's x is
 * computed from its upper endpoint with the same expression in both triangles sharing it, so
 * neighbours split shared edges exactly.
 */
export function triangleSpans(x0: number, y0: number, x1: number, y1: number, x2: number, y2: number, clip: Rect, spans: Int32Array): number {
  // Sort by y (ties by x) so every edge runs from its upper to its lower endpoint.
  let t: number;
  if (y1 < y0 || (y1 === y0 && x1 < x0)) {
    t = x0;
    x0 = x1;
    x1 = t;
    t = y0;
    y0 = y1;
    y1 = t;
  }
  if (y2 < y1 || (y2 === y1 && x2 < x1)) {
    t = x1;
    x1 = x2;
    x2 = t;
    t = y1;
    y1 = y2;
    y2 = t;
  }
  if (y1 < y0 || (y1 === y0 && x1 < x0)) {
    t = x0;
    x0 = x1;
    x1 = t;
    t = y0;
    y0 = y1;
    y1 = t;
  }
  if (!(y2 > y0)) return 0;
  const jStart = Math.max(clip.y, Math.ceil(y0 - 0.5));
  const jEnd = Math.min(clip.y + clip.height, Math.ceil(y2 - 0.5));
  const cStart = clip.x,
    cEnd = clip.x + clip.width;
  const sLong = (x2 - x0) / (y2 - y0);
  const sTop = y1 > y0 ? (x1 - x0) / (y1 - y0) : 0;
  const sBottom = y2 > y1 ? (x2 - x1) / (y2 - y1) : 0;
  let n = 0;
  for (let j = jStart; j < jEnd; j++) {
    const yc = j + 0.5;
    const xa = x0 + (yc - y0) * sLong;
    const xb = yc < y1 ? x0 + (yc - y0) * sTop : x1 + (yc - y1) * sBottom;
    let iStart: number, iEnd: number;
    if (xa < xb) {
      iStart = Math.ceil(xa - 0.5);
      iEnd = Math.ceil(xb - 0.5);
    } else {
      iStart = Math.ceil(xb - 0.5);
      iEnd = Math.ceil(xa - 0.5);
    }
    if (iStart < cStart) iStart = cStart;
    if (iEnd > cEnd) iEnd = cEnd;
    if (iStart >= iEnd) continue;
    spans[n * 3] = j;
    spans[n * 3 + 1] = iStart;
    spans[n * 3 + 2] = iEnd;
    n++;
  }
  return n;
}

export interface WarpResult<P> {
  /** The warped pixels, the size of `region`; 0 outside every triangle. */
  plane: P;
  /** 1 where a triangle covers the pixel, 0 elsewhere. */
  coverage: FloatPlane;
  region: Rect;
}

/** One-off warp of an 8-bit plane (allocates its outputs; per frame call warpTriangles). */
export function warpPlane(
  src: Plane,
  srcPoints: ArrayLike<number>,
  dstPoints: ArrayLike<number>,
  triangles: ArrayLike<number>,
  region: Rect,
  scale = 1,
): WarpResult<Plane> {
  const plane = createPlane(region.width, region.height);
  const coverage = createFloatPlane(region.width, region.height);
  warpTriangles(srcPoints, dstPoints, triangles, region, { a: { src, out: plane }, coverage }, scale);
  return { plane, coverage, region };
}

/** One-off warp of a float plane (a mask). */
export function warpFloatPlane(
  src: FloatPlane,
  srcPoints: ArrayLike<number>,
  dstPoints: ArrayLike<number>,
  triangles: ArrayLike<number>,
  region: Rect,
  scale = 1,
): WarpResult<FloatPlane> {
  const plane = createFloatPlane(region.width, region.height);
  const coverage = createFloatPlane(region.width, region.height);
  warpTriangles(srcPoints, dstPoints, triangles, region, { mask: { src, out: plane }, coverage }, scale);
  return { plane, coverage, region };
}

/** How many triangles hit each region pixel (diagnostics and tests of the fill rule). */
export function triangleHitCounts(dstPoints: ArrayLike<number>, triangles: ArrayLike<number>, region: Rect, scale = 1): Uint16Array {
  const hits = new Uint16Array(region.width * region.height);
  const spans = new Int32Array(3 * Math.max(1, region.height));
  for (let t = 0; t + 2 < triangles.length; t += 3) {
    const i0 = 2 * triangles[t],
      i1 = 2 * triangles[t + 1],
      i2 = 2 * triangles[t + 2];
    const rows = triangleSpans(
      dstPoints[i0] * scale,
      dstPoints[i0 + 1] * scale,
      dstPoints[i1] * scale,
      dstPoints[i1 + 1] * scale,
      dstPoints[i2] * scale,
      dstPoints[i2 + 1] * scale,
      region,
      spans,
    );
    for (let r = 0; r < rows; r++) {
      const row = (spans[3 * r] - region.y) * region.width - region.x;
      for (let i = spans[3 * r + 1]; i < spans[3 * r + 2]; i++) hits[row + i]++;
    }
  }
  return hits;
}
