// Per-frame insertion of one prepared child face into one decoded 4:2:0 frame, in place:
// mesh points for the frame's landmarks -> destination bbox of the face outline (the mask is 0
// outside it, so only the triangles inside are warped) -> limits (yaw fade, open-mouth
// interior, occluders) -> one warp pass over luma that samples the mask, forms
// alpha := min(mask, limits), samples Y, applies the colour LUT and blends straight into the
// frame -> one warp pass over chroma (half scale) doing the same for U and V with the 2x2-min
// alpha. The Laplacian option warps Y into scratch first and blends it multi-band.
//
// Colour transfer happens in YUV per frame because the frames arrive and leave as yuv420p: a
// per-channel gain/offset in Y'CbCr is three 256-entry LUTs and one lookup per sample, while a
// Lab transfer would cost two colour conversions per pixel per frame. Y'CbCr's luma/opponent-
// chroma split is close enough to Lab's for a mean/std (Reinhard) match on skin; the Lab stats
// are kept for offline checks and tuning where exactness matters more than speed.
//
// Must never touch pixels outside the bbox, never write where alpha is 0, and never allocate per
// frame beyond the bbox-sized scratch it keeps (buffers only grow) and the small report.
import {
  ChannelStats,
  ColourTransfer,
  createWarpScratch,
  FACE_MESH_POINT_COUNT,
  FACE_OUTLINE,
  faceMeshPoints,
  FloatPlane,
  forEachWarpSpan,
  gatherPoints,
  INNER_MOUTH,
  LaplacianBlender,
  Plane,
  PolygonFillOptions,
  PolygonRasterizer,
  Rect,
  ReinhardOptions,
  FOOTPRINT_ONE,
  FOOTPRINT_ZERO,
  fitSimilarity,
  LANDMARK_COUNT,
  reinhardTransfer,
  transferLut,
  warpTriangles,
  WarpSpanVisitor,
  Yuv420,
  yuvCoefficients,
  interOcularDistance,
  pointInPolygon,
  scaleEyes,
  centroid,
  RIGHT_EYE,
  LEFT_EYE,
  FOREHEAD_RATIO,
  FOREHEAD_ARC,
  OUTER_ARC,
  OUTER_JAW,
  OUTER_JAW_SOURCES,
  foreheadArcCentre,
  mouthOpenness,
  openMouthTo,
  SeparableField,
} from '@talecast/geometry';
import { PreparedFace } from './prepared-face';
import { EyeAnimator, EyeState } from './eye-animator';
import { innerMouthTriangles, MouthInterior, photoMouthClosed } from './mouth-interior';
import { MouthShaper } from './mouth-shape';
import { SHADING_CELL, StoryShading } from './face-shading';
import { DrawnReach, measureDrawnReach, reachOutline } from './far-side';

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
  /**
   * The story's eyes this frame (per-eye lid openness and gaze, see CONTRACTS). When given, the
   * child's own eye shape is kept, its lids move to this openness and its irises follow the gaze;
   * when absent, the eyes are warped with the landmarks as before.
   */
  eyes?: EyeState | null;
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
  /**
   * How much of the child's own inner-face shape to keep, 0..1 (default CHILD_SHAPE): the brows,
   * eyes and nose go to this blend between the frame's landmarks and the child's canonical
   * landmarks posed onto them by a similarity fit on those points (the head's position, scale and
   * roll stay the frame's; the jaw line is always the frame's). Measured (eval, story a × sample1):
   * 0 → 60% of frames recognised as the child, 0.35 → 93%, 0.5 → 100%, with placement unchanged.
   * On drawn ('toon') stories the default is TOON_CHILD_SHAPE, for the mouth too (see there).
   */
  childShape?: number;
  /** The same for the mouth (default CHILD_MOUTH_SHAPE = 0: the mouth follows the story exactly,
   *  which kept placement best; always scaled down as the story's open mouth is cut in). */
  childMouthShape?: number;
  /** The same for the jaw line (default 0: the outline is the story's). */
  childJawShape?: number;
  /** Draw a dark interior between the lips when the photo's mouth is closed (default true), so its
   *  closed lips are never stretched over the story's open mouth. */
  mouthInterior?: boolean;
  /**
   * The child's eyes drawn this much larger about their centres (default EYE_SCALE), for characters
   * whose drawn eyes are far larger than a child's: their spacing, the nose and the mouth stay the
   * child's. See the identity/proportion measurement in the notes.
   */
  eyeScale?: number;
  /** In the upper forehead (see PreparedFace.foreheadZone), leave frame pixels that are not the story
   *  face's skin colour (the character's fringe) as they are (default: on for drawn stories only). */
  keepStoryHair?: boolean;
  /**
   * Push the frame's face outline (the forehead arc and the upper jaw, nothing at the chin) this share
   * outwards from the arc's centre (default 0; TOON_OUTLINE_GROW for drawn ('toon') stories): a drawn head
   * is rounder than the 68-point jaw says, and the skin between the two (with the ends of wide drawn
   * brows) would otherwise stay the character's. The child's skin is stretched over it.
   */
  outlineGrow?: number;
  /**
   * Push each side of the outline out to the story face's drawn eyes and brows, measured on the frame (see far-side:
   * a turned drawn head's far side is read short, and its drawn far eye showed beside the child's temple). Default: on
   * for drawn ('toon') stories; frames whose drawn features already lie inside the outline are not changed.
   */
  drawnReach?: boolean;
  /** The story's light grid cell in eye distances (default SHADING_CELL, TOON_SHADING_CELL on drawn stories) and the gain's exponent (default 1). */
  shadingCell?: number;
  shadingStrength?: number;
  /** Added to the level choice's log2 scale before flooring (default LEVEL_BIAS, TOON_LEVEL_BIAS on drawn stories; lower: a larger copy). */
  levelBias?: number;
  /** With the shading carried, the child's skin detail is scaled by this (default DETAIL_GAIN). */
  detailGain?: number;
  /**
   * Carry the story face's low-frequency shading onto the child's luma, and match its colour on the
   * skin that measure counts (see face-shading). Default: on. Session 7 had it off for photo stories (the
   * skin fill and the light moved story a × sample1's detected jaw 5.1% → 9.3%); without the skin fill
   * and with today's placement it no longer does (a × sample1 aligned placement 3.94% → 3.88%), and a
   * flash-lit photo's face (sample6), as bright at its jaw as at its nose, left a light rim against the
   * story's darker face edge: the seam (docs/notes/2026-12-07-s12/photo12.md).
   */
  shading?: boolean;
}

/** Default share of the child's own brow/eye/nose proportions kept in every frame. */
export const CHILD_SHAPE = 0.5;
/** Default eye size over the child's own (1: the child's). */
export const EYE_SCALE = 1;
/** Default share of the child's own mouth shape kept (0: the story's mouth shape). */
export const CHILD_MOUTH_SHAPE = 0;
/**
 * Default share of the child's own brow/eye/nose and mouth shape on drawn ('toon') stories: all of it
 * (the mouth opened as the story's, see blendChildShape). On the generated tale (1280x720, every 8th
 * hero frame) the child was recognised in 7% of the frames at 0.5 and 0 (sample1), 86–90% with the
 * child's mouth kept; the inner face alone did not move it.
 */
export const TOON_CHILD_SHAPE = 1;

export interface CompositeReport {
  /** The luma rectangle that was visited (null when skipped). */
  bbox: Rect | null;
  /** Mean final alpha over the bbox. */
  meanAlpha: number;
  /** Luma pixels covered by the warped face triangles (inside the outline). */
  coveredPixels: number;
  yawFade: number;
  /** How strongly the story's mouth interior was kept (0..1). */
  mouthCut: number;
  skipped?: 'yaw' | 'outside';
}

const INNER_MOUTH_POINTS = INNER_MOUTH.length;

/** See levelFor. */
const LEVEL_BIAS = 0.2;
/** Drawn stories: a copy up to ~2.5× the frame's face size is shrunk rather than the next smaller one used
 *  (sample6 at 640x360: 72% of the frames recognised against 70%, -0.8: 81%; a ~3.5× shrink by bilinear samples would alias, not tried further). */
export const TOON_LEVEL_BIAS = -0.3;
/** The story's light grid on a drawn face, in eye distances (face-shading's SHADING_CELL is 0.3): at 0.3 it
 *  carried the drawn face's own blush and nose shading onto the child's (sample6 at 640x360: 77% against 70%). */
export const TOON_SHADING_CELL = 0.6;

/** A compositor instance holds the scratch pool; keep one per worker thread (not thread-safe). */
export class FrameCompositor {
  private readonly rasterizer = new PolygonRasterizer();
  private readonly warpScratch = createWarpScratch();
  private blender: LaplacianBlender | undefined;
  private readonly mesh = new Float32Array(FACE_MESH_POINT_COUNT * 2);
  private readonly shaped = new Float32Array(LANDMARK_COUNT * 2);
  private readonly eyed = new Float32Array(LANDMARK_COUNT * 2);
  private readonly eyeAnimator = new EyeAnimator();
  private readonly mouthInterior = new MouthInterior();
  /** The child's mouth closed towards the story's (see mouth-shape). */
  private readonly mouthShaper = new MouthShaper();
  /** Per face: its inner-mouth triangles when its photo's mouth is closed (empty: the photo's own interior is warped). */
  private readonly mouthTriangles = new WeakMap<PreparedFace, Uint32Array>();
  private readonly luts: [Uint8Array, Uint8Array, Uint8Array];
  private readonly mouth = new Float32Array(INNER_MOUTH_POINTS * 2);
  private readonly outline = new Float32Array(FACE_OUTLINE.length * 2);
  private readonly reach: DrawnReach = { rays: new Float64Array(0), count: 0, iod: 0, weight: 0 };
  private readonly warpedY: Plane = { data: new Uint8Array(0), width: 0, height: 0, stride: 0 };
  private readonly alpha: FloatPlane = { data: new Float32Array(0), width: 0, height: 0 };
  private readonly limits: FloatPlane = { data: new Float32Array(0), width: 0, height: 0 };
  private readonly lutY = new Uint8Array(256);
  private readonly lutU = new Uint8Array(256);
  private readonly lutV = new Uint8Array(256);
  constructor() {
    this.luts = [this.lutY, this.lutU, this.lutV];
  }
  private readonly layersY = { a: { src: this.warpedY, out: this.warpedY }, mask: { src: this.alpha, out: this.alpha } };
  private readonly luma = new LumaBlendSpans();
  // Reused small objects, so a frame allocates nothing but its report.
  private readonly region: Rect = { x: 0, y: 0, width: 0, height: 0 };
  private readonly chromaRegion: Rect = { x: 0, y: 0, width: 0, height: 0 };
  private readonly cut: PolygonFillOptions = { originX: 0, originY: 0, combine: 'cut', value: 1 };
  private readonly transfer: ColourTransfer = { gain: [1, 1, 1], offset: [0, 0, 0] };
  private readonly reinhard: ReinhardOptions = {};
  private readonly chroma = new ChromaBlendSpans();
  private readonly shading = new StoryShading();
  private readonly storyMesh = new Float32Array(FACE_MESH_POINT_COUNT * 2);
  private readonly storyOutline = new Float32Array(FACE_OUTLINE.length * 2);
  /** The story's colour with the luma spread the shading already carries taken out (reused). */
  private readonly residualColour: ChannelStats = { mean: [0, 0, 0], std: [0, 0, 0], weight: 0 };
  /** The copy each face was last drawn from (see levelFor). */
  private readonly levels = new WeakMap<PreparedFace, number>();
  private placed: ArrayLike<number> | null = null;

  /**
   * Which copy of the face to sample: the smallest whose eye distance is at least about the
   * frame's (log2 of texture/frame eye distance, + 0.2, floored: a texture is shrunk by at most
   * ~1.75× and never enlarged by more than ~1.15×), with hysteresis so a face scaling through a
   * boundary does not flip between copies frame to frame.
   */
  private levelFor(face: PreparedFace, landmarks: ArrayLike<number>, bias = LEVEL_BIAS): PreparedFace {
    if (!face.smaller.length) return face;
    const target = interOcularDistance(landmarks);
    if (!(target > 0)) return face;
    const s = Math.log2(interOcularDistance(face.landmarks) / target);
    let level = this.levels.get(face);
    if (level === undefined || s < level - 0.1 - bias || s >= level + 1.1 - bias) level = Math.floor(s + bias);
    level = Math.max(0, Math.min(face.smaller.length, level));
    this.levels.set(face, level);
    return level === 0 ? face : face.smaller[level - 1];
  }

  /** The last composite's luma alpha over its bbox (diagnostics; overwritten by the next call). */
  get lastAlpha(): FloatPlane {
    return this.alpha;
  }

  /** The last composite's 68 landmarks where the child's features were put (diagnostics; null if it drew nothing). */
  get lastLandmarks(): ArrayLike<number> | null {
    return this.placed;
  }

  composite(frame: YuvFrame, prepared: PreparedFace, target: FrameTarget, options: CompositeOptions = {}): CompositeReport {
    const W = frame.y.width,
      H = frame.y.height;
    const face = this.levelFor(prepared, target.landmarks, options.levelBias ?? (prepared.style === 'toon' ? TOON_LEVEL_BIAS : LEVEL_BIAS));
    if (frame.u.width !== (W + 1) >> 1 || frame.u.height !== (H + 1) >> 1 || frame.v.width !== frame.u.width || frame.v.height !== frame.u.height) {
      throw new RangeError('frame is not 4:2:0');
    }
    this.placed = null;
    const fade = yawFade(target.yaw, options.yawFadeStart ?? 35, options.yawFadeEnd ?? 60);
    const limit = Math.min(fade, clamp01(options.opacity ?? 1));
    if (!(limit > 0)) return { bbox: null, meanAlpha: 0, coveredPixels: 0, yawFade: fade, mouthCut: 0, skipped: 'yaw' };

    // Limits: yaw fade and opacity as a scalar; the open mouth and occluders cut into a plane.
    const threshold = options.mouthOpenThreshold ?? 0.12;
    let mouthCut = smoothstep(threshold, threshold + (options.mouthOpenRamp ?? 0.05), target.mouthOpen);
    // The story's own interior only where it looks like one (darker than the face's skin); else
    // the child's mouth stays (and a closed-lipped photo gets the drawn interior).
    if (mouthCut > 0 && options.mouthInterior !== false && !storyInteriorDark(frame.y, gatherPoints(target.landmarks, INNER_MOUTH, this.mouth), target.colour))
      mouthCut = 0;
    const drawn = prepared.style === 'toon';
    const childShape = clamp01(options.childShape ?? (drawn ? TOON_CHILD_SHAPE : CHILD_SHAPE));
    const mouthShape = clamp01(options.childMouthShape ?? (drawn ? TOON_CHILD_SHAPE : CHILD_MOUTH_SHAPE)) * (1 - mouthCut);
    const jawShape = clamp01(options.childJawShape ?? 0);
    let landmarks =
      childShape > 0 || mouthShape > 0 || jawShape > 0 ? this.blendChildShape(face, target.landmarks, childShape, mouthShape, jawShape) : target.landmarks;
    const eyes = target.eyes ?? null;
    if (eyes) landmarks = this.eyeAnimator.shapeEyes(face.landmarks, face.eyes, target.landmarks, landmarks, eyes, this.eyed);
    const eyeScale = options.eyeScale ?? EYE_SCALE;
    if (eyeScale !== 1) landmarks = scaleEyes(landmarks, eyeScale, this.eyed);
    this.placed = landmarks;
    const dst = faceMeshPoints(landmarks, this.mesh);
    const grow = options.outlineGrow ?? (drawn ? TOON_OUTLINE_GROW : 0);
    if (grow > 0) growOutline(dst, grow);
    if (options.drawnReach ?? drawn)
      reachOutline(dst, target.landmarks, measureDrawnReach(frame, target.landmarks, target.colour, target.yaw, this.reach), this.outline);
    const outline = gatherPoints(dst, FACE_OUTLINE, this.outline);
    let minX = Infinity,
      minY = Infinity,
      maxX = -Infinity,
      maxY = -Infinity;
    for (let k = 0; k < outline.length; k += 2) {
      if (outline[k] < minX) minX = outline[k];
      if (outline[k] > maxX) maxX = outline[k];
      if (outline[k + 1] < minY) minY = outline[k + 1];
      if (outline[k + 1] > maxY) maxY = outline[k + 1];
    }
    // Pixels whose centres can be inside, clipped; start on even luma so chroma sample (i, j) of
    // the region covers luma (2i..2i+1, 2j..2j+1).
    const x0 = Math.max(0, Math.floor(minX)) & ~1,
      y0 = Math.max(0, Math.floor(minY)) & ~1;
    const w = Math.min(W, Math.ceil(maxX)) - x0,
      h = Math.min(H, Math.ceil(maxY)) - y0,
      n = w * h;
    if (!(w > 0 && h > 0)) {
      return { bbox: null, meanAlpha: 0, coveredPixels: 0, yawFade: fade, mouthCut: 0, skipped: 'outside' };
    }
    const region = this.region;
    region.x = x0;
    region.y = y0;
    region.width = w;
    region.height = h;

    const cuts = mouthCut > 0 || target.occluders.length > 0;
    if (cuts) {
      resizeFloat(this.limits, w, h);
      this.limits.data.fill(limit, 0, n);
      const cut = this.cut;
      cut.originX = x0;
      cut.originY = y0;
      if (mouthCut > 0) {
        cut.value = mouthCut;
        this.rasterizer.fill(this.limits, gatherPoints(dst, INNER_MOUTH, this.mouth), cut);
      }
      cut.value = 1;
      for (let o = 0; o < target.occluders.length; o++) this.rasterizer.fill(this.limits, target.occluders[o], cut);
    }
    // The story's light: measured on the frame before anything is drawn over it.
    this.coefficientsFor(face);
    const shaded =
      (options.shading ?? true) &&
      this.shading.measure(
        frame,
        region,
        gatherPoints(faceMeshPoints(target.landmarks, this.storyMesh), FACE_OUTLINE, this.storyOutline),
        target.colour,
        interOcularDistance(target.landmarks),
        this.coefficients.yMin,
        options.shadingCell ?? (drawn ? TOON_SHADING_CELL : SHADING_CELL),
        options.shadingStrength,
      );
    // With the light measured, the colour is matched on the skin that measure counted (trimmed).
    this.buildLuts(
      face,
      shaded ? this.withoutShading(this.shading.skin, this.shading.variance, face.skinYuv.std, options.detailGain ?? DETAIL_GAIN) : target.colour,
      options,
    );
    resizeFloat(this.alpha, w, h);
    const alpha = this.alpha.data;

    let covered: number;
    let sum = 0;
    if (options.blend === 'laplacian') {
      resizePlane(this.warpedY, w, h);
      this.layersY.a.src = face.texture.y;
      this.layersY.mask.src = face.mask;
      covered = warpTriangles(face.meshPoints, dst, face.faceTriangles, region, this.layersY, 1, this.warpScratch);
      const lim = this.limits.data;
      for (let k = 0; k < n; k++) {
        const cap = cuts ? lim[k] : limit;
        if (alpha[k] > cap) alpha[k] = cap;
        sum += alpha[k];
      }
      if (sum > 0) {
        const wy = this.warpedY.data,
          lutY = this.lutY;
        for (let k = 0; k < n; k++) wy[k] = lutY[wy[k]];
        if (shaded) {
          const g = this.shading.gainPlane().data,
            y0 = this.coefficients.yMin;
          for (let k = 0; k < n; k++) {
            const v = y0 + (wy[k] - y0) * g[k] + 0.5;
            wy[k] = v > 255 ? 255 : v;
          }
        }
        const view: Plane = { data: frame.y.data.subarray(y0 * frame.y.stride + x0), width: w, height: h, stride: frame.y.stride };
        this.blender ??= new LaplacianBlender();
        this.blender.blend(this.warpedY, view, this.alpha, view, { levels: options.pyramidLevels ?? 4, keepOutsideMask: true });
      }
    } else {
      alpha.fill(0, 0, n);
      this.luma.setup(
        frame.y,
        face,
        region,
        this.alpha,
        cuts ? this.limits : null,
        limit,
        this.lutY,
        shaded ? this.shading.gainField : null,
        this.coefficients.yMin,
      );
      if (options.keepStoryHair ?? drawn) this.luma.keepHair(frame, target.landmarks, target.colour);
      covered = forEachWarpSpan(face.meshPoints, dst, face.faceTriangles, region, this.luma, 1, this.warpScratch);
      sum = this.luma.alphaSum;
      this.luma.release();
    }
    const report: CompositeReport = { bbox: { x: x0, y: y0, width: w, height: h }, meanAlpha: sum / n, coveredPixels: covered, yawFade: fade, mouthCut };
    if (sum === 0) return report;

    // Chroma at half scale; alpha = min over each 2x2 luma block, so a chroma sample shared with
    // a protected luma pixel is never changed.
    const chromaRegion = this.chromaRegion;
    chromaRegion.x = x0 >> 1;
    chromaRegion.y = y0 >> 1;
    chromaRegion.width = (w + 1) >> 1;
    chromaRegion.height = (h + 1) >> 1;
    this.chroma.setup(frame, face, region, this.alpha, this.lutU, this.lutV);
    forEachWarpSpan(face.meshPoints, dst, face.faceTriangles, chromaRegion, this.chroma, 0.5, this.warpScratch);
    this.chroma.release();
    if (options.mouthInterior !== false) {
      let tris = this.mouthTriangles.get(face);
      if (!tris) {
        tris = photoMouthClosed(face.landmarks) ? innerMouthTriangles(face.faceTriangles) : new Uint32Array(0);
        this.mouthTriangles.set(face, tris);
      }
      this.mouthInterior.draw(frame, face.meshPoints, dst, tris, region, alpha, this.coefficients, this.warpScratch);
    }
    if (eyes) this.eyeAnimator.coverShutEyes(frame, face.texture, face.eyes, face.meshPoints, dst, region, alpha, this.luts, this.warpScratch);
    if (eyes) this.eyeAnimator.drawIrises(frame, face.texture, face.eyes, face.meshPoints, dst, eyes, region, alpha, this.luts, this.warpScratch);
    return report;
  }

  /** blendChildShape with the child's mouth closed towards the story's and opened as mouth-shape says. */
  private blendChildShape(face: PreparedFace, frame: ArrayLike<number>, amount: number, mouthAmount: number, jawAmount: number): Float32Array {
    if (!(mouthAmount > 0)) return blendChildShape(face.landmarks, frame, amount, 0, this.shaped, jawAmount);
    const opening = this.mouthShaper.openingFor(face.landmarks, mouthOpenness(frame));
    const child = this.mouthShaper.childFor(face.landmarks, opening);
    return blendChildShape(child, frame, amount, mouthAmount, this.shaped, jawAmount, opening);
  }

  private coefficients = yuvCoefficients('bt709', 'tv');
  private coefficientsMatrix = 'bt709';
  private coefficientsRange = 'tv';

  private coefficientsFor(face: PreparedFace): void {
    if (this.coefficientsMatrix !== face.matrix || this.coefficientsRange !== face.range) {
      this.coefficients = yuvCoefficients(face.matrix, face.range);
      this.coefficientsMatrix = face.matrix;
      this.coefficientsRange = face.range;
    }
  }

  /**
   * The story's skin statistics with the luma variance its low-frequency shading explains taken
   * out of the spread (at most down to RESIDUAL_FLOOR of it): the shading gain puts that part back,
   * and the child's texture (its own shading flattened) is matched on the rest, its detail.
   */
  private withoutShading(colour: ChannelStats, shadingVariance: number, childSpread: ArrayLike<number>, detailGain: number): ChannelStats {
    const r = this.residualColour;
    r.weight = colour.weight;
    for (let c = 0; c < 3; c++) {
      r.mean[c] = colour.mean[c];
      r.std[c] = colour.std[c];
    }
    const s = colour.std[0];
    r.std[0] = Math.sqrt(Math.max(s * s - shadingVariance, RESIDUAL_FLOOR * RESIDUAL_FLOOR * s * s));
    // The story's skin spread also holds what its skin region catches besides skin (a fringe, brow
    // edges, a drawn face's features): measured on a drawn tale it doubled the child's detail into
    // harsh creases, or (capped below 1) washed the eyes out. With the light carried by the gain,
    // the child's own detail keeps its own contrast (DETAIL_GAIN).
    if (childSpread[0] > 0) r.std[0] = detailGain * childSpread[0];
    // The colour's spread stays the child's too (gain 1): a drawn face's skin is nearly flat, and
    // matched to it the child's lips, brows and eyes lost their colour (identity on the drawn tale
    // × sample1 88% → 67%); only the mean moves to the story's skin.
    if (childSpread[1] > 0) r.std[1] = childSpread[1];
    if (childSpread[2] > 0) r.std[2] = childSpread[2];
    return r;
  }

  private buildLuts(face: PreparedFace, colour: ChannelStats, options: CompositeOptions): void {
    this.coefficientsFor(face);
    const k = this.coefficients;
    const usable = colour && colour.weight > 0 && colour.mean.length >= 3 && face.skinYuv.weight > 0;
    const t = this.transfer;
    if (usable) {
      this.reinhard.maxGain = options.maxGain ?? 2;
      this.reinhard.strength = options.colourStrength ?? 1;
      reinhardTransfer(face.skinYuv, colour, this.reinhard, t);
    } else {
      t.gain[0] = t.gain[1] = t.gain[2] = 1;
      t.offset[0] = t.offset[1] = t.offset[2] = 0;
    }
    transferLut(t.gain[0], t.offset[0], k.yMin, k.yMax, this.lutY);
    transferLut(t.gain[1], t.offset[1], k.cMin, k.cMax, this.lutU);
    transferLut(t.gain[2], t.offset[2], k.cMin, k.cMax, this.lutV);
  }
}

/** With the shading carried, the child's skin detail is scaled by this. At 1.6 (the first choice) a
 *  photo's creases came out doubled on the drawn tale, and 1 (session 7) left small faces too soft for
 *  the encoder: with the copies sharpened, 1.3 took sample6 at 640x360 from 82.7% to 92.7% in the eval. */
const DETAIL_GAIN = 1.3;
/** The story skin's luma spread left to match on the texture once the shading carries its part (share of the whole). */
const RESIDUAL_FLOOR = 0.35;

// Bilinear samples stay this far inside the texture's last row/column (as in the warp).
const EDGE = 1 / 1024;
// Module-local copies: the compiled CommonJS reads imported bindings through getters, which
// must not happen once per pixel.
const ONE = FOOTPRINT_ONE;
const ZERO = FOOTPRINT_ZERO;
const EMPTY8: Uint8Array = new Uint8Array(0);
const EMPTYF: Float32Array = new Float32Array(0);
const NO_FIELD: SeparableField = { rows: new Float64Array(0), cell: new Int32Array(0), frac: new Float32Array(0), stride: 1, dx: 0 };

/**
 * Luma pass: per covered pixel, alpha = min(bilinear mask, limit); where alpha > 0, the
 * bilinear Y sample goes through the colour LUT and is blended into the frame.
 */
class LumaBlendSpans implements WarpSpanVisitor {
  alphaSum = 0;
  private footprints = EMPTY8;
  private frame = EMPTY8;
  private frameStride = 0;
  private tex = EMPTY8;
  private texStride = 0;
  private mask = EMPTYF;
  private maskStride = 0;
  private alpha = EMPTYF;
  private limits = EMPTYF;
  private hasLimits = false;
  private limit = 1;
  private lut = EMPTY8;
  private gain: SeparableField = NO_FIELD;
  private shaded = false;
  private yMin = 16;
  private hair = false;
  private zoneX = 0;
  private zoneY = 0;
  private zoneNx = 0;
  private zoneNy = 0;
  private zoneFrom = 0;
  private zoneTo = 1;
  private fu = EMPTY8;
  private fv = EMPTY8;
  private us = 0;
  private vs = 0;
  private readonly skinMean = new Float64Array(3);
  private readonly skinScale = new Float64Array(3);
  private ox = 0;
  private oy = 0;
  private w = 0;
  private limX = 0;
  private limY = 0;

  setup(
    y: Plane,
    face: PreparedFace,
    region: Rect,
    alpha: FloatPlane,
    limits: FloatPlane | null,
    limit: number,
    lut: Uint8Array,
    gain: SeparableField | null,
    yMin: number,
  ): void {
    this.alphaSum = 0;
    this.gain = gain ?? NO_FIELD;
    this.shaded = gain !== null;
    this.yMin = yMin;
    this.hair = false;
    this.footprints = face.maskFootprints;
    this.frame = y.data;
    this.frameStride = y.stride;
    this.tex = face.texture.y.data;
    this.texStride = face.texture.y.stride;
    this.mask = face.mask.data;
    this.maskStride = face.mask.width;
    this.alpha = alpha.data;
    this.limits = limits ? limits.data : EMPTYF;
    this.hasLimits = limits !== null;
    this.limit = limit;
    this.lut = lut;
    this.ox = region.x;
    this.oy = region.y;
    this.w = region.width;
    this.limX = face.texture.y.width - 1 - EDGE;
    this.limY = face.texture.y.height - 1 - EDGE;
  }

  /**
   * Turns on the story-hair test for this pass (after `setup`): above the story face's brows (the
   * zone rises from HAIR_ZONE[0] to HAIR_ZONE[1] of its forehead arc's height over its brows' top,
   * along its up direction, so its own drawn brows are never kept), a frame pixel that is not the
   * story's skin colour (`colour`) is left as drawn.
   */
  keepHair(frame: YuvFrame, story: ArrayLike<number>, colour: ChannelStats): void {
    if (!(colour && colour.weight > 0)) return;
    const [rx, ry] = centroid(story, RIGHT_EYE);
    const [lx, ly] = centroid(story, LEFT_EYE);
    const len = Math.hypot(lx - rx, ly - ry);
    if (!(len > 0)) return;
    const nx = (ly - ry) / len,
      ny = -(lx - rx) / len;
    let brows = -Infinity;
    for (let i = 17; i < 27; i++) brows = Math.max(brows, (story[2 * i] - rx) * nx + (story[2 * i + 1] - ry) * ny);
    // The rule's forehead height (see faceMeshPoints): FOREHEAD_RATIO of brow-to-chin.
    const chin = (story[16] - rx) * nx + (story[17] - ry) * ny;
    const height = FOREHEAD_RATIO * Math.max(1, brows - chin);
    this.hair = true;
    this.zoneX = rx;
    this.zoneY = ry;
    this.zoneNx = nx / height;
    this.zoneNy = ny / height;
    this.zoneFrom = brows / height + HAIR_ZONE[0];
    this.zoneTo = brows / height + HAIR_ZONE[1];
    this.fu = frame.u.data;
    this.fv = frame.v.data;
    this.us = frame.u.stride;
    this.vs = frame.v.stride;
    for (let c = 0; c < 3; c++) {
      this.skinMean[c] = colour.mean[c];
      this.skinScale[c] = 1 / Math.max(HAIR_SKIN_FLOORS[c], (c === 0 ? HAIR_LUMA_SPREAD : 1) * colour.std[c]);
    }
  }

  release(): void {
    this.frame = this.tex = this.lut = this.footprints = this.fu = this.fv = EMPTY8;
    this.mask = this.alpha = this.limits = EMPTYF;
    this.gain = NO_FIELD;
    this.hair = false;
  }

  span(y: number, x0: number, n: number, sx: number, sy: number, dx: number, dy: number): void {
    const frame = this.frame,
      tex = this.tex,
      ts = this.texStride,
      mask = this.mask,
      ms = this.maskStride;
    const footprints = this.footprints;
    const alpha = this.alpha,
      limits = this.limits,
      hasLimits = this.hasLimits,
      limit = this.limit,
      lut = this.lut;
    const limX = this.limX,
      limY = this.limY;
    const gain = this.gain,
      gainRows = gain.rows,
      gainCell = gain.cell,
      gainFrac = gain.frac,
      gainDx = gain.dx,
      gainRow = (y - this.oy) * gain.stride,
      ox = this.ox,
      shaded = this.shaded,
      yMin = this.yMin;
    const hair = this.hair;
    let px = x0;
    let k = (y - this.oy) * this.w + (x0 - this.ox);
    let f = y * this.frameStride + x0;
    let sum = 0;
    const zoneFrom = this.zoneFrom,
      zoneStep = this.zoneNx;
    let zoneT = hair ? this.zoneAt(x0, y) - zoneStep : 0;
    for (const end = k + n; k < end; k++, f++, px++) {
      zoneT += zoneStep;
      const x = sx < 0 ? 0 : sx > limX ? limX : sx;
      const yy = sy < 0 ? 0 : sy > limY ? limY : sy;
      sx += dx;
      sy += dy;
      const xi = x | 0,
        yi = yy | 0;
      const fx = x - xi,
        fy = yy - yi;
      let p = yi * ms + xi;
      // Most samples read a flat part of the mask: one byte tells, the bilinear only when mixed.
      const footprint = footprints[p];
      let a: number;
      if (footprint === ONE) a = 1;
      else if (footprint === ZERO) a = 0;
      else {
        const m00 = mask[p],
          m10 = mask[p + ms];
        const mt = m00 + (mask[p + 1] - m00) * fx;
        a = mt + (m10 + (mask[p + ms + 1] - m10) * fx - mt) * fy;
      }
      const cap = hasLimits ? limits[k] : limit;
      if (a > cap) a = cap;
      // The zone's coordinate runs linearly along the row: one compare tells most pixels are below it.
      if (hair && a > 0 && zoneT > zoneFrom) {
        const z = this.zone(zoneT);
        const keep = 1 - z * (1 - this.skinLike(frame[f], px, y));
        if (a > keep) a = keep;
      }
      alpha[k] = a;
      if (!(a > 0)) continue;
      sum += a;
      p = yi * ts + xi;
      const t00 = tex[p],
        t10 = tex[p + ts];
      const tt = t00 + (tex[p + 1] - t00) * fx;
      let v = lut[(tt + (t10 + (tex[p + ts + 1] - t10) * fx - tt) * fy + 0.5) | 0];
      if (shaded) {
        const c = px - ox,
          g = gainRow + gainCell[c];
        v = yMin + (v - yMin) * (gainRows[g] + (gainRows[g + gainDx] - gainRows[g]) * gainFrac[c]);
        if (v > 255) v = 255;
      }
      const old = frame[f];
      frame[f] = (old + a * (v - old) + 0.5) | 0;
    }
    this.alphaSum += sum;
  }

  /** The frame pixel (x, y)'s coordinate across the story's upper forehead (zoneFrom..zoneTo is the zone). */
  private zoneAt(x: number, y: number): number {
    return (x + 0.5 - this.zoneX) * this.zoneNx + (y + 0.5 - this.zoneY) * this.zoneNy;
  }

  /** How far a pixel at zone coordinate t is into the story's upper forehead: 0 below the zone, 1 inside. */
  private zone(t: number): number {
    if (!(t > this.zoneFrom)) return 0;
    if (t >= this.zoneTo) return 1;
    const u = (t - this.zoneFrom) / (this.zoneTo - this.zoneFrom);
    return u * u * (3 - 2 * u);
  }

  /** 1 when the frame's pixel (luma `yv` at x, y) has the story face's skin colour, 0 far from it. */
  private skinLike(yv: number, x: number, y: number): number {
    const m = this.skinMean,
      s = this.skinScale;
    const du = (this.fu[(y >> 1) * this.us + (x >> 1)] - m[1]) * s[1],
      dv = (this.fv[(y >> 1) * this.vs + (x >> 1)] - m[2]) * s[2],
      dy = (yv - m[0]) * s[0] * (yv > m[0] ? HAIR_BRIGHTER : 1);
    const d2 = du * du + dv * dv + dy * dy;
    if (d2 <= HAIR_SKIN_NEAR * HAIR_SKIN_NEAR) return 1;
    if (d2 >= HAIR_SKIN_FAR * HAIR_SKIN_FAR) return 0;
    return (HAIR_SKIN_FAR - Math.sqrt(d2)) / (HAIR_SKIN_FAR - HAIR_SKIN_NEAR);
  }
}

/** The story-hair zone: from this share of the story's forehead height above its brows' top to this one. */
const HAIR_ZONE = [0.1, 0.3] as const;
/** Story-hair test: skin within HAIR_SKIN_NEAR of the story skin's colour (in its spreads, luma's widened, with floors), not skin beyond HAIR_SKIN_FAR. */
const HAIR_SKIN_NEAR = 1.5;
const HAIR_SKIN_FAR = 2.5;
const HAIR_LUMA_SPREAD = 0.5;
/** Lighter than the story's skin mean counts this much (its statistics are pulled down by what its skin
 *  region also holds — the fringe itself, brow edges — while a drawn fringe is darker than the skin). */
const HAIR_BRIGHTER = 0.3;
const HAIR_SKIN_FLOORS = [14, 3, 3];

/**
 * Chroma pass: per covered chroma pixel, alpha = min over its 2x2 luma block; where alpha > 0,
 * U and V are sampled bilinearly, mapped through their LUTs and blended into the frame.
 */
class ChromaBlendSpans implements WarpSpanVisitor {
  private u = EMPTY8;
  private v = EMPTY8;
  private uStride = 0;
  private vStride = 0;
  private texU = EMPTY8;
  private texV = EMPTY8;
  private texStride = 0;
  private alpha = EMPTYF;
  private lutU = EMPTY8;
  private lutV = EMPTY8;
  private cx = 0;
  private cy = 0;
  private w = 0;
  private h = 0;
  private limX = 0;
  private limY = 0;

  setup(frame: YuvFrame, face: PreparedFace, lumaRegion: Rect, alpha: FloatPlane, lutU: Uint8Array, lutV: Uint8Array): void {
    if (face.texture.u.stride !== face.texture.v.stride) throw new RangeError('face U and V planes must share a stride');
    this.u = frame.u.data;
    this.v = frame.v.data;
    this.uStride = frame.u.stride;
    this.vStride = frame.v.stride;
    this.texU = face.texture.u.data;
    this.texV = face.texture.v.data;
    this.texStride = face.texture.u.stride;
    this.alpha = alpha.data;
    this.lutU = lutU;
    this.lutV = lutV;
    this.cx = lumaRegion.x >> 1;
    this.cy = lumaRegion.y >> 1;
    this.w = lumaRegion.width;
    this.h = lumaRegion.height;
    this.limX = face.texture.u.width - 1 - EDGE;
    this.limY = face.texture.u.height - 1 - EDGE;
  }

  release(): void {
    this.u = this.v = this.texU = this.texV = this.lutU = this.lutV = EMPTY8;
    this.alpha = EMPTYF;
  }

  span(y: number, x0: number, n: number, sx: number, sy: number, dx: number, dy: number): void {
    const alpha = this.alpha,
      w = this.w,
      tu = this.texU,
      tv = this.texV,
      ts = this.texStride;
    const fu = this.u,
      fv = this.v,
      lutU = this.lutU,
      lutV = this.lutV,
      limX = this.limX,
      limY = this.limY;
    const ly = 2 * (y - this.cy);
    const r0 = ly * w,
      r1 = ly + 1 < this.h ? r0 + w : r0;
    let lx = 2 * (x0 - this.cx);
    let ku = y * this.uStride + x0,
      kv = y * this.vStride + x0;
    for (let i = 0; i < n; i++, lx += 2, ku++, kv++, sx += dx, sy += dy) {
      const lx1 = lx + 1 < w ? lx + 1 : lx;
      let a = alpha[r0 + lx];
      const a1 = alpha[r0 + lx1],
        a2 = alpha[r1 + lx],
        a3 = alpha[r1 + lx1];
      if (a1 < a) a = a1;
      if (a2 < a) a = a2;
      if (a3 < a) a = a3;
      if (!(a > 0)) continue;
      const x = sx < 0 ? 0 : sx > limX ? limX : sx;
      const yy = sy < 0 ? 0 : sy > limY ? limY : sy;
      const xi = x | 0,
        yi = yy | 0;
      const fx = x - xi,
        fy = yy - yi;
      const p = yi * ts + xi;
      const u00 = tu[p],
        u10 = tu[p + ts];
      const ut = u00 + (tu[p + 1] - u00) * fx;
      const su = lutU[(ut + (u10 + (tu[p + ts + 1] - u10) * fx - ut) * fy + 0.5) | 0];
      const v00 = tv[p],
        v10 = tv[p + ts];
      const vt = v00 + (tv[p + 1] - v00) * fx;
      const sv = lutV[(vt + (v10 + (tv[p + ts + 1] - v10) * fx - vt) * fy + 0.5) | 0];
      const ou = fu[ku],
        ov = fv[kv];
      fu[ku] = (ou + a * (su - ou) + 0.5) | 0;
      fv[kv] = (ov + a * (sv - ov) + 0.5) | 0;
    }
  }
}

/** Default outline growth for drawn ('toon') stories. */
export const TOON_OUTLINE_GROW = 0.12;

/**
 * Moves the mesh's outline outwards from the forehead arc's centre, in place: the forehead arc (and
 * its outer ring) by `grow` of their distance, the jaw by `grow` × |j − 8| / 8 (none at the chin),
 * its outer ring with it. Inner points stay.
 */
export function growOutline(mesh: Float32Array, grow: number): Float32Array {
  const [cx, cy] = foreheadArcCentre(mesh);
  const push = (i: number, g: number) => {
    mesh[2 * i] = cx + (1 + g) * (mesh[2 * i] - cx);
    mesh[2 * i + 1] = cy + (1 + g) * (mesh[2 * i + 1] - cy);
  };
  for (let k = 0; k < FOREHEAD_ARC.length; k++) {
    push(FOREHEAD_ARC[k], grow);
    push(OUTER_ARC[k], grow);
  }
  for (let j = 0; j < 17; j++) push(j, (grow * Math.abs(j - 8)) / 8);
  for (let k = 0; k < OUTER_JAW_SOURCES.length; k++) push(OUTER_JAW[k], (grow * Math.abs(OUTER_JAW_SOURCES[k] - 8)) / 8);
  return mesh;
}

/** Weights for posing the child's landmarks onto a frame's: the rigid parts (brows, eyes, nose). */
const SHAPE_FIT_WEIGHTS = Float32Array.from({ length: 68 }, (_, i) => (i >= 17 && i < 48 ? 1 : 0));

/**
 * The frame's landmarks with the inner face (17–67) moved `amount` of the way towards the child's
 * canonical landmarks posed onto the frame by a weighted similarity (brows, eyes, nose). The jaw
 * (0–16) stays the frame's; the mouth (48–67) moves by `mouthAmount` and is then opened as far as
 * the frame's (`openMouthTo`; or `opening`), so only its shape and width are the child's.
 */
export function blendChildShape(
  child: ArrayLike<number>,
  frame: ArrayLike<number>,
  amount: number,
  mouthAmount: number,
  out: Float32Array,
  jawAmount = 0,
  opening = mouthOpenness(frame),
): Float32Array {
  const [a, b, c, d, e, f] = fitSimilarity(child, frame, SHAPE_FIT_WEIGHTS);
  for (let i = 0; i < 68; i++) {
    const fx = frame[2 * i],
      fy = frame[2 * i + 1];
    const k = i < 17 ? jawAmount : i < 48 ? amount : mouthAmount;
    if (k === 0) {
      out[2 * i] = fx;
      out[2 * i + 1] = fy;
      continue;
    }
    const x = child[2 * i],
      y = child[2 * i + 1];
    out[2 * i] = fx + k * (a * x + b * y + c - fx);
    out[2 * i + 1] = fy + k * (d * x + e * y + f - fy);
  }
  // The child's mouth shape, the story's opening: the lips part and close as the frame's do.
  if (mouthAmount > 0) openMouthTo(out, opening);
  return out;
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

/** The story's inner mouth is at most this share of its skin's luma when it shows a real interior. */
const DARK_INTERIOR = 0.75;

/**
 * Whether the frame's own mouth interior (inside the inner-lip polygon) is clearly darker than the
 * face's skin, as a real open mouth is. A drawn or warped mouth whose "interior" is lip or skin
 * (or a polygon too small to tell) is not.
 */
export function storyInteriorDark(y: Plane, polygon: Float32Array, skin: ChannelStats): boolean {
  if (!(skin && skin.weight > 0 && skin.mean[0] > 0)) return true;
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (let k = 0; k < polygon.length; k += 2) {
    x0 = Math.min(x0, polygon[k]);
    x1 = Math.max(x1, polygon[k]);
    y0 = Math.min(y0, polygon[k + 1]);
    y1 = Math.max(y1, polygon[k + 1]);
  }
  let sum = 0,
    n = 0;
  for (let j = Math.max(0, Math.floor(y0)); j < Math.min(y.height, Math.ceil(y1)); j++) {
    for (let i = Math.max(0, Math.floor(x0)); i < Math.min(y.width, Math.ceil(x1)); i++) {
      if (!pointInPolygon(polygon, i + 0.5, j + 0.5)) continue;
      sum += y.data[j * y.stride + i];
      n++;
    }
  }
  if (n < 4) return true;
  return sum / n <= DARK_INTERIOR * skin.mean[0];
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
