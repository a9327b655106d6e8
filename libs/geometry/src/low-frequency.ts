// Low-frequency fields over a face: a weighted coarse grid (normalised convolution: the mean of
// the weighted samples per cell, holes filled from the neighbours) sampled back bilinearly, and a
// push-pull fill that extends known values into unknown ones. Used for the shading of a face
// (the story's light carried onto the child's skin) and for filling the child's hair with its own
// skin. Must never look at anything but the arrays it is given; a grid keeps its buffers between
// frames (they only grow), so a frame allocates nothing.
import { FloatPlane } from './plane';

/** A grid's bilinear samples over a rectangle, row by row (`LowFrequencyGrid.separable`). */
export interface SeparableField {
  /** Per rectangle row y, from y·stride: the value at each cell column, between the rows of cell centres. */
  rows: Float64Array;
  /** Per rectangle column: the cell column to its left, and its weight towards the next one. */
  cell: Int32Array;
  frac: Float32Array;
  stride: number;
  /** 1, or 0 for a grid one cell wide. */
  dx: number;
}

/** The field's value at column x of the row starting at `base` (= y · field.stride). */
export function sampleSeparable(f: SeparableField, base: number, x: number): number {
  const k = base + f.cell[x];
  return f.rows[k] + (f.rows[k + f.dx] - f.rows[k]) * f.frac[x];
}

/**
 * A coarse grid over a rectangle of a plane: `add` weighted samples, `solve` for the weighted mean
 * per cell (cells without weight get their neighbours' values, spread outwards), `sample` it back
 * bilinearly between cell centres.
 */
export class LowFrequencyGrid {
  cols = 0;
  rows = 0;
  private x0 = 0;
  private y0 = 0;
  private invCellW = 1;
  private invCellH = 1;
  private sum = new Float64Array(0);
  private weight = new Float64Array(0);
  private tmpSum = new Float64Array(0);
  private tmpWeight = new Float64Array(0);
  private known = new Uint8Array(0);
  private nextKnown = new Uint8Array(0);
  private readonly field: SeparableField = { rows: new Float64Array(0), cell: new Int32Array(0), frac: new Float32Array(0), stride: 1, dx: 0 };
  /** Per cell: the solved value (after `solve`). */
  value = new Float32Array(0);
  /** The weighted mean over every sample (after `solve`; NaN without weight). */
  mean = NaN;
  /** The weighted variance of the solved cell values about `mean` (after `solve`). */
  variance = 0;

  /** Starts a grid of `cols` × `rows` cells over the rectangle (x0, y0, width, height). */
  reset(x0: number, y0: number, width: number, height: number, cols: number, rows: number): this {
    if (!(cols >= 1 && rows >= 1 && width > 0 && height > 0)) throw new RangeError('grid needs cells and an area');
    this.cols = cols | 0;
    this.rows = rows | 0;
    this.x0 = x0;
    this.y0 = y0;
    this.invCellW = this.cols / width;
    this.invCellH = this.rows / height;
    const n = this.cols * this.rows;
    if (this.sum.length < n) {
      this.sum = new Float64Array(n);
      this.weight = new Float64Array(n);
      this.tmpSum = new Float64Array(n);
      this.tmpWeight = new Float64Array(n);
      this.value = new Float32Array(n);
      this.known = new Uint8Array(n);
      this.nextKnown = new Uint8Array(n);
    }
    this.sum.fill(0, 0, n);
    this.weight.fill(0, 0, n);
    this.mean = NaN;
    this.variance = 0;
    return this;
  }

  /** Adds `value` with `weight` at the point (x, y) (same coordinates as the rectangle). */
  add(x: number, y: number, value: number, weight: number): void {
    let i = ((x - this.x0) * this.invCellW) | 0,
      j = ((y - this.y0) * this.invCellH) | 0;
    if (i < 0) i = 0;
    else if (i >= this.cols) i = this.cols - 1;
    if (j < 0) j = 0;
    else if (j >= this.rows) j = this.rows - 1;
    const k = j * this.cols + i;
    this.sum[k] += value * weight;
    this.weight[k] += weight;
  }

  /**
   * Solves the cell values: `passes` [1 2 1]/4 blurs of the weighted sums and of the weights
   * (normalised convolution), then cells with (almost) no weight take the values spread from
   * their neighbours. Returns false when no sample had weight (every value is then NaN).
   */
  solve(passes = 1): boolean {
    const c = this.cols,
      r = this.rows,
      n = c * r;
    let total = 0,
      totalSum = 0;
    for (let k = 0; k < n; k++) {
      total += this.weight[k];
      totalSum += this.sum[k];
    }
    if (!(total > 0)) {
      this.value.fill(NaN, 0, n);
      return false;
    }
    this.mean = totalSum / total;
    for (let p = 0; p < passes; p++) {
      blur121(this.sum, this.tmpSum, c, r);
      blur121(this.weight, this.tmpWeight, c, r);
    }
    const known = this.known;
    known.fill(0, 0, n);
    const floor = (1e-3 * total) / n;
    for (let k = 0; k < n; k++) {
      if (this.weight[k] > floor) {
        this.value[k] = this.sum[k] / this.weight[k];
        known[k] = 1;
      }
    }
    spreadIntoUnknown(this.value, known, this.nextKnown, c, r, this.mean);
    let v = 0,
      w = 0;
    for (let k = 0; k < n; k++) {
      const d = this.value[k] - this.mean;
      v += this.weight[k] * d * d;
      w += this.weight[k];
    }
    this.variance = w > 0 ? v / w : 0;
    return true;
  }

  /** The solved field at (x, y): bilinear between cell centres, clamped at the outer centres. */
  sample(x: number, y: number): number {
    let u = (x - this.x0) * this.invCellW - 0.5,
      v = (y - this.y0) * this.invCellH - 0.5;
    const c = this.cols,
      r = this.rows;
    if (u < 0) u = 0;
    else if (u > c - 1) u = c - 1;
    if (v < 0) v = 0;
    else if (v > r - 1) v = r - 1;
    const i = Math.min(c - 2, u | 0),
      j = Math.min(r - 2, v | 0);
    const val = this.value;
    if (c === 1 && r === 1) return val[0];
    if (c === 1) {
      const fy = v - j;
      return val[j] + (val[j + 1] - val[j]) * fy;
    }
    if (r === 1) {
      const fx = u - i;
      return val[i] + (val[i + 1] - val[i]) * fx;
    }
    const fx = u - i,
      fy = v - j;
    const k = j * c + i;
    const top = val[k] + (val[k + 1] - val[k]) * fx;
    const bottom = val[k + c] + (val[k + c + 1] - val[k + c]) * fx;
    return top + (bottom - top) * fy;
  }

  /** Writes `sample` at every pixel centre of `out` (whose pixel (0, 0) is at (originX, originY)). */
  sampleInto(out: FloatPlane, originX: number, originY: number): FloatPlane {
    const f = this.separable(originX, originY, out.width, out.height);
    const d = out.data;
    for (let y = 0, k = 0; y < out.height; y++) {
      const base = y * f.stride;
      for (let x = 0; x < out.width; x++, k++) d[k] = sampleSeparable(f, base, x);
    }
    return out;
  }

  /**
   * `sample` at the pixel centres of a width × height rectangle whose pixel (0, 0) is at (originX,
   * originY), as two small tables instead of a plane: per row, the value between the rows of cell
   * centres at each cell column; per column, its cell and weight. A pixel is then one lerp
   * (`sampleSeparable`), and only the pixels read cost anything. The field is this grid's scratch:
   * valid until the next call.
   */
  separable(originX: number, originY: number, width: number, height: number): SeparableField {
    const c = this.cols,
      r = this.rows,
      val = this.value;
    const f = this.field;
    if (f.cell.length < width) {
      f.cell = new Int32Array(width);
      f.frac = new Float32Array(width);
    }
    if (f.rows.length < c * height) f.rows = new Float64Array(Math.ceil(c * height * 1.25));
    for (let x = 0; x < width; x++) {
      let u = (originX + x + 0.5 - this.x0) * this.invCellW - 0.5;
      u = u < 0 ? 0 : u > c - 1 ? c - 1 : u;
      const i = c > 1 ? Math.min(c - 2, u | 0) : 0;
      f.cell[x] = i;
      f.frac[x] = c > 1 ? u - i : 0;
    }
    f.stride = c;
    f.dx = c > 1 ? 1 : 0;
    const rows = f.rows;
    for (let y = 0; y < height; y++) {
      let v = (originY + y + 0.5 - this.y0) * this.invCellH - 0.5;
      v = v < 0 ? 0 : v > r - 1 ? r - 1 : v;
      const j = r > 1 ? Math.min(r - 2, v | 0) : 0;
      const fy = r > 1 ? v - j : 0;
      const top = j * c,
        bottom = r > 1 ? top + c : top;
      for (let i = 0; i < c; i++) rows[y * c + i] = val[top + i] + (val[bottom + i] - val[top + i]) * fy;
    }
    return f;
  }

  /** Maps every solved cell value through `f` in place (before sampling: e.g. values → gains). */
  mapValues(f: (v: number) => number): void {
    const n = this.cols * this.rows;
    for (let k = 0; k < n; k++) this.value[k] = f(this.value[k]);
  }
}

/** One separable [1 2 1]/4 blur of a cols × rows grid in place (edges clamped). */
function blur121(a: Float64Array, tmp: Float64Array, cols: number, rows: number): void {
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const k = j * cols + i;
      const l = i > 0 ? a[k - 1] : a[k],
        r = i + 1 < cols ? a[k + 1] : a[k];
      tmp[k] = (l + 2 * a[k] + r) / 4;
    }
  }
  for (let j = 0; j < rows; j++) {
    for (let i = 0; i < cols; i++) {
      const k = j * cols + i;
      const u = j > 0 ? tmp[k - cols] : tmp[k],
        d = j + 1 < rows ? tmp[k + cols] : tmp[k];
      a[k] = (u + 2 * tmp[k] + d) / 4;
    }
  }
}

/** Unknown cells take the mean of their known 4-neighbours, ring by ring; `fallback` if none is known. */
function spreadIntoUnknown(value: Float32Array, known: Uint8Array, next: Uint8Array, cols: number, rows: number, fallback: number): void {
  const n = cols * rows;
  for (let round = 0; round < cols + rows; round++) {
    let changed = 0;
    next.set(known.subarray(0, n));
    for (let k = 0; k < n; k++) {
      if (known[k]) continue;
      const i = k % cols,
        j = (k / cols) | 0;
      let s = 0,
        m = 0;
      if (i > 0 && known[k - 1]) {
        s += value[k - 1];
        m++;
      }
      if (i + 1 < cols && known[k + 1]) {
        s += value[k + 1];
        m++;
      }
      if (j > 0 && known[k - cols]) {
        s += value[k - cols];
        m++;
      }
      if (j + 1 < rows && known[k + cols]) {
        s += value[k + cols];
        m++;
      }
      if (m > 0) {
        value[k] = s / m;
        next[k] = 1;
        changed++;
      }
    }
    known.set(next.subarray(0, n));
    if (!changed) break;
  }
  for (let k = 0; k < n; k++) if (!known[k]) value[k] = fallback;
}

/**
 * Push-pull fill: `values` (width × height × channels, interleaved) keep their value where
 * `weights` is 1 and take the weighted mean of the known values around them where it is 0
 * (blended where it is between), from coarser and coarser averages (halving each level), so a
 * hole of any size is filled smoothly from its border. Returns a new array.
 */
export function pushPullFill(values: Float32Array, weights: Float32Array, width: number, height: number, channels: number): Float32Array {
  if (values.length !== width * height * channels || weights.length !== width * height) throw new RangeError('pushPullFill: size mismatch');
  const out = Float32Array.from(values);
  fillLevel(
    out,
    Float32Array.from(weights, (w) => (w > 0 ? (w < 1 ? w : 1) : 0)),
    width,
    height,
    channels,
  );
  return out;
}

function fillLevel(v: Float32Array, w: Float32Array, width: number, height: number, ch: number): void {
  if (width <= 1 && height <= 1) return;
  const cw = (width + 1) >> 1,
    chh = (height + 1) >> 1;
  const cv = new Float32Array(cw * chh * ch);
  const cwt = new Float32Array(cw * chh);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = y * width + x,
        kc = (y >> 1) * cw + (x >> 1);
      const wt = w[k];
      if (!(wt > 0)) continue;
      cwt[kc] += wt;
      for (let c = 0; c < ch; c++) cv[kc * ch + c] += wt * v[k * ch + c];
    }
  }
  for (let kc = 0; kc < cw * chh; kc++) {
    if (cwt[kc] > 0) for (let c = 0; c < ch; c++) cv[kc * ch + c] /= cwt[kc];
    if (cwt[kc] > 1) cwt[kc] = 1;
  }
  fillLevel(cv, cwt, cw, chh, ch);
  // Pull: every pixel not fully known blends in the coarser level, sampled bilinearly.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = y * width + x;
      const wt = w[k];
      if (wt >= 1) continue;
      let u = (x + 0.5) / 2 - 0.5,
        t = (y + 0.5) / 2 - 0.5;
      u = u < 0 ? 0 : u > cw - 1 ? cw - 1 : u;
      t = t < 0 ? 0 : t > chh - 1 ? chh - 1 : t;
      const i0 = u | 0,
        j0 = t | 0;
      const i1 = i0 + 1 < cw ? i0 + 1 : i0,
        j1 = j0 + 1 < chh ? j0 + 1 : j0;
      const fx = u - i0,
        fy = t - j0;
      for (let c = 0; c < ch; c++) {
        const a = cv[(j0 * cw + i0) * ch + c],
          b = cv[(j0 * cw + i1) * ch + c],
          d = cv[(j1 * cw + i0) * ch + c],
          e = cv[(j1 * cw + i1) * ch + c];
        const top = a + (b - a) * fx,
          bottom = d + (e - d) * fx;
        const coarse = top + (bottom - top) * fy;
        v[k * ch + c] = wt > 0 ? wt * v[k * ch + c] + (1 - wt) * coarse : coarse;
      }
    }
  }
}
