// The measures of the insertion-quality evaluation, as plain functions on landmarks and pixels:
// landmark error and jitter relative to the inter-ocular distance, PSNR accumulators on 4:2:0
// frames (whole frame or outside a box), the colour contrast across the face mask's edge.
// Must never run ffmpeg, face models or touch files (evaluate.ts does that).
import { interOcularDistance } from '@talecast/face';
import {
  FACE_MESH_POINT_COUNT,
  FACE_OUTLINE,
  faceMeshPoints,
  gatherPoints,
  pointInPolygon,
  Rect,
  srgbToLab,
  Yuv420,
  yuv420ToRgbRect,
  yuv420View,
  yuvCoefficients,
} from '@talecast/geometry';

const POINTS = 68;

/** Mean point distance between two 68-landmark sets, over `iod`. */
export function landmarkError(a: ArrayLike<number>, b: ArrayLike<number>, iod: number = interOcularDistance(b)): number {
  let sum = 0;
  for (let i = 0; i < POINTS; i++) sum += Math.hypot(a[2 * i] - b[2 * i], a[2 * i + 1] - b[2 * i + 1]);
  return sum / POINTS / iod;
}

/** The same over points `from` … `to` − 1 only (a feature group), still over the reference's eye distance. */
export function landmarkGroupError(a: ArrayLike<number>, b: ArrayLike<number>, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += Math.hypot(a[2 * i] - b[2 * i], a[2 * i + 1] - b[2 * i + 1]);
  return sum / (to - from) / interOcularDistance(b);
}

/** Centre of a landmark set (mean of its points). */
export function landmarkCentre(lm: ArrayLike<number>): [number, number] {
  let x = 0,
    y = 0;
  for (let i = 0; i < POINTS; i++) {
    x += lm[2 * i];
    y += lm[2 * i + 1];
  }
  return [x / POINTS, y / POINTS];
}

/**
 * Jitter of a landmark track: mean |second difference| per coordinate, each frame's over that
 * frame's `iod`, over every frame whose neighbours are in the same run of consecutive frames
 * (`series[k]` null = no landmarks at frame k; callers cut runs at shot boundaries).
 * Returns the mean and the number of (frame, coordinate) terms.
 */
export function landmarkJitter(series: (ArrayLike<number> | null)[], iod: number[]): { value: number; terms: number } {
  let sum = 0,
    n = 0;
  for (let t = 1; t < series.length - 1; t++) {
    const a = series[t - 1],
      b = series[t],
      c = series[t + 1];
    if (!a || !b || !c) continue;
    for (let d = 0; d < POINTS * 2; d++) {
      sum += Math.abs(c[d] - 2 * b[d] + a[d]) / iod[t];
      n++;
    }
  }
  return { value: n ? sum / n : 0, terms: n };
}

/** Elementwise a − b of two landmark sets (null when either is missing). */
export function landmarkDifference(a: ArrayLike<number> | null, b: ArrayLike<number> | null): Float32Array | null {
  if (!a || !b) return null;
  const out = new Float32Array(POINTS * 2);
  for (let d = 0; d < POINTS * 2; d++) out[d] = a[d] - b[d];
  return out;
}

/** Sums squared differences of 8-bit samples; PSNR over everything added so far. */
export class PsnrAccumulator {
  private sse = 0;
  private count = 0;
  /** Lowest per-frame PSNR seen (frames added with `frame`). */
  worst = Infinity;
  worstFrame = -1;

  /** Adds one frame's planes; `exclude` (luma pixels) is skipped, scaled down for chroma. */
  frame(index: number, a: Yuv420, b: Yuv420, exclude: Rect | null = null, planes: 'y' | 'yuv' = 'yuv'): void {
    let sse = 0,
      count = 0;
    const add = (pa: Yuv420['y'], pb: Yuv420['y'], scale: number) => {
      const ex = exclude && {
        x0: Math.floor(exclude.x / scale),
        y0: Math.floor(exclude.y / scale),
        x1: Math.ceil((exclude.x + exclude.width) / scale),
        y1: Math.ceil((exclude.y + exclude.height) / scale),
      };
      for (let y = 0; y < pa.height; y++) {
        const inRows = ex !== null && y >= ex.y0 && y < ex.y1;
        const ra = y * pa.stride,
          rb = y * pb.stride;
        for (let x = 0; x < pa.width; x++) {
          if (inRows && x >= ex!.x0 && x < ex!.x1) continue;
          const d = pa.data[ra + x] - pb.data[rb + x];
          sse += d * d;
          count++;
        }
      }
    };
    add(a.y, b.y, 1);
    if (planes === 'yuv') {
      add(a.u, b.u, 2);
      add(a.v, b.v, 2);
    }
    this.sse += sse;
    this.count += count;
    const p = psnr(sse, count);
    if (p < this.worst) {
      this.worst = p;
      this.worstFrame = index;
    }
  }

  get frames(): boolean {
    return this.count > 0;
  }

  get value(): number {
    return psnr(this.sse, this.count);
  }
}

export function psnr(sse: number, count: number): number {
  if (count === 0) return NaN;
  if (sse === 0) return Infinity;
  return 10 * Math.log10((255 * 255) / (sse / count));
}

/** The mesh points of a landmark set's face (outline, forehead arc, outer ring). */
export function meshOf(landmarks: ArrayLike<number>): Float32Array {
  return faceMeshPoints(landmarks, new Float32Array(FACE_MESH_POINT_COUNT * 2));
}

/** The face mask's outline polygon (jaw + forehead arc) for a frame's landmarks. */
export function faceOutline(landmarks: ArrayLike<number>): Float32Array {
  return gatherPoints(meshOf(landmarks), FACE_OUTLINE);
}

/**
 * A generous box around a face: the whole mesh (outer ring included) grown by `margin` × the
 * inter-ocular distance on every side, aligned to even pixels, clipped to the frame.
 */
export function generousFaceBox(landmarks: ArrayLike<number>, width: number, height: number, margin = 0.35): Rect {
  const mesh = meshOf(landmarks);
  const grow = margin * interOcularDistance(landmarks);
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (let k = 0; k < mesh.length; k += 2) {
    x0 = Math.min(x0, mesh[k]);
    x1 = Math.max(x1, mesh[k]);
    y0 = Math.min(y0, mesh[k + 1]);
    y1 = Math.max(y1, mesh[k + 1]);
  }
  const bx = Math.max(0, Math.floor(x0 - grow)) & ~1,
    by = Math.max(0, Math.floor(y0 - grow)) & ~1;
  const ex = Math.min(width, Math.ceil(x1 + grow) + 1) & ~1,
    ey = Math.min(height, Math.ceil(y1 + grow) + 1) & ~1;
  return { x: bx, y: by, width: Math.max(0, ex - bx), height: Math.max(0, ey - by) };
}

export interface SeamBands {
  /** Depths inside the outline, in inter-ocular distances (beyond the mask's feather ramp). */
  inside: [number, number];
  /** Distances outside the outline, in inter-ocular distances. */
  outside: [number, number];
}

/**
 * Inside: the compositor's mask is 0 on the outline and reaches 1 about 18 canonical pixels
 * (0.12 inter-ocular distances) inside it, so the inner ring starts there; outside: the story's
 * own pixels right next to the outline.
 */
export const SEAM_BANDS: SeamBands = { inside: [0.12, 0.2], outside: [0.02, 0.1] };

/** Places along a face outline where colour is compared across it: a point and its inward normal. */
export interface SeamProbe {
  x: number;
  y: number;
  nx: number;
  ny: number;
}

/** Probes every `spacing` pixels along the closed outline, normals pointing into the face. */
export function seamProbes(outline: Float32Array, spacing: number): SeamProbe[] {
  const n = outline.length >> 1;
  const probes: SeamProbe[] = [];
  for (let i = 0; i < n; i++) {
    const ax = outline[2 * i],
      ay = outline[2 * i + 1];
    const bx = outline[2 * ((i + 1) % n)],
      by = outline[2 * ((i + 1) % n) + 1];
    const len = Math.hypot(bx - ax, by - ay);
    if (len < 1e-6) continue;
    let nx = -(by - ay) / len,
      ny = (bx - ax) / len;
    const mx = (ax + bx) / 2,
      my = (ay + by) / 2;
    if (!pointInPolygon(outline, mx + nx * 2, my + ny * 2)) {
      nx = -nx;
      ny = -ny;
    }
    const steps = Math.max(1, Math.floor(len / spacing));
    for (let s = 0; s < steps; s++) {
      const t = (s + 0.5) / steps;
      probes.push({ x: ax + (bx - ax) * t, y: ay + (by - ay) * t, nx, ny });
    }
  }
  return probes;
}

/** Interleaved RGB image (what the face model also reads). */
export interface RgbFrame {
  data: Uint8Array;
  width: number;
  height: number;
}

/**
 * Mean colour of the ring inside and the ring outside each probe (a few samples across the band
 * depth), both as Lab; null where a band leaves the frame or crosses the outline again.
 */
export function seamColours(
  image: RgbFrame,
  outline: Float32Array,
  probes: SeamProbe[],
  iod: number,
  bands: SeamBands = SEAM_BANDS,
): ({ inside: Float64Array; outside: Float64Array } | null)[] {
  const depths = (from: number, to: number) => [0, 0.25, 0.5, 0.75, 1].map((k) => (from + (to - from) * k) * iod);
  const din = depths(...bands.inside),
    dout = depths(...bands.outside);
  const mean = (p: SeamProbe, ds: number[], sign: number, wantInside: boolean): Float64Array | null => {
    let r = 0,
      g = 0,
      b = 0;
    for (const d of ds) {
      const x = p.x + sign * p.nx * d,
        y = p.y + sign * p.ny * d;
      const xi = Math.round(x - 0.5),
        yi = Math.round(y - 0.5);
      if (xi < 0 || yi < 0 || xi >= image.width || yi >= image.height) return null;
      if (pointInPolygon(outline, x, y) !== wantInside) return null;
      const o = (yi * image.width + xi) * 3;
      r += image.data[o];
      g += image.data[o + 1];
      b += image.data[o + 2];
    }
    return srgbToLab(r / ds.length, g / ds.length, b / ds.length, new Float64Array(3)) as Float64Array;
  };
  return probes.map((p) => {
    const inside = mean(p, din, 1, true);
    const outside = mean(p, dout, -1, false);
    return inside && outside ? { inside, outside } : null;
  });
}

export function deltaE(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** 4:2:0 planes over one yuv420p frame buffer. */
/** A packed yuv420p frame's planes (as ffmpeg writes them). */
export const yuvView = yuv420View;

/** Y'CbCr 4:2:0 (BT.709 or BT.601, limited or full range) to interleaved RGB, chroma nearest. */
export function yuvToRgb(frame: Yuv420, matrix: 'bt601' | 'bt709', range: 'tv' | 'pc'): RgbFrame {
  const { width, height } = frame.y;
  const out = new Uint8Array(width * height * 3);
  yuv420ToRgbRect(frame, yuvCoefficients(matrix, range), 0, 0, width, height, out);
  return { data: out, width, height };
}

export function mean(values: number[]): number {
  return values.length ? values.reduce((a, b) => a + b, 0) / values.length : NaN;
}

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round((p / 100) * (s.length - 1))))];
}

/**
 * The drawn features the insertion must cover (issue 18, "the character's eyes, brows, nose and mouth never show"):
 * the brows (17–26), the nose (27–35), the eyes with their corners (36–47) and the outer lips (48–59). The inner lips
 * are left out: an open mouth's interior is the story's own by design.
 */
export const FEATURE_POINTS = Array.from({ length: 43 }, (_, k) => 17 + k);

/** A feature point's name, for reports ("far eye outer corner" is told by the caller, who knows the turn). */
export function featurePointName(i: number): string {
  if (i < 22) return `brow, image-left (${i})`;
  if (i < 27) return `brow, image-right (${i})`;
  if (i < 36) return `nose (${i})`;
  if (i < 42) return `eye, image-left (${i}${i === 36 ? ', outer corner' : ''})`;
  if (i < 48) return `eye, image-right (${i}${i === 45 ? ', outer corner' : ''})`;
  return `lips (${i})`;
}

export interface FeatureCover {
  /** The lowest insertion alpha met on any feature point's path outwards (see featureCover); 1 when none was checked. */
  minAlpha: number;
  /** The point where it was met (-1 when none was checked). */
  worst: number;
  /** Feature points checked (those in the frame and not behind an occluder). */
  points: number;
}

/**
 * How well the insertion covers the drawn features of one frame: for each of `truth`'s FEATURE_POINTS (the drawn
 * truth, frame px), the insertion's alpha is read (nearest pixel) along the path from the point outwards — away from
 * the features' centroid — for `margin` × the inter-ocular distance (a drawn eye's lashes and a brow's tail reach past
 * their landmark); the minimum over the path and over the points is the frame's figure. `alpha` covers `bbox` (the
 * compositor's lastAlpha and report bbox); outside it the alpha is 0. Points for which `skip(x, y)` holds (behind an
 * occluder, out of the frame) are not checked, and a point's path stops where it reaches such a place.
 */
export function featureCover(
  alpha: { data: Float32Array; width: number; height: number },
  bbox: Rect | null,
  truth: ArrayLike<number>,
  margin: number,
  skip: (x: number, y: number) => boolean = () => false,
): FeatureCover {
  let cx = 0,
    cy = 0;
  for (const i of FEATURE_POINTS) {
    cx += truth[2 * i];
    cy += truth[2 * i + 1];
  }
  cx /= FEATURE_POINTS.length;
  cy /= FEATURE_POINTS.length;
  const reach = margin * interOcularDistance(truth);
  const at = (x: number, y: number): number => {
    if (!bbox) return 0;
    const i = Math.floor(x) - bbox.x,
      j = Math.floor(y) - bbox.y;
    return i >= 0 && j >= 0 && i < bbox.width && j < bbox.height ? alpha.data[j * alpha.width + i] : 0;
  };
  let minAlpha = 1,
    worst = -1,
    points = 0;
  for (const i of FEATURE_POINTS) {
    const x = truth[2 * i],
      y = truth[2 * i + 1];
    if (skip(x, y)) continue;
    points++;
    const dx = x - cx,
      dy = y - cy,
      len = Math.hypot(dx, dy) || 1;
    const steps = Math.max(1, Math.ceil(reach));
    for (let s = 0; s <= steps; s++) {
      const t = (reach * s) / steps / len;
      // The path stops where it leaves what is checked (the frame's edge, an occluder).
      if (s > 0 && skip(x + t * dx, y + t * dy)) break;
      const a = at(x + t * dx, y + t * dy);
      if (a < minAlpha || worst < 0) {
        minAlpha = a;
        worst = i;
      }
    }
  }
  return { minAlpha: points ? minAlpha : 1, worst, points };
}
