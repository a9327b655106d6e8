// Soft masks as float planes in [0, 1]: polygon fill with optional antialiasing (exact horizontal
// coverage on 4 sub-scanlines), separable box-blur feathering (3 passes ≈ Gaussian), min-combine
// and clamp. Used once per face (the canonical mask) and per frame inside a bbox (mouth,
// occluders), so the rasteriser keeps its scratch and writes only the polygon's rows.
// Must never allocate per pixel; must never leave values outside [0, 1].
import { FloatPlane } from './plane';

/** How a polygon's coverage `c` (times `value`) combines into the mask value `m`. */
export type MaskCombine =
  /** m = max(m, c): union (paint onto a zero-filled plane to get the polygon alone). */
  | 'max'
  /** m = min(m, 1 - c): cut the polygon out of an existing mask. */
  | 'cut';

export interface PolygonFillOptions {
  /** Exact-area coverage (default true); false samples pixel centres only (0 or 1). */
  antialias?: boolean;
  /** Polygon coordinates of the plane's pixel (0, 0) top-left corner (default 0, 0). */
  originX?: number;
  originY?: number;
  combine?: MaskCombine;
  /** Coverage multiplier in [0, 1] (default 1). */
  value?: number;
}

const SUBSCANLINES = 4;

/** A polygon rasteriser with reusable scratch; one per thread or per compositor. */
export class PolygonRasterizer {
  private row = new Float32Array(0);
  private xs = new Float64Array(0);
  private dirs = new Int8Array(0);

  /** Fills the (implicitly closed, non-zero winding) polygon into `mask`. */
  fill(mask: FloatPlane, polygon: ArrayLike<number>, options: PolygonFillOptions = {}): FloatPlane {
    const n = polygon.length >> 1;
    if (n < 3) return mask;
    const antialias = options.antialias ?? true;
    const ox = options.originX ?? 0;
    const oy = options.originY ?? 0;
    const combine = options.combine ?? 'max';
    const value = Math.max(0, Math.min(1, options.value ?? 1));
    const width = mask.width,
      height = mask.height,
      data = mask.data;
    if (this.row.length < width + 1) this.row = new Float32Array(width + 1);
    if (this.xs.length < n) {
      this.xs = new Float64Array(n);
      this.dirs = new Int8Array(n);
    }
    const row = this.row,
      xs = this.xs,
      dirs = this.dirs;

    let minY = Infinity,
      maxY = -Infinity;
    for (let k = 0; k < n; k++) {
      const y = polygon[2 * k + 1] - oy;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
    const j0 = Math.max(0, Math.floor(minY));
    const j1 = Math.min(height, Math.ceil(maxY));
    const samples = antialias ? SUBSCANLINES : 1;
    const weight = 1 / samples;

    for (let j = j0; j < j1; j++) {
      let lo = width,
        hi = -1;
      for (let s = 0; s < samples; s++) {
        const yc = antialias ? j + (s + 0.5) / samples : j + 0.5;
        // Crossings of this scanline, half-open in y so shared vertices count once.
        let count = 0;
        for (let k = 0, prev = n - 1; k < n; prev = k++) {
          const ay = polygon[2 * prev + 1] - oy,
            by = polygon[2 * k + 1] - oy;
          if (ay <= yc === by <= yc) continue;
          const ax = polygon[2 * prev] - ox,
            bx = polygon[2 * k] - ox;
          const x = ax + ((yc - ay) * (bx - ax)) / (by - ay);
          // Insertion sort: polygons here have a handful of crossings.
          let p = count++;
          while (p > 0 && xs[p - 1] > x) {
            xs[p] = xs[p - 1];
            dirs[p] = dirs[p - 1];
            p--;
          }
          xs[p] = x;
          dirs[p] = by > ay ? 1 : -1;
        }
        let winding = 0;
        for (let c = 0; c + 1 < count; c++) {
          winding += dirs[c];
          if (winding === 0) continue;
          let xa = xs[c],
            xb = xs[c + 1];
          if (antialias) {
            if (xa < 0) xa = 0;
            if (xb > width) xb = width;
            if (xa >= xb) continue;
            const ia = Math.floor(xa),
              ib = Math.floor(xb);
            if (ia < lo) lo = ia;
            if (ia === ib) {
              row[ia] += (xb - xa) * weight;
              if (ia > hi) hi = ia;
              continue;
            }
            row[ia] += (ia + 1 - xa) * weight;
            for (let i = ia + 1; i < ib; i++) row[i] += weight;
            if (ib < width) row[ib] += (xb - ib) * weight;
            const last = ib < width ? ib : width - 1;
            if (last > hi) hi = last;
          } else {
            const ia = Math.max(0, Math.ceil(xa - 0.5)),
              ib = Math.min(width, Math.ceil(xb - 0.5));
            if (ia >= ib) continue;
            for (let i = ia; i < ib; i++) row[i] = 1;
            if (ia < lo) lo = ia;
            if (ib - 1 > hi) hi = ib - 1;
          }
        }
      }
      if (hi < lo) continue;
      const base = j * width;
      for (let i = lo; i <= hi; i++) {
        let c = row[i] * value;
        row[i] = 0;
        if (c > 1) c = 1;
        const k = base + i;
        if (combine === 'max') {
          if (c > data[k]) data[k] = c;
        } else if (1 - c < data[k]) data[k] = 1 - c;
      }
    }
    return mask;
  }
}

let sharedRasterizer: PolygonRasterizer | undefined;

/** Fills a polygon with a shared rasteriser (see `PolygonRasterizer.fill`). */
export function fillPolygon(mask: FloatPlane, polygon: ArrayLike<number>, options?: PolygonFillOptions): FloatPlane {
  sharedRasterizer ??= new PolygonRasterizer();
  return sharedRasterizer.fill(mask, polygon, options);
}

/**
 * Feathers `mask` in place with `passes` separable box blurs of radius `radius` (window
 * 2r + 1; three passes give a near-Gaussian of σ ≈ √(r(r + 1))), edges clamped. Mass inside the
 * plane is conserved when the mask is zero within `passes * radius` of the borders.
 */
export function featherMask(mask: FloatPlane, radius: number, passes = 3, scratch?: Float32Array): FloatPlane {
  const r = Math.floor(radius);
  if (r <= 0 || passes <= 0) return mask;
  const w = mask.width,
    h = mask.height,
    data = mask.data;
  const need = 2 * Math.max(w, h);
  const line = scratch && scratch.length >= need ? scratch : new Float32Array(need);
  const tmp = line.subarray(Math.max(w, h));
  for (let p = 0; p < passes; p++) {
    for (let y = 0; y < h; y++) {
      const base = y * w;
      for (let x = 0; x < w; x++) line[x] = data[base + x];
      boxLine(line, tmp, w, r);
      for (let x = 0; x < w; x++) data[base + x] = tmp[x];
    }
    for (let x = 0; x < w; x++) {
      for (let y = 0; y < h; y++) line[y] = data[y * w + x];
      boxLine(line, tmp, h, r);
      for (let y = 0; y < h; y++) data[y * w + x] = tmp[y];
    }
  }
  return clampMask(mask);
}

function boxLine(src: Float32Array, dst: Float32Array, n: number, r: number): void {
  const last = n - 1;
  const inv = 1 / (2 * r + 1);
  let sum = 0;
  for (let k = -r; k <= r; k++) sum += src[k < 0 ? 0 : k > last ? last : k];
  for (let i = 0; i < n; i++) {
    dst[i] = sum * inv;
    const add = i + r + 1,
      drop = i - r;
    sum += src[add > last ? last : add] - src[drop < 0 ? 0 : drop];
  }
}

/** out = min(a, b) elementwise (out may be a or b). */
export function minMasks(a: FloatPlane, b: FloatPlane, out: FloatPlane = a): FloatPlane {
  if (a.width !== b.width || a.height !== b.height || out.width !== a.width || out.height !== a.height) {
    throw new RangeError('minMasks: size mismatch');
  }
  const n = a.width * a.height;
  for (let k = 0; k < n; k++) out.data[k] = a.data[k] < b.data[k] ? a.data[k] : b.data[k];
  return out;
}

/** out = 1 - mask (out may be mask). */
export function invertMask(mask: FloatPlane, out: FloatPlane = mask): FloatPlane {
  const n = mask.width * mask.height;
  for (let k = 0; k < n; k++) out.data[k] = 1 - mask.data[k];
  return out;
}

/** Clamps every value into [0, 1] in place (NaN becomes 0). */
export function clampMask(mask: FloatPlane): FloatPlane {
  const n = mask.width * mask.height,
    d = mask.data;
  for (let k = 0; k < n; k++) {
    const v = d[k];
    d[k] = v > 0 ? (v < 1 ? v : 1) : 0;
  }
  return mask;
}

/** Sum of the mask's values (its area in pixels for a hard mask). */
export function maskMass(mask: FloatPlane): number {
  let s = 0;
  const n = mask.width * mask.height;
  for (let k = 0; k < n; k++) s += mask.data[k];
  return s;
}

/** Footprint classes from `bilinearFootprints`. */
export const FOOTPRINT_ZERO = 0;
export const FOOTPRINT_ONE = 1;
export const FOOTPRINT_MIXED = 2;

/**
 * For each pixel (x, y), whether the 2x2 block a bilinear sample anchored there reads
 * ((x, y) .. (x + 1, y + 1), clamped at the edges) is all exactly 0, all exactly 1, or mixed.
 * Lets a per-frame warp replace most bilinear mask samples by one byte lookup, exactly.
 */
export function bilinearFootprints(mask: FloatPlane): Uint8Array {
  const w = mask.width,
    h = mask.height,
    d = mask.data;
  const out = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const y1 = y + 1 < h ? y + 1 : y;
    for (let x = 0; x < w; x++) {
      const x1 = x + 1 < w ? x + 1 : x;
      const a = d[y * w + x],
        b = d[y * w + x1],
        c = d[y1 * w + x],
        e = d[y1 * w + x1];
      out[y * w + x] = a === 0 && b === 0 && c === 0 && e === 0 ? FOOTPRINT_ZERO : a === 1 && b === 1 && c === 1 && e === 1 ? FOOTPRINT_ONE : FOOTPRINT_MIXED;
    }
  }
  return out;
}
