// Per-frame insertion of one prepared child face into one decoded 4:2:0 frame, in place:
// mesh points for the frame's landmarks -> destination bbox -> one warp pass for Y + mask and one
// for U + V (half scale) -> alpha := min(mask, yaw fade, 1 - open-mouth interior, 1 - occluders)
// -> colour transfer as per-channel 8-bit LUTs -> alpha blend (or Laplacian blend for Y).
//
// Colour transfer happens in YUV per frame because the frames arrive and leave as yuv420p: a
// per-channel gain/offset in Y'CbCr is three 256-entry LUTs and one lookup per sample, while a
// Lab transfer would cost two colour conversions per pixel per frame. Y'CbCr's luma/opponent-
// chroma split is close enough to Lab's for a mean/std (Reinhard) match on skin; the Lab stats
// are kept for offline checks and tuning where exactness matters more than speed.
//
// Must never touch pixels outside the bbox, never write where alpha is 0, and never allocate per
// frame beyond the bbox-sized scratch it keeps (buffers only grow).
import {
  ChannelStats, createWarpScratch, FACE_MESH_POINT_COUNT, faceMeshPoints, FloatPlane, gatherPoints,
  INNER_MOUTH, LaplacianBlender, Plane, pointsBoundingRect, PolygonRasterizer, Rect, reinhardTransfer,
  transferLut, warpTriangles, Yuv420, yuvCoefficients,
} from '@talecast/geometry';
import { PreparedFace } from './prepared-face';

export type YuvFrame = Yuv420;

export interface FrameTarget {
  /** 68 landmarks in frame pixels (precomputed and smoothed offline). */
  landmarks: Float32Array;
  /** The story face's skin statistics [Y, Cb, Cr], same matrix/range as the prepared face. */
  colour: ChannelStats;
  /** Head yaw in degrees. */
  yaw: number;
  /** Inner-lip gap over mouth width (see `mouthOpenness`). */
  mouthOpen: number;
  /** Polygons (flat [x0, y0, ...] in frame pixels) that must never be painted over. */
  occluders: Float32Array[];
}

export interface CompositeOptions {
  /** 'alpha' (default) or 'laplacian' (multi-band blend of Y; chroma stays alpha-blended). */
  blend?: 'alpha' | 'laplacian';
  pyramidLevels?: number;
  /** The story's own mouth interior starts to show at this openness (default 0.12)... */
  mouthOpenThreshold?: number;
  /** ...and shows fully this much above it (default 0.05). */
  mouthOpenRamp?: number;
  /** Full face below this |yaw| (default 35°), none beyond yawFadeEnd (default 60°), smoothstep between. */
  yawFadeStart?: number;
  yawFadeEnd?: number;
  /** Colour transfer strength 0..1 (default 1) and gain clamp (default 2). */
  colourStrength?: number;
  maxGain?: number;
  /** Global opacity 0..1 (default 1). */
  opacity?: number;
}

export interface CompositeReport {
  /** The luma rectangle that was visited (null when skipped). */
  bbox: Rect | null;
  /** Mean final alpha over the bbox. */
  meanAlpha: number;
  /** Luma pixels covered by the warped mesh. */
  coveredPixels: number;
  yawFade: number;
  /** How strongly the story's mouth interior was kept (0..1). */
  mouthCut: number;
  skipped?: 'yaw' | 'outside';
}

const INNER_MOUTH_POINTS = INNER_MOUTH.length;

/** A compositor instance holds the scratch pool; keep one per worker thread (not thread-safe). */
export class FrameCompositor {
  private readonly rasterizer = new PolygonRasterizer();
  private readonly warpScratch = createWarpScratch();
  private blender: LaplacianBlender | undefined;
  private readonly mesh = new Float32Array(FACE_MESH_POINT_COUNT * 2);
  private readonly mouth = new Float32Array(INNER_MOUTH_POINTS * 2);
  private readonly warpedY: Plane = { data: new Uint8Array(0), width: 0, height: 0, stride: 0 };
  private readonly warpedU: Plane = { data: new Uint8Array(0), width: 0, height: 0, stride: 0 };
  private readonly warpedV: Plane = { data: new Uint8Array(0), width: 0, height: 0, stride: 0 };
  private readonly alpha: FloatPlane = { data: new Float32Array(0), width: 0, height: 0 };
  private readonly lutY = new Uint8Array(256);
  private readonly lutU = new Uint8Array(256);
  private readonly lutV = new Uint8Array(256);
  private readonly layersY = { a: { src: this.warpedY, out: this.warpedY }, mask: { src: this.alpha, out: this.alpha } };
  private readonly layersUV = { a: { src: this.warpedU, out: this.warpedU }, b: { src: this.warpedV, out: this.warpedV } };

  /** The last composite's luma alpha over its bbox (diagnostics; overwritten by the next call). */
  get lastAlpha(): FloatPlane {
    return this.alpha;
  }

  composite(frame: YuvFrame, face: PreparedFace, target: FrameTarget, options: CompositeOptions = {}): CompositeReport {
    const W = frame.y.width, H = frame.y.height;
    if (frame.u.width !== (W + 1) >> 1 || frame.u.height !== (H + 1) >> 1 ||
        frame.v.width !== frame.u.width || frame.v.height !== frame.u.height) {
      throw new RangeError('frame is not 4:2:0');
    }
    const fade = yawFade(target.yaw, options.yawFadeStart ?? 35, options.yawFadeEnd ?? 60);
    const limit = Math.min(fade, clamp01(options.opacity ?? 1));
    if (!(limit > 0)) return { bbox: null, meanAlpha: 0, coveredPixels: 0, yawFade: fade, mouthCut: 0, skipped: 'yaw' };

    const dst = faceMeshPoints(target.landmarks, this.mesh);
    const r = pointsBoundingRect(dst, W, H);
    if (r.width === 0 || r.height === 0) {
      return { bbox: null, meanAlpha: 0, coveredPixels: 0, yawFade: fade, mouthCut: 0, skipped: 'outside' };
    }
    // Start on even luma so chroma sample (i, j) of the region covers luma (2i..2i+1, 2j..2j+1).
    const x0 = r.x & ~1, y0 = r.y & ~1;
    const w = r.x + r.width - x0, h = r.y + r.height - y0;
    const region: Rect = { x: x0, y: y0, width: w, height: h };
    const cw = (w + 1) >> 1, ch = (h + 1) >> 1;
    const chromaRegion: Rect = { x: x0 >> 1, y: y0 >> 1, width: cw, height: ch };

    // Y and the mask in one warp pass.
    resizePlane(this.warpedY, w, h);
    resizeFloat(this.alpha, w, h);
    this.layersY.a.src = face.texture.y;
    this.layersY.mask.src = face.mask;
    const covered = warpTriangles(face.meshPoints, dst, face.triangles, region, this.layersY, 1, this.warpScratch);

    // alpha := min(mask, yaw fade, opacity, 1 - mouth interior, 1 - occluders)
    const alpha = this.alpha.data, n = w * h;
    if (limit < 1) for (let k = 0; k < n; k++) if (alpha[k] > limit) alpha[k] = limit;
    const threshold = options.mouthOpenThreshold ?? 0.12;
    const mouthCut = smoothstep(threshold, threshold + (options.mouthOpenRamp ?? 0.05), target.mouthOpen);
    if (mouthCut > 0) {
      gatherPoints(dst, INNER_MOUTH, this.mouth);
      this.rasterizer.fill(this.alpha, this.mouth, { originX: x0, originY: y0, combine: 'cut', value: mouthCut });
    }
    for (const polygon of target.occluders) {
      this.rasterizer.fill(this.alpha, polygon, { originX: x0, originY: y0, combine: 'cut' });
    }
    let sum = 0;
    for (let k = 0; k < n; k++) sum += alpha[k];
    const report: CompositeReport = { bbox: region, meanAlpha: sum / n, coveredPixels: covered, yawFade: fade, mouthCut };
    if (sum === 0) return report;

    this.buildLuts(face, target.colour, options);

    // Luma.
    const fy = frame.y.data, fys = frame.y.stride, wy = this.warpedY.data, lutY = this.lutY;
    if (options.blend === 'laplacian') {
      for (let k = 0; k < n; k++) wy[k] = lutY[wy[k]];
      const view: Plane = { data: fy.subarray(y0 * fys + x0), width: w, height: h, stride: fys };
      this.blender ??= new LaplacianBlender();
      this.blender.blend(this.warpedY, view, this.alpha, view, { levels: options.pyramidLevels ?? 4, keepOutsideMask: true });
    } else {
      for (let j = 0; j < h; j++) {
        const fr = (y0 + j) * fys + x0, ar = j * w;
        for (let i = 0; i < w; i++) {
          const a = alpha[ar + i];
          if (a <= 0) continue;
          const f = fy[fr + i];
          fy[fr + i] = (f + a * (lutY[wy[ar + i]] - f) + 0.5) | 0;
        }
      }
    }

    // Chroma: warp U and V together at half scale, alpha = min over the 2x2 luma block so that a
    // chroma sample shared with a protected luma pixel is never changed.
    resizePlane(this.warpedU, cw, ch);
    resizePlane(this.warpedV, cw, ch);
    this.layersUV.a.src = face.texture.u;
    this.layersUV.b.src = face.texture.v;
    warpTriangles(face.meshPoints, dst, face.triangles, chromaRegion, this.layersUV, 0.5, this.warpScratch);
    const fu = frame.u.data, fus = frame.u.stride, fv = frame.v.data, fvs = frame.v.stride;
    const wu = this.warpedU.data, wv = this.warpedV.data, lutU = this.lutU, lutV = this.lutV;
    for (let cj = 0; cj < ch; cj++) {
      const r0 = 2 * cj * w, r1 = 2 * cj + 1 < h ? r0 + w : r0;
      const ur = (chromaRegion.y + cj) * fus + chromaRegion.x, vr = (chromaRegion.y + cj) * fvs + chromaRegion.x;
      for (let ci = 0; ci < cw; ci++) {
        const c0 = 2 * ci, c1 = c0 + 1 < w ? c0 + 1 : c0;
        let a = alpha[r0 + c0];
        const a1 = alpha[r0 + c1], a2 = alpha[r1 + c0], a3 = alpha[r1 + c1];
        if (a1 < a) a = a1;
        if (a2 < a) a = a2;
        if (a3 < a) a = a3;
        if (a <= 0) continue;
        const k = cj * cw + ci;
        const u = fu[ur + ci], v = fv[vr + ci];
        fu[ur + ci] = (u + a * (lutU[wu[k]] - u) + 0.5) | 0;
        fv[vr + ci] = (v + a * (lutV[wv[k]] - v) + 0.5) | 0;
      }
    }
    return report;
  }

  private buildLuts(face: PreparedFace, colour: ChannelStats, options: CompositeOptions): void {
    const k = yuvCoefficients(face.matrix, face.range);
    const usable = colour && colour.weight > 0 && colour.mean.length >= 3 && face.skinYuv.weight > 0;
    const t = usable
      ? reinhardTransfer(face.skinYuv, colour, { maxGain: options.maxGain ?? 2, strength: options.colourStrength ?? 1 })
      : { gain: [1, 1, 1], offset: [0, 0, 0] };
    transferLut(t.gain[0], t.offset[0], k.yMin, k.yMax, this.lutY);
    transferLut(t.gain[1], t.offset[1], k.cMin, k.cMax, this.lutU);
    transferLut(t.gain[2], t.offset[2], k.cMin, k.cMax, this.lutV);
  }
}

let shared: FrameCompositor | undefined;

/**
 * Composites `face` into `frame` in place with a shared per-thread FrameCompositor (see
 * `FrameCompositor.composite`). Returns the bbox and mean alpha.
 */
export function compositeFace(frame: YuvFrame, face: PreparedFace, target: FrameTarget, options?: CompositeOptions): CompositeReport {
  shared ??= new FrameCompositor();
  return shared.composite(frame, face, target, options);
}

/** 1 below `start` degrees of |yaw|, 0 beyond `end`, smoothstep between. */
export function yawFade(yawDegrees: number, start = 35, end = 60): number {
  return 1 - smoothstep(start, end, Math.abs(yawDegrees));
}

function smoothstep(edge0: number, edge1: number, x: number): number {
  if (!(x > edge0)) return 0;
  if (x >= edge1) return 1;
  const t = (x - edge0) / (edge1 - edge0);
  return t * t * (3 - 2 * t);
}

function clamp01(v: number): number {
  return v > 0 ? (v < 1 ? v : 1) : 0;
}

function resizePlane(p: Plane, width: number, height: number): void {
  if (p.data.length < width * height) p.data = new Uint8Array(Math.ceil(width * height * 1.25));
  p.width = width;
  p.height = height;
  p.stride = width;
}

function resizeFloat(p: FloatPlane, width: number, height: number): void {
  if (p.data.length < width * height) p.data = new Float32Array(Math.ceil(width * height * 1.25));
  p.width = width;
  p.height = height;
}
