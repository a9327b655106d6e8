// The shot's light on the child's face: beyond the mean and spread of colour (the LUTs), the story
// face's low-frequency shading (bright on one side, shadow under the brows and chin) is carried
// onto the child's skin. Once per prepared face, the photo's own low-frequency shading is divided
// out of its luma (`flattenShading`); per frame, the story face's skin luma is averaged on a coarse
// grid over the face (skin-coloured pixels inside the outline only, holes filled from the
// neighbours) and turned into a per-pixel gain around the face's mean (`StoryShading`), which the
// luma pass multiplies in. Both grids have cells of SHADING_CELL eye distances, so the same
// frequencies are removed and put back. Pure; per frame nothing is allocated once the buffers
// have grown.
import { ChannelStats, FloatPlane, LowFrequencyGrid, Plane, PolygonRasterizer, Rect, sampleSeparable, SeparableField, Yuv420 } from '@talecast/geometry';

/** Shading grid cell size, in eye distances (about a cheek's width over four). */
export const SHADING_CELL = 0.3;
/** Gains are kept within these bounds (a hard black shadow or a blown highlight is not carried whole). */
export const SHADING_GAIN: [number, number] = [0.6, 1.5];

/**
 * Divides the texture's own low-frequency shading out of its luma, in place: per pixel
 * Y' = yMin + (Y − yMin) · (mean − yMin) / (low − yMin), where `low` is the skin-weighted grid
 * average around it and `mean` the skin's mean. `skin` weighs which pixels are skin (canonical
 * size, 0..1). Returns the gains' range used (for tests and logs).
 */
export function flattenShading(y: Plane, skin: FloatPlane, eyeDistance: number, yMin: number): { min: number; max: number } {
  const w = y.width,
    h = y.height;
  if (skin.width !== w || skin.height !== h) throw new RangeError('flattenShading: size mismatch');
  const grid = new LowFrequencyGrid();
  const cell = Math.max(2, SHADING_CELL * eyeDistance);
  grid.reset(0, 0, w, h, Math.max(1, Math.round(w / cell)), Math.max(1, Math.round(h / cell)));
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const wt = skin.data[j * w + i];
      if (wt > 0) grid.add(i + 0.5, j + 0.5, y.data[j * y.stride + i], wt);
    }
  }
  if (!grid.solve(1)) return { min: 1, max: 1 };
  const mean = grid.mean - yMin;
  let min = Infinity,
    max = -Infinity;
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const low = grid.sample(i + 0.5, j + 0.5) - yMin;
      let g = low > 1 ? mean / low : SHADING_GAIN[1];
      g = g < SHADING_GAIN[0] ? SHADING_GAIN[0] : g > SHADING_GAIN[1] ? SHADING_GAIN[1] : g;
      if (g < min) min = g;
      if (g > max) max = g;
      const k = j * y.stride + i;
      const v = yMin + (y.data[k] - yMin) * g;
      y.data[k] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
  return { min, max };
}

/** How far (in the story skin's standard deviations, with floors) a pixel may be from its skin colour and count. */
const SKIN_LUMA_SPREAD = 1;
const SKIN_FLOORS = [20, 3, 3];
const SKIN_NEAR = 2.5;
const SKIN_FAR = 3.5;
/** A shading cell this many luma pixels wide (or more) is measured on every other chroma pixel. */
const SPARSE_CELL = 16;

/**
 * Per frame: the story face's low-frequency shading as a luma gain over the face's bbox. Keep one
 * per compositor (scratch reused).
 */
export class StoryShading {
  private readonly grid = new LowFrequencyGrid();
  private readonly rasterizer = new PolygonRasterizer();
  private readonly inside: FloatPlane = { data: new Float32Array(0), width: 0, height: 0 };
  private lattice = new Float32Array(0);
  /**
   * The gain per luma pixel of the last measured region, as a separable field (`sampleSeparable`,
   * row y of the region from y · stride): the alpha pass reads it at the pixels it draws only.
   */
  gainField: SeparableField | null = null;
  private region: Rect = { x: 0, y: 0, width: 0, height: 0 };
  private readonly plane: FloatPlane = { data: new Float32Array(0), width: 0, height: 0 };
  /** The skin luma variance the grid explains (shading, not texture), of the last measure. */
  variance = 0;
  /**
   * The story face's skin colour [Y, Cb, Cr] over the samples the last measure counted (skin-coloured
   * pixels inside the outline, weighted as in the grid): the precomputed statistics trimmed of what
   * a drawn face's skin region also holds (the fringe, brows, eye surroundings, blush), which made the
   * matched child's face darker and its colour spread (the LUTs' chroma gain) blotchy.
   */
  readonly skin: ChannelStats = { mean: [0, 0, 0], std: [0, 0, 0], weight: 0 };
  private yMin = 16;
  private mean = 1;
  private strength = 1;
  private readonly toGain = (v: number): number => {
    const g = this.strength === 1 ? (v - this.yMin) / this.mean : Math.pow(Math.max(0, (v - this.yMin) / this.mean), this.strength);
    return g < SHADING_GAIN[0] ? SHADING_GAIN[0] : g > SHADING_GAIN[1] ? SHADING_GAIN[1] : g;
  };

  /** The last measured gain as a region-sized plane (the Laplacian blend multiplies it in whole). */
  gainPlane(): FloatPlane {
    const f = this.gainField;
    if (!f) throw new Error('no measured shading');
    const { width: w, height: h } = this.region;
    resize(this.plane, w, h);
    const d = this.plane.data;
    for (let y = 0, k = 0; y < h; y++) for (let x = 0; x < w; x++, k++) d[k] = sampleSeparable(f, y * f.stride, x);
    return this.plane;
  }

  /**
   * Measures the shading of the face inside `outline` (frame pixels) over `region` of the frame,
   * before anything is drawn there. Skin-coloured pixels (near `colour`, the story face's
   * [Y, Cb, Cr] statistics) count. False when there is too little skin to tell (no gain then).
   */
  measure(
    frame: Yuv420,
    region: Rect,
    outline: Float32Array,
    colour: ChannelStats,
    eyeDistance: number,
    yMin: number,
    cellSize = SHADING_CELL,
    strength = 1,
  ): boolean {
    const { x: x0, y: y0, width: w, height: h } = region;
    this.gainField = null;
    if (!(w > 1 && h > 1 && colour && colour.weight > 0)) return false;
    const cell = Math.max(2, cellSize * eyeDistance);
    // One sample per `step` × `step` luma pixels (a 2×2 luma mean with its chroma pixel): every
    // chroma pixel while a cell is small, every other one once a cell is SPARSE_CELL luma pixels
    // wide (16+ samples a cell still; the light is a few cells per face). Each sample weighs the
    // luma pixels it stands for, so the weights read as before whatever the step.
    const step = cell >= SPARSE_CELL ? 4 : 2;
    const per = (step * step) / 4;
    const cols = Math.floor((w - 2) / step) + 1,
      rows = Math.floor((h - 2) / step) + 1;
    // The outline rasterised straight onto the sample lattice: lattice pixel (I, J) is inside when
    // the luma pixel centre (x0 + step·I + 0.5, y0 + step·J + 0.5) is.
    resize(this.inside, cols, rows);
    this.inside.data.fill(0, 0, cols * rows);
    if (this.lattice.length < outline.length) this.lattice = new Float32Array(outline.length);
    const lattice = this.lattice.subarray(0, outline.length);
    for (let k = 0; k < outline.length; k += 2) {
      lattice[k] = (outline[k] - x0 - 0.5) / step + 0.5;
      lattice[k + 1] = (outline[k + 1] - y0 - 0.5) / step + 0.5;
    }
    this.rasterizer.fill(this.inside, lattice, { antialias: false });
    const grid = this.grid.reset(x0, y0, w, h, Math.max(1, Math.round(w / cell)), Math.max(1, Math.round(h / cell)));
    const [mY, mU, mV] = colour.mean;
    const sY = 1 / Math.max(SKIN_FLOORS[0], SKIN_LUMA_SPREAD * colour.std[0]),
      sU = 1 / Math.max(SKIN_FLOORS[1], colour.std[1]),
      sV = 1 / Math.max(SKIN_FLOORS[2], colour.std[2]);
    const Y = frame.y.data,
      ys = frame.y.stride,
      U = frame.u.data,
      us = frame.u.stride,
      V = frame.v.data,
      vs = frame.v.stride;
    const inside = this.inside.data;
    let weight = 0;
    let sy = 0,
      su = 0,
      sv = 0,
      syy = 0,
      suu = 0,
      svv = 0;
    for (let J = 0; J < rows; J++) {
      const fy = y0 + J * step;
      for (let I = 0; I < cols; I++) {
        if (inside[J * cols + I] === 0) continue;
        const fx = x0 + I * step;
        const p = fy * ys + fx;
        const yv = (Y[p] + Y[p + 1] + Y[p + ys] + Y[p + ys + 1]) * 0.25;
        const uv = U[(fy >> 1) * us + (fx >> 1)],
          vv = V[(fy >> 1) * vs + (fx >> 1)];
        const du = (uv - mU) * sU,
          dv = (vv - mV) * sV,
          dy = (yv - mY) * sY;
        const d2 = du * du + dv * dv + dy * dy;
        if (d2 >= SKIN_FAR * SKIN_FAR) continue;
        const wt = per * (d2 <= SKIN_NEAR * SKIN_NEAR ? 1 : SKIN_FAR - Math.sqrt(d2));
        grid.add(fx + 1, fy + 1, yv, wt);
        weight += wt;
        sy += wt * yv;
        su += wt * uv;
        sv += wt * vv;
        syy += wt * yv * yv;
        suu += wt * uv * uv;
        svv += wt * vv * vv;
      }
    }
    // Less than about two cells' worth of skin: nothing reliable to carry.
    if (weight < 2 * cell * cell * 0.25 || !grid.solve(1)) {
      this.variance = 0;
      return false;
    }
    this.variance = grid.variance;
    const skin = this.skin;
    skin.weight = weight;
    skin.mean[0] = sy / weight;
    skin.mean[1] = su / weight;
    skin.mean[2] = sv / weight;
    skin.std[0] = Math.sqrt(Math.max(0, syy / weight - skin.mean[0] * skin.mean[0]));
    skin.std[1] = Math.sqrt(Math.max(0, suu / weight - skin.mean[1] * skin.mean[1]));
    skin.std[2] = Math.sqrt(Math.max(0, svv / weight - skin.mean[2] * skin.mean[2]));
    // Cell luma → gain around the face's mean, clamped, then sampled per pixel (linear, so the same
    // as converting each pixel's sample).
    const mean = grid.mean - yMin;
    if (!(mean > 1)) return false;
    this.yMin = yMin;
    this.mean = mean;
    this.strength = strength;
    grid.mapValues(this.toGain);
    this.gainField = grid.separable(x0, y0, w, h);
    this.region = region;
    return true;
  }
}

function resize(p: FloatPlane, width: number, height: number): void {
  if (p.data.length < width * height) p.data = new Float32Array(Math.ceil(width * height * 1.25));
  p.width = width;
  p.height = height;
}
