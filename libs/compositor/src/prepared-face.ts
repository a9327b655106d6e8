// Turns one aligned child face (RGBA in the canonical S x S space + its 68 landmarks) into what
// the per-frame compositor needs: a 4:2:0 texture in the render's colour space, the mesh points
// and fixed triangulation, a soft canonical mask and the skin colour statistics (Lab and YUV).
// Runs once per face and render, never per frame. Must never touch files, sharp or ffmpeg.
import {
  bilinearFootprints,
  centroid,
  ChannelStats,
  convexHull,
  createFloatPlane,
  FACE_OUTLINE,
  faceMeshPoints,
  faceMeshTriangles,
  faceTriangles,
  featherMask,
  FloatPlane,
  FOREHEAD_ARC,
  gatherPoints,
  interOcularDistance,
  LANDMARK_COUNT,
  LEFT_EYE,
  maskedStats,
  minMasks,
  Plane,
  PolygonRasterizer,
  RIGHT_EYE,
  RIGHT_BROW,
  LEFT_BROW,
  NOSE,
  OUTER_LIP,
  rgbaToYuv420,
  scaleForeheadArc,
  growJaw,
  srgbToLab,
  yuvCoefficients,
  Yuv420,
  YuvMatrix,
  YuvRange,
} from '@talecast/geometry';
import { paintSkinMask, skinStatsLab, skinStatsYuv } from './skin-stats';
import { stylizeToon, ToonOptions } from './toon-style';
import { ChildEyes, measureChildEyes } from './eye-animator';
import { fillWithSkin, foreheadSkinScales } from './skin-fill';
import { flattenShading } from './face-shading';
import { correctRedEye, RedEyeReport } from './red-eye';
import { findInnerLips } from './mouth-contour';

export type FaceStyle = 'photo' | 'toon';

export interface PrepareFaceInput {
  /** The aligned face, RGBA, `size` x `size` (the canonical space). Alpha limits the mask. */
  rgba: Uint8Array;
  size: number;
  /** 68 landmarks in the canonical space (Float32Array(136)). */
  landmarks: Float32Array;
  /** The render's (frames') YUV matrix and range. */
  matrix: YuvMatrix;
  range: YuvRange;
  style: FaceStyle;
  /** Find an open mouth's inner lips from the pixels (default true; see mouth-contour). */
  innerLips?: boolean;
  /** Mask feather box radius in canonical pixels (default size / 85, about 6 at 512). */
  featherRadius?: number;
  /** Forehead fade as fractions of the forehead arc's height above the eye line: the mask is 1
   *  up to `foreheadFade[0]` and fades to 0 at `foreheadFade[1]` (default [0.3, 0.72]). */
  foreheadFade?: [number, number];
  /** Keep pixels whose colour is far from the face's own skin (hair, background) out of the mask
   *  (default: only when `skinFill` is off). The eyes, brows, nose and mouth are never cut this way. */
  hairCut?: boolean;
  /**
   * One face, not two (default false until the insertion-quality placement holds with it, see
   * docs/notes/2026-12-07/hero.md): the forehead arc of the child's mesh is moved down to where its
   * own forehead skin ends (the warp stretches that skin over the character's whole forehead), and
   * every pixel that is not the child's skin (hair, ears, background) is replaced by its own skin
   * colour spread in from around it, so the mask can cover the character's face up to the forehead
   * arc without showing the child's hair or leaving the character's skin.
   */
  skinFill?: boolean;
  /**
   * With the skin fill: the mesh's jaw is pushed this share outwards (none at the chin, see growJaw),
   * so a frame's jaw line maps onto the child's filled skin beyond its own jaw, and the child's face
   * inside keeps its width instead of being stretched to a round drawn head's (default TOON_JAW_GROW
   * for drawn stories, else 0).
   */
  jawGrow?: number;
  /** Colour distance (skin standard deviations) over which a pixel goes from skin to filled (default FILL_DISTANCE). */
  fillDistance?: [number, number];
  /** The forehead arc's scales (see `foreheadSkinScales`) when already measured (smaller copies reuse the full size's). */
  foreheadScales?: ArrayLike<number>;
  /** Divide the photo's own low-frequency shading out of its luma (default: as `skinFill`), so the story's
   *  shading, multiplied in per frame, is the only light on the face (see face-shading). */
  flattenShading?: boolean;
  toon?: ToonOptions;
  /** Unsharp-mask amount on the luma of each smaller copy (default TOON_LEVEL_SHARPEN for drawn stories, else 0), against the 2×2 average's blur. */
  levelSharpen?: number;
  /** With the skin fill: the child's own skin grain (the fine luma detail of a patch of its cheek) put into the
   *  filled pixels at this strength, so the fill is not a smooth wash (default TOON_SKIN_GRAIN, see fillWithSkin). */
  skinGrain?: number;
  /** The smaller copies' unsharp amount on the skin away from the eyes, brows, nose and mouth (default: levelSharpen,
   *  i.e. the same everywhere). Lower, a cheek's own creases and streaks are not raised with the features. */
  levelSharpenSkin?: number;
  /** The skin's own mid-scale detail (a cheek's highlight and contour bands, creases) away from the eyes, brows,
   *  nose and mouth, scaled by this in every copy (default TOON_SKIN_DETAIL for drawn stories, else 1). */
  skinDetail?: number;
  /** Internal: this call prepares a smaller copy, sharpened by this amount (on the features; `sharpenSkin` elsewhere). */
  sharpen?: number;
  sharpenSkin?: number;
  /** How many smaller copies (half, quarter… size, at least MIN_LEVEL_SIZE) to prepare for
   *  frames where the face is drawn small (default SMALLER_LEVELS). */
  smallerLevels?: number;
  /** Correct a flash's red pupils first (default true; see red-eye.ts). The upload corrects the stored face
   *  already; this catches faces stored before it did and every tool that prepares a photo directly. */
  redEye?: boolean;
}

export interface PreparedFace {
  size: number;
  matrix: YuvMatrix;
  range: YuvRange;
  style: FaceStyle;
  /** The (possibly stylised) face as planar 4:2:0: Y size x size, chroma size/2 x size/2. */
  texture: Yuv420;
  landmarks: Float32Array;
  /** Canonical mesh points (landmarks + forehead and outer points), see `faceMeshPoints`. */
  meshPoints: Float32Array;
  /** The whole mesh's triangulation (outline and outer ring included). */
  triangles: Uint32Array;
  /** The triangles inside the face outline: the only ones where the mask is non-zero, and so the
   *  only ones a frame needs to warp. */
  faceTriangles: Uint32Array;
  /** Soft mask, size x size: the face outline incl. forehead, feathered inwards to 0 at the outline. */
  mask: FloatPlane;
  /** Per mask pixel: FOOTPRINT_ZERO / _ONE / _MIXED, so frames skip bilinear mask samples where it is flat. */
  maskFootprints: Uint8Array;
  /** Skin statistics (outline minus eyes, brows, inner mouth): Lab, and [Y, Cb, Cr] in matrix/range. */
  skinLab: ChannelStats;
  skinYuv: ChannelStats;
  /**
   * The same face prepared again at half, quarter… size (each from the previous one, averaged 2×2),
   * so a face drawn at a fraction of its texture's size is sampled from a copy close to that size
   * instead of skipping texels (which shimmers frame to frame as the face moves). See
   * FrameCompositor's level choice.
   */
  smaller: PreparedFace[];
  /** The photo's eyes: openness, irises and gaze, and the iris-less texture (see eye-animator). */
  eyes: ChildEyes;
  /** What the red-eye check found (absent when it was off); a correctable red pupil is corrected in `texture`. */
  redEye?: RedEyeReport;
}

/**
 * The jaw push for drawn ('toon') stories. On the generated tale (1280x720, every 8th hero frame, the
 * child's proportions kept) the child was recognised in 2% / 64% of the frames (sample6 / sample1)
 * without it, 12% / 93% at 0.15, 43% / 95% at 0.25, 83% / 95% at 0.4: stretched over a round drawn head,
 * the child's face lost its own width; now the filled skin beyond its jaw takes the stretch. At 640x360
 * (tale-look, every 6th hero frame, sample6) 0.6 gave 77% against 0.4's 70% (docs/notes/2026-12-07-s8/likeness.md).
 */
export const TOON_JAW_GROW = 0.6;

/** Default number of smaller copies: 512 → 256 → 128 covers faces down to ~30 px between the eyes. */
export const SMALLER_LEVELS = 2;
const MIN_LEVEL_SIZE = 64;

export function prepareFace(input: PrepareFaceInput): PreparedFace {
  const { size } = input;
  if (!Number.isInteger(size) || size < 16 || size % 2 !== 0) throw new RangeError('face size must be an even integer >= 16');
  if (input.rgba.length !== size * size * 4) throw new RangeError(`expected ${size}x${size} RGBA`);
  if (input.landmarks.length !== LANDMARK_COUNT * 2) throw new RangeError('expected 68 landmarks');

  // A flash's red pupils would be carried into every frame: corrected before anything reads the pixels
  // (the eyes' irises included). A red spread over the eye is left as it is (the upload refuses it).
  const redEye = input.redEye === false ? null : correctRedEye(input.rgba, size, size, input.landmarks);
  const source = redEye ? redEye.rgba : input.rgba;
  // An open mouth's inner lips as the pixels show them (mouth-contour); the smaller copies inherit them.
  const lips = input.innerLips === false ? null : findInnerLips(source, size, input.landmarks);
  const landmarks = lips ? lips.landmarks : input.landmarks;
  const photo = lips ? lips.rgba : source;
  const styled = input.style === 'toon' ? stylizeToon(photo, size, size, input.toon) : photo;
  const meshPoints = faceMeshPoints(landmarks);
  // The triangulation of the rule's layout (the one frames follow), before the arc moves.
  const triangles = faceMeshTriangles(meshPoints);
  const fill = input.skinFill ?? input.style === 'toon';
  // Skin by colour alone (the fill's sources: a dark brow must never be spread into a hole), and with the features kept.
  const colourSkin =
    fill || (input.hairCut ?? !fill)
      ? skinLikelihood(styled, size, landmarks, meshPoints, fill ? (input.fillDistance ?? FILL_DISTANCE) : HAIR_DISTANCE, false, fill ? BRIGHTER_WEIGHT : 1)
      : null;
  const sources = colourSkin && fill ? decided(colourSkin) : colourSkin;
  const skin = sources ? keepFeatures(sources, landmarks, fill ? 'features' : 'hull') : null;
  const scales = input.foreheadScales ?? (fill && skin ? foreheadSkinScales(skin, meshPoints) : null);
  if (scales) scaleForeheadArc(meshPoints, scales);
  // The mesh's jaw pushed out over the filled skin beyond the child's own jaw (see jawGrow).
  const jawGrow = fill || input.foreheadScales ? (input.jawGrow ?? (input.style === 'toon' ? TOON_JAW_GROW : 0)) : 0;
  if (jawGrow > 0) growJaw(meshPoints, jawGrow);
  const grain = input.skinGrain ?? (input.style === 'toon' ? TOON_SKIN_GRAIN : 0);
  const rgba = fill && skin && sources ? fillWithSkin(styled, size, sources, skin, grain) : styled;
  const texture = rgbaToYuv420(rgba, size, size, input.matrix, input.range);
  if (input.flattenShading ?? fill) {
    const weights = paintSkinMask(createFloatPlane(size, size), landmarks);
    if (skin) minMasks(weights, skin, weights);
    flattenShading(texture.y, weights, interOcularDistance(landmarks), yuvCoefficients(input.matrix, input.range).yMin);
  }
  // A drawn story's copies: the skin's mid-scale detail lowered and the features sharpened (see TOON_SKIN_DETAIL,
  // TOON_LEVEL_SHARPEN); both weigh the features against the rest of the face the same way.
  const skinDetail = input.skinDetail ?? (input.style === 'toon' ? TOON_SKIN_DETAIL : 1);
  const sharpen = input.sharpen ?? 0,
    sharpenSkin = input.sharpenSkin ?? sharpen;
  const features = skinDetail !== 1 || (sharpen > 0 && sharpenSkin !== sharpen) ? featureWeights(size, landmarks) : null;
  if (features && skinDetail !== 1) {
    const iod = interOcularDistance(landmarks);
    scaleSkinDetail(texture.y, features, skinDetail, [Math.max(1, Math.round(SKIN_BAND[0] * iod)), Math.max(1, Math.round(SKIN_BAND[1] * iod))]);
  }
  if (sharpen > 0) unsharp(texture.y, sharpen, sharpenSkin === sharpen ? null : features, sharpenSkin);
  const insideTriangles = faceTriangles(meshPoints, triangles);
  const feather = input.featherRadius ?? Math.max(1, Math.round(size * (fill ? FILLED_FEATHER_PER_SIZE : FEATHER_PER_SIZE)));
  const mask = canonicalMask(rgba, size, meshPoints, feather, fill || !!input.foreheadScales);
  limitForehead(mask, landmarks, meshPoints, input.foreheadFade ?? (fill ? FILLED_FOREHEAD_FADE : FOREHEAD_FADE));
  if ((input.hairCut ?? !fill) && skin) minMasks(mask, skin, mask);
  snapMask(mask);
  const smaller: PreparedFace[] = [];
  const levels = input.smallerLevels ?? SMALLER_LEVELS;
  const levelSharpen = input.levelSharpen ?? (input.style === 'toon' ? TOON_LEVEL_SHARPEN : 0);
  const levelSharpenSkin = input.levelSharpenSkin ?? (input.style === 'toon' ? TOON_LEVEL_SHARPEN_SKIN : levelSharpen);
  if (levels > 0 && size / 2 >= MIN_LEVEL_SIZE && (size / 2) % 2 === 0) {
    // Each level from the (already stylised) pixels of this one; the smaller ones prepare their own.
    const half = prepareFace({
      ...input,
      rgba: halveRgba(rgba, size),
      size: size / 2,
      landmarks: Float32Array.from(landmarks, (v) => v / 2),
      style: 'photo',
      skinFill: false,
      hairCut: false,
      foreheadScales: scales ?? undefined,
      jawGrow,
      // The copies' textures are converted from the filled RGBA again, so they are flattened again.
      flattenShading: input.flattenShading ?? fill,
      foreheadFade: input.foreheadFade ?? (fill ? FILLED_FOREHEAD_FADE : FOREHEAD_FADE),
      featherRadius: input.featherRadius === undefined && !fill ? undefined : Math.max(1, feather / 2),
      smallerLevels: levels - 1,
      // The copies are made from the corrected pixels (pupils and lips).
      redEye: false,
      innerLips: false,
      // The story style's choices resolved here: the copies are prepared as 'photo' (no second stylisation or fill).
      levelSharpen,
      sharpen: levelSharpen,
      sharpenSkin: levelSharpenSkin,
      skinDetail,
    });
    smaller.push({ ...half, style: input.style, smaller: [] }, ...half.smaller.map((f) => ({ ...f, style: input.style })));
  }
  return {
    size,
    matrix: input.matrix,
    range: input.range,
    style: input.style,
    texture,
    landmarks: Float32Array.from(landmarks),
    meshPoints,
    triangles,
    faceTriangles: insideTriangles,
    mask,
    maskFootprints: bilinearFootprints(mask),
    skinLab: skinStatsLab(rgba, size, size, landmarks),
    skinYuv: skinStatsYuv(texture, landmarks),
    smaller,
    eyes: measureChildEyes(texture, landmarks, insideTriangles),
    ...(redEye ? { redEye: redEye.report } : {}),
  };
}

/**
 * Unsharp amount on a drawn ('toon') story's smaller copies' luma (photo stories: none): the 2×2
 * average and the bilinear sample blur a small face twice, and the encoder a third time. At 640x360
 * (tale-look, sample6, every 6th hero frame) 0.7 gave 72% of the frames recognised and 1.5 77%, against
 * 70%; in the eval (with the encode), 1.5 and detail 1.3 took sample6 from 82.7% to 92.7%. Since session 9
 * this is the amount on the eyes, brows, nose and mouth, with TOON_LEVEL_SHARPEN_SKIN on the rest, and both
 * copies get it (the quarter-size copy had none: the style was lost on the way down).
 */
export const TOON_LEVEL_SHARPEN = 2.5;

/** Drawn stories' unsharp amount on the smaller copies' skin away from the features (see levelSharpenSkin). */
export const TOON_LEVEL_SHARPEN_SKIN = 0.5;

/**
 * Drawn stories' skin detail scale (see skinDetail): the cheeks' highlight and contour bands (sample6's make-up,
 * hair shadows at her cheeks), carried at DETAIL_GAIN and sharpened with the copies, showed as pale vertical
 * streaks down both cheeks at every size (docs/notes/2026-12-07-s8/likeness.md); halved, with the features kept.
 */
export const TOON_SKIN_DETAIL = 0.5;
/** The band of the skin's detail that skinDetail scales, as featherMask box radii in eye distances: finer than
 *  the first (pores, grain) is kept; coarser than the second is the shading flattenShading already took out. */
const SKIN_BAND: [number, number] = [0.03, 0.15];

/**
 * In place: Y − (1 − s) · (1 − w) · (B₁ − B₂), B₁ and B₂ the luma blurred over `radii`, w the feature weights:
 * the skin's mid-scale detail (the band between the two blurs) at `s` of its contrast, its fine grain, its
 * shading and the features as they were.
 */
function scaleSkinDetail(y: Plane, weights: FloatPlane, s: number, radii: [number, number]): void {
  const { width: w, height: h, stride } = y;
  const blurred = (r: number) => {
    const p: FloatPlane = { data: new Float32Array(w * h), width: w, height: h };
    for (let j = 0; j < h; j++) for (let i = 0; i < w; i++) p.data[j * w + i] = y.data[j * stride + i] / 255;
    return featherMask(p, r).data;
  };
  const fine = blurred(radii[0]),
    coarse = blurred(radii[1]);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const k = j * w + i;
      const v = y.data[j * stride + i] - 255 * (1 - s) * (1 - weights.data[k]) * (fine[k] - coarse[k]);
      y.data[j * stride + i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
}

/**
 * In place: Y + a · (Y − its 3×3 binomial blur), clamped (edge pixels use their row/column's nearest), where a is
 * `amount` on the features and `skinAmount` elsewhere, blended by `weights` (null: `amount` everywhere).
 */
function unsharp(y: Plane, amount: number, weights: FloatPlane | null = null, skinAmount = amount): void {
  const { width: w, height: h, stride } = y;
  const src = Float32Array.from({ length: w * h }, (_, k) => y.data[Math.floor(k / w) * stride + (k % w)]);
  for (let j = 0; j < h; j++) {
    const jm = j > 0 ? j - 1 : 0,
      jp = j + 1 < h ? j + 1 : h - 1;
    for (let i = 0; i < w; i++) {
      const im = i > 0 ? i - 1 : 0,
        ip = i + 1 < w ? i + 1 : w - 1;
      const row = (r: number) => src[r * w + im] + 2 * src[r * w + i] + src[r * w + ip];
      const blur = (row(jm) + 2 * row(j) + row(jp)) / 16;
      const c = src[j * w + i];
      const a = weights ? skinAmount + (amount - skinAmount) * weights.data[j * w + i] : amount;
      const v = c + a * (c - blur);
      y.data[j * stride + i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
}

/**
 * 1 on the eyes, brows, nose and mouth (the nose's and mouth's hulls, each eye with its brow as one hull, grown
 * about their centres), 0 on the rest of the face, feathered over FEATURE_FEATHER eye distances: where a small
 * face's likeness is (the descriptor reads the features' shapes), as against the cheeks and forehead.
 */
export function featureWeights(size: number, landmarks: ArrayLike<number>): FloatPlane {
  const iod = interOcularDistance(landmarks);
  const plane = createFloatPlane(size, size);
  const raster = new PolygonRasterizer();
  const grown = (indices: ArrayLike<number>, factor: number, points = false) => {
    const p = points ? Float32Array.from(indices) : gatherPoints(landmarks, indices);
    const hull = gatherPoints(p, convexHull(p));
    const [cx, cy] = centroid(
      hull,
      Uint32Array.from({ length: hull.length / 2 }, (_, k) => k),
    );
    for (let k = 0; k < hull.length; k += 2) {
      hull[k] = cx + factor * (hull[k] - cx);
      hull[k + 1] = cy + factor * (hull[k + 1] - cy);
    }
    return hull;
  };
  for (const group of [NOSE, OUTER_LIP]) raster.fill(plane, grown(group, FEATURE_GROW));
  // Each eye with its brow as one region: the hull of the brow's points and the eye's, the brow's also moved
  // BROW_ABOVE eye distances up (its upper edge) and the eye's EYE_BELOW down (its lower lid and lashes), grown by
  // EYE_GROW about its centre.
  for (const [eye, brow] of [
    [RIGHT_EYE, RIGHT_BROW],
    [LEFT_EYE, LEFT_BROW],
  ]) {
    const pts: number[] = [];
    for (const i of [...Array.from(brow), ...Array.from(eye)]) pts.push(landmarks[2 * i], landmarks[2 * i + 1]);
    for (const i of Array.from(brow)) pts.push(landmarks[2 * i], landmarks[2 * i + 1] - BROW_ABOVE * iod);
    for (const i of Array.from(eye)) pts.push(landmarks[2 * i], landmarks[2 * i + 1] + EYE_BELOW * iod);
    const all = Float32Array.from(pts);
    raster.fill(plane, grown(all, EYE_GROW, true));
  }
  return featherMask(plane, Math.max(1, Math.round((FEATURE_FEATHER * iod) / 2)));
}
/** How far the nose's and mouth's hulls are grown (the nostrils' wings, the lips' edge), and each eye-and-brow's. */
const FEATURE_GROW = 1.3;
const EYE_GROW = 1.1;
const EYE_BELOW = 0.12;
const BROW_ABOVE = 0.12;
const FEATURE_FEATHER = 0.12;

/** Drawn stories' skin grain in the fill (see skinGrain): the child's own, at its own strength. */
export const TOON_SKIN_GRAIN = 1;

/** RGBA at half size, each pixel the alpha-weighted mean of a 2×2 block (no dark fringes at alpha edges). */
export function halveRgba(rgba: Uint8Array, size: number): Uint8Array {
  const h = size / 2;
  const out = new Uint8Array(h * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < h; x++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let k = 0; k < 4; k++) {
        const i = 4 * ((2 * y + (k >> 1)) * size + 2 * x + (k & 1));
        const w = rgba[i + 3];
        r += rgba[i] * w;
        g += rgba[i + 1] * w;
        b += rgba[i + 2] * w;
        a += w;
      }
      const o = 4 * (y * h + x);
      if (a > 0) {
        out[o] = Math.round(r / a);
        out[o + 1] = Math.round(g / a);
        out[o + 2] = Math.round(b / a);
      }
      out[o + 3] = Math.round(a / 4);
    }
  }
  return out;
}

/**
 * The outline polygon, feathered with three box passes and remapped by 2m − 1 so the soft edge
 * lies entirely inside the outline (0 on it): the mesh's outer ring then always covers the whole
 * ramp and no hard edge appears where the warp's coverage ends. Limited by the face's alpha.
 */
function canonicalMask(rgba: Uint8Array, size: number, meshPoints: Float32Array, radius: number, smooth = false): FloatPlane {
  const mask = createFloatPlane(size, size);
  const outline = gatherPoints(meshPoints, FACE_OUTLINE);
  new PolygonRasterizer().fill(mask, smooth ? roundCorners(outline) : outline);
  featherMask(mask, radius);
  const d = mask.data;
  for (let k = 0; k < d.length; k++) {
    const m = 2 * d[k] - 1;
    const alpha = rgba[4 * k + 3] / 255;
    const v = m < alpha ? m : alpha;
    d[k] = v > 0 ? v : 0;
  }
  return mask;
}

/**
 * The closed polygon with every corner rounded: per vertex, the quadratic B-spline arc from the middle of
 * its incoming edge to the middle of its outgoing edge, the vertex as its control point, in CORNER_STEPS
 * pieces. Where the polygon is convex the curve lies inside it, so it stays on the warped triangles. A
 * face's outline is 24 points; warped onto a round drawn head with its jaw pushed out, the polygon's
 * corners showed as a jaw line of straight pieces against the background.
 */
export function roundCorners(polygon: Float32Array): Float32Array {
  const n = polygon.length / 2;
  const out = new Float32Array(2 * n * CORNER_STEPS);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const a = (i + n - 1) % n,
      c = (i + 1) % n;
    const px = polygon[2 * i],
      py = polygon[2 * i + 1];
    const m0x = (polygon[2 * a] + px) / 2,
      m0y = (polygon[2 * a + 1] + py) / 2;
    const m1x = (polygon[2 * c] + px) / 2,
      m1y = (polygon[2 * c + 1] + py) / 2;
    for (let s = 0; s < CORNER_STEPS; s++) {
      const t = s / CORNER_STEPS,
        u = 1 - t;
      out[o++] = u * u * m0x + 2 * t * u * px + t * t * m1x;
      out[o++] = u * u * m0y + 2 * t * u * py + t * t * m1y;
    }
  }
  return out;
}
const CORNER_STEPS = 6;

/** Default forehead fade (fractions of the forehead arc's height above the eye line). */
export const FOREHEAD_FADE: [number, number] = [0.3, 0.72];
/** The fade when the texture is skin-filled: the arc already ends at the child's hairline, so the
 *  child's skin covers the forehead almost up to it. */
export const FILLED_FOREHEAD_FADE: [number, number] = [0.85, 1];
/** Mask feather radius (canonical px per px of size) with and without the skin fill: a filled face
 *  needs no wide ramp to hide its own hair, and a wide ramp inside the outline lets the character's
 *  features near it (the ends of wide drawn brows at the temples) show through. */
const FEATHER_PER_SIZE = 1 / 85;
const FILLED_FEATHER_PER_SIZE = 1 / 170;

/** The face's eye midpoint, up direction (chin → brows) and forehead arc height, from the mesh. */
function foreheadFrame(meshPoints: ArrayLike<number>): { ex: number; ey: number; nx: number; ny: number; height: number } {
  const [rx, ry] = centroid(meshPoints, RIGHT_EYE);
  const [lx, ly] = centroid(meshPoints, LEFT_EYE);
  const len = Math.hypot(lx - rx, ly - ry) || 1;
  const nx = (ly - ry) / len,
    ny = -(lx - rx) / len;
  const ex = (rx + lx) / 2,
    ey = (ry + ly) / 2;
  const top = FOREHEAD_ARC[FOREHEAD_ARC.length >> 1];
  const height = Math.max(1, (meshPoints[2 * top] - ex) * nx + (meshPoints[2 * top + 1] - ey) * ny);
  return { ex, ey, nx, ny, height };
}

/**
 * Fades the mask out over the upper forehead: 1 up to fade[0] of the arc's height above the eye
 * line, smoothstep to 0 at fade[1]. The child's hairline (where most children's hair starts) stays
 * out, and the inserted forehead ends in a wide ramp instead of an edge.
 */
export function limitForehead(mask: FloatPlane, _landmarks: ArrayLike<number>, meshPoints: ArrayLike<number>, fade: [number, number]): FloatPlane {
  const { ex, ey, nx, ny, height } = foreheadFrame(meshPoints);
  const [a, b] = fade;
  const d = mask.data,
    w = mask.width,
    h = mask.height;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const k = y * w + x;
      if (d[k] === 0) continue;
      const t = ((x + 0.5 - ex) * nx + (y + 0.5 - ey) * ny) / height;
      const f = 1 - smoothstep(a, b, t);
      if (f < d[k]) d[k] = f;
    }
  }
  return mask;
}

/** Colour distance (in the reference skin's standard deviations) where the hair cut starts and ends. */
const HAIR_DISTANCE: [number, number] = [3, 4.5];
/** The same for the skin fill: stricter, because a pixel taken for skin there is kept as it is
 *  (fair hair close to the skin's colour must still be filled), while a skin pixel taken for hair
 *  only loses its fine texture (it is filled with the skin around it). */
export const FILL_DISTANCE: [number, number] = [2, 3];
/** How much a pixel's being lighter than the skin counts against it (darker counts fully). */
const BRIGHTER_WEIGHT = 0.3;
/** Floors for the reference skin's Lab standard deviations (shading varies more than tint). */
const MIN_SKIN_STD = [7, 2.5, 2.5];

/**
 * Per canonical pixel, how much it looks like the face's own skin (1) rather than hair or
 * background (0): Lab distance to the skin below the eyes (cheeks, nose, chin: rarely hair),
 * in that skin's standard deviations. The inner features (brows, eyes, nose, mouth hull) always
 * count as skin. Cleaned by a blur-and-threshold (drops specks, moves the cut a little onto the
 * skin side) and softened, so the mask's edge along a hairline is a ramp, not a step.
 */
export function skinLikelihood(
  rgba: Uint8Array,
  size: number,
  landmarks: ArrayLike<number>,
  meshPoints: ArrayLike<number>,
  distance: [number, number] = HAIR_DISTANCE,
  protectFeatures = true,
  brighterWeight = 1,
): FloatPlane {
  const n = size * size;
  const lab = new Float32Array(n * 3);
  const tmp = new Float64Array(3);
  for (let k = 0; k < n; k++) {
    srgbToLab(rgba[4 * k], rgba[4 * k + 1], rgba[4 * k + 2], tmp);
    lab[3 * k] = tmp[0];
    lab[3 * k + 1] = tmp[1];
    lab[3 * k + 2] = tmp[2];
  }
  // Reference: the skin mask below the eye line.
  const { ex, ey, nx, ny } = foreheadFrame(meshPoints);
  const ref = paintSkinMask(createFloatPlane(size, size), landmarks);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if ((x + 0.5 - ex) * nx + (y + 0.5 - ey) * ny > 0) ref.data[y * size + x] = 0;
      else if (rgba[4 * (y * size + x) + 3] < 255) ref.data[y * size + x] = 0;
    }
  }
  const out = createFloatPlane(size, size, 1);
  let stats = maskedStats(lab, 3, ref.data);
  if (!(stats.weight > 0)) return out;
  // Trimmed twice: hair falling over a cheek must not widen what counts as skin.
  for (let pass = 0; pass < 2; pass++) {
    const m = stats.mean,
      sd = stats.std.map((v, c) => Math.max(v, MIN_SKIN_STD[c] / 2));
    for (let k = 0; k < n; k++) {
      if (ref.data[k] === 0) continue;
      const dl = (lab[3 * k] - m[0]) / sd[0],
        da = (lab[3 * k + 1] - m[1]) / sd[1],
        db = (lab[3 * k + 2] - m[2]) / sd[2];
      if (dl * dl + da * da + db * db > 2.5 * 2.5) ref.data[k] = 0;
    }
    const trimmed = maskedStats(lab, 3, ref.data);
    if (!(trimmed.weight > 0)) break;
    stats = trimmed;
  }
  const m = stats.mean,
    sd = stats.std.map((v, c) => Math.max(v, MIN_SKIN_STD[c]));
  const [d0, d1] = distance;
  const o = out.data;
  for (let k = 0; k < n; k++) {
    // Brighter than the skin counts far less: a lit forehead is skin, hair is rarely lighter than it
    // without also differing in colour.
    let dl = (lab[3 * k] - m[0]) / sd[0];
    if (dl > 0) dl *= brighterWeight;
    const da = (lab[3 * k + 1] - m[1]) / sd[1],
      db = (lab[3 * k + 2] - m[2]) / sd[2];
    o[k] = 1 - smoothstep(d0, d1, Math.sqrt(dl * dl + da * da + db * db));
  }
  const r = Math.max(1, Math.round(size / 128));
  featherMask(out, r);
  for (let k = 0; k < n; k++) {
    const v = 2 * o[k] - 1;
    o[k] = v > 0 ? v : 0;
  }
  return protectFeatures ? keepFeatures(out, landmarks, 'hull') : out;
}

/**
 * A copy of a skin likelihood with the features set to 1: they are never hair. The eyes, the brows (a
 * band along their landmarks, so a brow's tail past its last landmark, or the temple's shadow beside
 * it, is not kept and stretched over a drawn character's wide temple), the nose and the lips.
 */
export function keepFeatures(skin: FloatPlane, landmarks: ArrayLike<number>, shape: 'hull' | 'features' = 'features'): FloatPlane {
  const r = Math.max(1, Math.round(skin.width / 128));
  if (shape === 'hull') {
    // The old hair cut's rule exactly: the hull filled in, the whole likelihood feathered once more.
    const out: FloatPlane = { data: Float32Array.from(skin.data), width: skin.width, height: skin.height };
    new PolygonRasterizer().fill(out, innerHull(landmarks));
    return featherMask(out, r);
  }
  const features = createFloatPlane(skin.width, skin.height);
  const raster = new PolygonRasterizer();
  for (const polygon of featurePolygons(landmarks)) raster.fill(features, polygon);
  featherMask(features, r);
  const out: FloatPlane = { data: Float32Array.from(skin.data), width: skin.width, height: skin.height };
  for (let k = 0; k < out.data.length; k++) if (features.data[k] > out.data[k]) out.data[k] = features.data[k];
  return out;
}

/** The hull of landmarks 17–67 (the old hair cut's protection, kept as it was). */
function innerHull(landmarks: ArrayLike<number>): Float32Array {
  const inner = new Float32Array(2 * (LANDMARK_COUNT - 17));
  for (let i = 17; i < LANDMARK_COUNT; i++) {
    inner[2 * (i - 17)] = landmarks[2 * i];
    inner[2 * (i - 17) + 1] = landmarks[2 * i + 1];
  }
  return gatherPoints(inner, convexHull(inner));
}

/** 2s − 1 clamped: only what is more skin than not counts, the undecided rim of a hair cut becomes 0. */
function decided(skin: FloatPlane): FloatPlane {
  return { data: Float32Array.from(skin.data, (v) => (v > 0.5 ? 2 * v - 1 : 0)), width: skin.width, height: skin.height };
}

/** Feature polygons in the landmarks' space: the inner face's hull (inner brows, eyes, nose, mouth) and each brow as a band. */
function featurePolygons(landmarks: ArrayLike<number>): Float32Array[] {
  const iod = interOcularDistance(landmarks);
  const grown = (indices: ArrayLike<number>, factor: number) => {
    const p = gatherPoints(landmarks, indices);
    const hull = gatherPoints(p, convexHull(p));
    const [cx, cy] = centroid(
      hull,
      Uint32Array.from({ length: hull.length / 2 }, (_, k) => k),
    );
    for (let k = 0; k < hull.length; k += 2) {
      hull[k] = cx + factor * (hull[k] - cx);
      hull[k + 1] = cy + factor * (hull[k + 1] - cy);
    }
    return hull;
  };
  // The outer end pulled in towards its neighbour: a brow's tail is where a drawn character's wide temple
  // stretches the texture most, and whatever dark is left there becomes a smear.
  const band = (indices: ArrayLike<number>, outer: number) => {
    const n = indices.length;
    const out = new Float32Array(4 * n);
    const t = BROW_BAND * iod;
    for (let k = 0; k < n; k++) {
      let x = landmarks[2 * indices[k]],
        y = landmarks[2 * indices[k] + 1];
      if (k === outer) {
        const next = indices[outer === 0 ? 1 : n - 2];
        x += BROW_TAIL_IN * (landmarks[2 * next] - x);
        y += BROW_TAIL_IN * (landmarks[2 * next + 1] - y);
      }
      out[2 * k] = x;
      out[2 * k + 1] = y - t;
      out[2 * (2 * n - 1 - k)] = x;
      out[2 * (2 * n - 1 - k) + 1] = y + t;
    }
    return out;
  };
  // The inner face as one hull (the skin around the eyes, nose and mouth holds their shading: filled,
  // the eyes washed out), from the inner brow points only, so the brow ends stay out of it.
  const inner = Uint32Array.from([...Array.from({ length: 8 }, (_, k) => 18 + k), ...Array.from({ length: LANDMARK_COUNT - 27 }, (_, k) => 27 + k)]);
  return [grown(inner, 1), band(RIGHT_BROW, 0), band(LEFT_BROW, LEFT_BROW.length - 1)];
}

/** Half the protected band around each brow line, in eye distances. */
const BROW_BAND = 0.09;
/** The brow band's outer end starts this share of the way to the next brow point. */
const BROW_TAIL_IN = 0.6;

/** Blur round-off (1 − 1e-6) snapped to exact 0 / 1, so flat areas stay flat for the footprints. */
function snapMask(mask: FloatPlane): void {
  const d = mask.data;
  for (let k = 0; k < d.length; k++) {
    if (d[k] > 0.998) d[k] = 1;
    else if (d[k] < 0.002) d[k] = 0;
  }
}

function smoothstep(edge0: number, edge1: number, x: number): number {
  if (!(x > edge0)) return 0;
  if (x >= edge1) return 1;
  const t = (x - edge0) / (edge1 - edge0);
  return t * t * (3 - 2 * t);
}
