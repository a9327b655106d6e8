// The child's eyes doing what the story's eyes do. Once per prepared face (`measureChildEyes`):
// each eye's openness in the photo, its iris (found in the texture's pixels), the gaze, and a copy
// of the texture with the irises painted over in the eye's own sclera colour. Per frame
// (`EyeAnimator`): the eye contours take the child's own eye shape (posed onto the frame and
// centred where the frame's blend puts the eye), then the lids move to the story's openness
// (`setEyelids`: the upper lid comes down and the mesh stretches the child's own lid skin over
// the eye); afterwards a small pass over the eye triangles only redraws the iris shifted by the
// story's gaze (clamped inside the eye, clipped by the lids) on the iris-less texture.
// Pure; must never allocate per frame beyond its reusable buffers.
import {
  EYE_FIRST,
  eyeAspect,
  eyeFrame,
  findIris,
  fitSimilarity,
  forEachWarpSpan,
  gazeOf,
  Iris,
  irisShift,
  lidScale,
  OPEN_EYE_ASPECT,
  Plane,
  pointInPolygon,
  Rect,
  setEyelids,
  SURROUND_REACH,
  surroundCover,
  surroundRadius,
  surroundWeight,
  eyeSurround,
  WarpScratch,
  WarpSpanVisitor,
  Yuv420,
} from '@talecast/geometry';

/** Per-frame eye state of the story's character (see CONTRACTS: per-frame eye data). */
/** Gaze differences below these (eye widths across, lid gaps down) are the iris finder's noise (0.09 / 0.26 measured on drawn eyes). */
const GAZE_DEADBAND = [0.08, 0.15] as const;
/** `v` moved towards zero by `band` (zero inside it). */
function beyond(v: number, band: number): number {
  if (!Number.isFinite(v)) return 0;
  return v > band ? v - band : v < -band ? v + band : 0;
}

export interface EyeState {
  /** Lid openness per eye [right, left], 0 closed .. 1 fully open for that character. */
  open: ArrayLike<number>;
  /** Gaze per eye [rx, ry, lx, ly]: iris offset from the eye centre over eye width (x); y down over the
   *  lid gap, relative to the character's resting iris height. */
  gaze: ArrayLike<number>;
}

/** What the child's photo says about its eyes, in the prepared texture's coordinates. */
export interface ChildEyes extends EyeState {
  open: Float32Array;
  gaze: Float32Array;
  /** The iris per eye, or null where none was found (closed or unclear eye: no gaze shift then). */
  iris: (Iris | null)[];
  /** The texture with both irises painted over by their sclera colour (shares nothing with the texture). */
  irisless: Yuv420;
  /** Mean iris [Y, U, V] per eye (used where a shifted iris would sample lid skin). */
  irisColour: Float32Array;
  /** Each eye's 6-point contour in texture coordinates. */
  contours: Float32Array[];
  /** The mesh triangles inside each eye's contour (subset of the face triangles). */
  eyeTriangles: Uint32Array;
  /**
   * The texture with each eye's surround (see `eyeSurround`: the ring between the contour and
   * SURROUND_REACH, where the photo's white and iris reach past the 68-point hexagon) filled by
   * the skin just outside it and a lash line along the upper lid: what a shut eye shows there.
   */
  lidded: Yuv420;
  /** The mesh triangles with a corner on an eye contour but not inside it (those that carry the surround). */
  surroundTriangles: Uint32Array;
}

/** Iris contrast (mean luma, 0..255) below which the photo's eye shows no clear iris. */
const MIN_IRIS_CONTRAST = 12;

/** Openness of each eye in a photo: aspect ratio over OPEN_EYE_ASPECT, at most 1. */
export function photoEyeOpenness(landmarks: ArrayLike<number>, out: Float32Array = new Float32Array(2)): Float32Array {
  for (const eye of [0, 1] as const) out[eye] = Math.min(1, eyeAspect(landmarks, eye) / OPEN_EYE_ASPECT);
  return out;
}

/** Measures the child's eyes in a prepared texture (once per face and size). */
export function measureChildEyes(texture: Yuv420, landmarks: Float32Array, faceTriangles: Uint32Array): ChildEyes {
  const open = photoEyeOpenness(landmarks);
  const gaze = new Float32Array(4);
  const iris: (Iris | null)[] = [null, null];
  const irisColour = new Float32Array(6);
  const irisless = cloneYuv(texture);
  const contours: Float32Array[] = [];
  for (const eye of [0, 1] as const) {
    const o = EYE_FIRST[eye];
    contours.push(Float32Array.from({ length: 12 }, (_, k) => landmarks[2 * o + k]));
    const frame = eyeFrame(landmarks, eye);
    const found = findIris(texture.y, landmarks, eye, frame);
    if (!found || found.contrast < MIN_IRIS_CONTRAST) continue;
    iris[eye] = { x: found.x, y: found.y, r: found.r };
    gazeOf(frame, found, gaze.subarray(2 * eye, 2 * eye + 2));
    paintOverIris(texture, irisless, contours[eye], found, irisColour.subarray(3 * eye, 3 * eye + 3));
  }
  const eyeTriangles: number[] = [],
    surroundTriangles: number[] = [];
  const onEye = (i: number) => EYE_FIRST.some((o) => i >= o && i < o + 6);
  for (let t = 0; t + 2 < faceTriangles.length; t += 3) {
    const a = faceTriangles[t],
      b = faceTriangles[t + 1],
      c = faceTriangles[t + 2];
    let inside = false;
    for (const o of EYE_FIRST) {
      if (a >= o && a < o + 6 && b >= o && b < o + 6 && c >= o && c < o + 6) inside = true;
    }
    if (inside) eyeTriangles.push(a, b, c);
    else if (onEye(a) || onEye(b) || onEye(c)) surroundTriangles.push(a, b, c);
  }
  const lidded = cloneYuv(texture);
  for (const eye of [0, 1] as const) coverSurround(texture, lidded, landmarks, eye);
  return {
    open,
    gaze,
    iris,
    irisless,
    irisColour,
    contours,
    eyeTriangles: Uint32Array.from(eyeTriangles),
    lidded,
    surroundTriangles: Uint32Array.from(surroundTriangles),
  };
}

/**
 * Where the fill for the surround is taken from: the mean of FILL_SAMPLES points on the ray from the
 * eye's centre, from just outside the surround FILL_STEP apart (one point drew a photo's lower
 * lashes in as radial streaks: sample6 at 1280x720).
 */
const FILL_FROM = SURROUND_REACH + 0.06;
const FILL_SAMPLES = 4;
const FILL_STEP = 0.2;
/**
 * The shut eye's lash line: LASH_WIDTH × the lid gap wide, LASH_DARK × the darkest LASH_QUANTILE of
 * the photo's own lash band in luma, its chroma LASH_NEUTRAL of the way to grey (lashes are dark
 * and colourless; the skin's chroma made it read as a red-brown stroke). Chosen on the tale at
 * 1280x720 frame 212 by eye and by the eval's iris model (docs/notes/2026-12-07-s8/blinks.md): the
 * width and darkness of a closed eye's lashes; a thinner or paler line read more open.
 */
const LASH_WIDTH = 0.3;
const LASH_DARK = 0.45;
const LASH_QUANTILE = 0.05;
const LASH_NEUTRAL = 0.8;

/**
 * Writes the shut eye's surround into `out` (a copy of `texture`): each pixel outside the eye's
 * contour and inside SURROUND_REACH takes the texture's mean on the same ray from the eye centre
 * beyond it (the lid and cheek skin around the eye, pulled in), feathered at the outer edge;
 * then a lash line LASH_WIDTH × the gap wide along the upper lid's outside, darker than the
 * photo's own lash band above the upper lid and near grey, so the lids meet at a line, not a
 * skin-coloured blank.
 */
function coverSurround(texture: Yuv420, out: Yuv420, landmarks: ArrayLike<number>, eye: 0 | 1): void {
  const o = EYE_FIRST[eye];
  const frame = eyeFrame(landmarks, eye);
  const lash = Math.max(0.7, LASH_WIDTH * frame.gap);
  const upper = [o, o + 1, o + 2, o + 3];
  for (let plane = 0; plane < 3; plane++) {
    const src = plane === 0 ? texture.y : plane === 1 ? texture.u : texture.v;
    const dst = plane === 0 ? out.y : plane === 1 ? out.u : out.v;
    const sc = plane === 0 ? 1 : 0.5;
    const poly = new Float64Array(12);
    for (let k = 0; k < 12; k++) poly[k] = landmarks[2 * o + k] * sc;
    const s = eyeSurround(landmarks, eye);
    s.cx *= sc;
    s.cy *= sc;
    s.a *= sc;
    s.b *= sc;
    s.below *= sc;
    const reach = SURROUND_REACH * Math.max(s.a, s.below) + 1;
    const xa = Math.max(0, Math.floor(s.cx - reach)),
      xb = Math.min(src.width - 1, Math.ceil(s.cx + reach));
    const ya = Math.max(0, Math.floor(s.cy - reach)),
      yb = Math.min(src.height - 1, Math.ceil(s.cy + reach));
    // The photo's lash band: the luma within two lash widths above the upper lid (its darkest LASH_QUANTILE sets the line).
    let lashLuma = 0;
    if (plane === 0) {
      const band: number[] = [];
      for (let y = ya; y <= yb; y++)
        for (let x = xa; x <= xb; x++) {
          const d = upperLidDistance(landmarks, upper, x + 0.5, y + 0.5);
          if (d > 0 && d <= 2 * lash) band.push(src.data[y * src.stride + x]);
        }
      band.sort((p, q) => p - q);
      lashLuma = LASH_DARK * (band.length ? band[Math.floor(LASH_QUANTILE * band.length)] : 0);
    }
    for (let y = ya; y <= yb; y++)
      for (let x = xa; x <= xb; x++) {
        const px = x + 0.5,
          py = y + 0.5;
        const rho = surroundRadius(s, px, py);
        const w = surroundWeight(rho);
        if (!(w > 0) || pointInPolygon(poly, px, py)) continue;
        let v = 0;
        for (let j = 0; j < FILL_SAMPLES; j++) {
          const k = (FILL_FROM + j * FILL_STEP) / Math.max(rho, 1e-6);
          v += samplePlane(src, s.cx + (px - s.cx) * k - 0.5, s.cy + (py - s.cy) * k - 0.5) / FILL_SAMPLES;
        }
        const d = upperLidDistance(landmarks, upper, px / sc, py / sc);
        if (d > 0 && d < lash + 0.5) {
          if (plane === 0) v += Math.min(1, lash + 0.5 - d) * (Math.min(v, lashLuma) - v);
          else v += LASH_NEUTRAL * Math.min(1, lash + 0.5 - d) * (128 - v);
        }
        const p = y * dst.stride + x;
        dst.data[p] = Math.round(src.data[p] + w * (v - src.data[p]));
      }
  }
}

/**
 * Signed distance of (x, y) from the upper lid's polyline (`upper`: corner, two lid points, corner),
 * positive above it (away from the eye), measured across the eye line; NaN beyond the corners.
 */
function upperLidDistance(lm: ArrayLike<number>, upper: number[], x: number, y: number): number {
  let best = Infinity,
    sign = 0;
  for (let k = 0; k + 1 < upper.length; k++) {
    const ax = lm[2 * upper[k]],
      ay = lm[2 * upper[k] + 1],
      bx = lm[2 * upper[k + 1]],
      by = lm[2 * upper[k + 1] + 1];
    const ex = bx - ax,
      ey = by - ay;
    const len2 = ex * ex + ey * ey;
    if (!(len2 > 0)) continue;
    const t = ((x - ax) * ex + (y - ay) * ey) / len2;
    if (t < 0 || t > 1) continue;
    const cross = (ex * (y - ay) - ey * (x - ax)) / Math.sqrt(len2);
    const d = Math.abs(cross);
    if (d < best) {
      best = d;
      // The eye is image-below its upper lid: with the polyline running left to right, above is a negative cross.
      sign = cross < 0 ? 1 : -1;
    }
  }
  return best === Infinity ? Number.NaN : sign * best;
}

function samplePlane(p: Plane, x: number, y: number): number {
  const xx = x < 0 ? 0 : x > p.width - 1.001 ? p.width - 1.001 : x;
  const yy = y < 0 ? 0 : y > p.height - 1.001 ? p.height - 1.001 : y;
  const xi = xx | 0,
    yi = yy | 0,
    fx = xx - xi,
    fy = yy - yi;
  const i = yi * p.stride + xi;
  const t0 = p.data[i] + (p.data[i + 1] - p.data[i]) * fx;
  const t1 = p.data[i + p.stride] + (p.data[i + p.stride + 1] - p.data[i + p.stride]) * fx;
  return t0 + (t1 - t0) * fy;
}

/**
 * Replaces the iris disc (1.15 r, soft last pixel) inside the eye contour by the sclera colour
 * (the brighter half of the eye's pixels outside the iris) in `out`; writes the iris's mean
 * [Y, U, V] to `colour`.
 */
function paintOverIris(texture: Yuv420, out: Yuv420, contour: Float32Array, iris: Iris, colour: Float32Array): void {
  for (let plane = 0; plane < 3; plane++) {
    const src = plane === 0 ? texture.y : plane === 1 ? texture.u : texture.v;
    const dst = plane === 0 ? out.y : plane === 1 ? out.u : out.v;
    const s = plane === 0 ? 1 : 0.5;
    const cx = iris.x * s,
      cy = iris.y * s,
      r = iris.r * s,
      rr = 1.15 * r + 0.5;
    let x0 = Infinity,
      y0 = Infinity,
      x1 = -Infinity,
      y1 = -Infinity;
    const poly = new Float64Array(12);
    for (let k = 0; k < 6; k++) {
      poly[2 * k] = contour[2 * k] * s;
      poly[2 * k + 1] = contour[2 * k + 1] * s;
      x0 = Math.min(x0, poly[2 * k]);
      x1 = Math.max(x1, poly[2 * k]);
      y0 = Math.min(y0, poly[2 * k + 1]);
      y1 = Math.max(y1, poly[2 * k + 1]);
    }
    const xa = Math.max(0, Math.floor(x0)),
      xb = Math.min(src.width - 1, Math.ceil(x1));
    const ya = Math.max(0, Math.floor(y0)),
      yb = Math.min(src.height - 1, Math.ceil(y1));
    const outside: number[] = [];
    let inSum = 0,
      inCount = 0;
    for (let y = ya; y <= yb; y++) {
      for (let x = xa; x <= xb; x++) {
        if (!pointInPolygon(poly, x + 0.5, y + 0.5)) continue;
        const v = src.data[y * src.stride + x];
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        if (d < r) {
          inSum += v;
          inCount++;
        } else if (d > rr) outside.push(v);
      }
    }
    colour[plane] = inCount ? inSum / inCount : 0;
    if (!outside.length) continue;
    // The sclera: the brighter half (luma) / the middle (chroma) of what surrounds the iris.
    outside.sort((a, b) => a - b);
    const from = plane === 0 ? outside.length >> 1 : outside.length >> 2;
    const to = plane === 0 ? outside.length : outside.length - (outside.length >> 2);
    let sum = 0;
    for (let k = from; k < to; k++) sum += outside[k];
    const sclera = sum / Math.max(1, to - from);
    for (let y = ya; y <= yb; y++) {
      for (let x = xa; x <= xb; x++) {
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        if (d >= rr || !pointInPolygon(poly, x + 0.5, y + 0.5)) continue;
        const w = Math.min(1, rr - d);
        const p = y * dst.stride + x;
        dst.data[p] = Math.round(dst.data[p] + w * (sclera - dst.data[p]));
      }
    }
  }
}

function cloneYuv(t: Yuv420): Yuv420 {
  const copy = (p: Plane): Plane => ({ data: Uint8Array.from(p.data), width: p.width, height: p.height, stride: p.stride });
  return { y: copy(t.y), u: copy(t.u), v: copy(t.v) };
}

/** Weights for posing the child's eyes onto the frame: brows, eyes and nose (as the shape blend). */
const EYE_POSE_WEIGHTS = Float32Array.from({ length: 68 }, (_, i) => (i >= 17 && i < 48 ? 1 : 0));

/** Per-thread state for animating the eyes (not thread-safe; one per FrameCompositor). */
export class EyeAnimator {
  private readonly scale = new Float32Array(2);
  private readonly shift = new Float32Array(4);
  private readonly from = new Float32Array(2);
  private readonly to = new Float32Array(2);
  private readonly luma = new IrisSpans();
  private readonly chroma = new IrisSpans();
  private readonly cover = new Float32Array(2);
  private readonly lidLuma = new SurroundSpans();
  private readonly lidChroma = new SurroundSpans();
  private readonly chromaRegion: Rect = { x: 0, y: 0, width: 0, height: 0 };

  /**
   * `landmarks` (the frame's, after the shape blend) with each eye contour replaced by the
   * child's own eye posed onto the frame (centred on the blended eye) and its lids moved to the
   * story's openness relative to the photo's. Writes `out` (may be `landmarks`).
   */
  shapeEyes(
    child: ArrayLike<number>,
    eyes: ChildEyes,
    frame: ArrayLike<number>,
    landmarks: ArrayLike<number>,
    state: EyeState,
    out: Float32Array,
  ): Float32Array {
    if (out !== landmarks) for (let i = 0; i < 136; i++) out[i] = landmarks[i];
    const [a, b, c, d, e, f] = fitSimilarity(child, frame, EYE_POSE_WEIGHTS);
    for (const eye of [0, 1] as const) {
      const o = EYE_FIRST[eye];
      let px = 0,
        py = 0,
        bx = 0,
        by = 0;
      for (let i = o; i < o + 6; i++) {
        px += a * child[2 * i] + b * child[2 * i + 1] + c;
        py += d * child[2 * i] + e * child[2 * i + 1] + f;
        bx += out[2 * i];
        by += out[2 * i + 1];
      }
      const tx = (bx - px) / 6,
        ty = (by - py) / 6;
      for (let i = o; i < o + 6; i++) {
        const x = child[2 * i],
          y = child[2 * i + 1];
        out[2 * i] = a * x + b * y + c + tx;
        out[2 * i + 1] = d * x + e * y + f + ty;
      }
      this.scale[eye] = lidScale(state.open[eye], eyes.open[eye]);
    }
    return setEyelids(out, this.scale, out);
  }

  /**
   * Over a shutting eye (lid scale under COVER_FROM, from the last `shapeEyes`) draws its surround
   * from the lid-covered texture (`ChildEyes.lidded`): the white and iris the 68-point hexagon
   * leaves outside give way to lid skin and the lids meet at a lash line. Drawn as the change
   * from the face's own texture (through the same LUTs and alpha), so the light the face pass
   * put on stays. Call after the face's luma and chroma passes. Returns whether it drew.
   */
  coverShutEyes(
    frame: Yuv420,
    texture: Yuv420,
    eyes: ChildEyes,
    meshPoints: ArrayLike<number>,
    dst: ArrayLike<number>,
    region: Rect,
    alpha: Float32Array,
    luts: [Uint8Array, Uint8Array, Uint8Array],
    scratch: WarpScratch,
  ): boolean {
    this.cover[0] = surroundCover(this.scale[0]);
    this.cover[1] = surroundCover(this.scale[1]);
    if (!(this.cover[0] > 0 || this.cover[1] > 0)) return false;
    this.lidLuma.setup(frame.y, texture.y, eyes.lidded.y, null, null, null, eyes, this.cover, 1, region, alpha, luts[0], EMPTY8);
    forEachWarpSpan(meshPoints, dst, eyes.surroundTriangles, region, this.lidLuma, 1, scratch);
    const cr = this.chromaRegion;
    cr.x = region.x >> 1;
    cr.y = region.y >> 1;
    cr.width = (region.width + 1) >> 1;
    cr.height = (region.height + 1) >> 1;
    this.lidChroma.setup(frame.u, texture.u, eyes.lidded.u, frame.v, texture.v, eyes.lidded.v, eyes, this.cover, 0.5, region, alpha, luts[1], luts[2]);
    forEachWarpSpan(meshPoints, dst, eyes.surroundTriangles, cr, this.lidChroma, 0.5, scratch);
    this.lidLuma.release();
    this.lidChroma.release();
    return true;
  }

  /**
   * Redraws the irises shifted by the story's gaze over the eye triangles (after the face's luma
   * and chroma passes, with the same alpha). `dst` is the frame's mesh, `region` the luma bbox.
   */
  drawIrises(
    frame: Yuv420,
    texture: Yuv420,
    eyes: ChildEyes,
    meshPoints: ArrayLike<number>,
    dst: ArrayLike<number>,
    state: EyeState,
    region: Rect,
    alpha: Float32Array,
    luts: [Uint8Array, Uint8Array, Uint8Array],
    scratch: WarpScratch,
  ): boolean {
    let any = false;
    for (const eye of [0, 1] as const) {
      const iris = eyes.iris[eye];
      const s = this.shift.subarray(2 * eye, 2 * eye + 2);
      s[0] = s[1] = 0;
      if (!iris) continue;
      const fr = eyeFrame(meshPoints, eye);
      // Vertical gaze is relative (the story's to its character's rest, see eye-measure): from the photo's rest.
      this.from[0] = eyes.gaze[2 * eye];
      this.from[1] = 0;
      // Gaze within the iris finder's own error of the photo's is noise, not a look: the iris
      // stays (a soft threshold, so a real look still moves it smoothly from zero).
      this.to[0] = this.from[0] + beyond(state.gaze[2 * eye] - this.from[0], GAZE_DEADBAND[0]);
      this.to[1] = beyond(state.gaze[2 * eye + 1], GAZE_DEADBAND[1]);
      irisShift(fr, iris, this.from, this.to, s);
      if (Math.abs(s[0]) + Math.abs(s[1]) > 0.25) any = true;
    }
    if (!any) return false;
    this.luma.setup(frame.y, texture.y, eyes, this.shift, 1, region, region.width, region.height, alpha, luts[0], null, null, 0);
    forEachWarpSpan(meshPoints, dst, eyes.eyeTriangles, region, this.luma, 1, scratch);
    const cr = this.chromaRegion;
    cr.x = region.x >> 1;
    cr.y = region.y >> 1;
    cr.width = (region.width + 1) >> 1;
    cr.height = (region.height + 1) >> 1;
    this.chroma.setup(frame.u, texture.u, eyes, this.shift, 0.5, region, region.width, region.height, alpha, luts[1], frame.v, texture.v, 1, luts[2]);
    forEachWarpSpan(meshPoints, dst, eyes.eyeTriangles, cr, this.chroma, 0.5, scratch);
    this.luma.release();
    this.chroma.release();
    return true;
  }
}

const EMPTY8: Uint8Array = new Uint8Array(0);
const EMPTYF: Float32Array = new Float32Array(0);

/**
 * Per surround pixel at texture position q: the frame moves by alpha × the eye's cover × (LUT of
 * the lid-covered texture − LUT of the face's texture) at q; nothing where the two agree. At
 * chroma scale U and V together (alpha = min over the 2×2 luma block).
 */
class SurroundSpans implements WarpSpanVisitor {
  private frameA = EMPTY8;
  private frameB = EMPTY8;
  private stride = 0;
  private texA = EMPTY8;
  private texB = EMPTY8;
  private lidA = EMPTY8;
  private lidB = EMPTY8;
  private ts = 0;
  private limX = 0;
  private limY = 0;
  private lutA = EMPTY8;
  private lutB = EMPTY8;
  private alpha = EMPTYF;
  private cover = EMPTYF;
  private ox = 0;
  private oy = 0;
  private w = 0;
  private h = 0;
  private chroma = false;
  private readonly mid = new Float64Array(4);

  setup(
    frameA: Plane,
    texA: Plane,
    lidA: Plane,
    frameB: Plane | null,
    texB: Plane | null,
    lidB: Plane | null,
    eyes: ChildEyes,
    cover: Float32Array,
    scale: number,
    lumaRegion: Rect,
    alpha: Float32Array,
    lutA: Uint8Array,
    lutB: Uint8Array,
  ): void {
    this.frameA = frameA.data;
    this.frameB = frameB ? frameB.data : EMPTY8;
    this.stride = frameA.stride;
    this.texA = texA.data;
    this.texB = texB ? texB.data : EMPTY8;
    this.lidA = lidA.data;
    this.lidB = lidB ? lidB.data : EMPTY8;
    this.chroma = frameB !== null;
    this.ts = texA.stride;
    this.limX = texA.width - 1 - 1 / 1024;
    this.limY = texA.height - 1 - 1 / 1024;
    this.lutA = lutA;
    this.lutB = lutB;
    this.alpha = alpha;
    this.cover = cover;
    this.ox = lumaRegion.x;
    this.oy = lumaRegion.y;
    this.w = lumaRegion.width;
    this.h = lumaRegion.height;
    for (let e = 0; e < 2; e++) {
      this.mid[2 * e] = this.mid[2 * e + 1] = 0;
      for (let k = 0; k < 12; k++) this.mid[2 * e + (k & 1)] += (eyes.contours[e][k] * scale - 0.5) / 6;
    }
  }

  release(): void {
    this.frameA = this.frameB = this.texA = this.texB = this.lidA = this.lidB = this.lutA = this.lutB = EMPTY8;
    this.alpha = this.cover = EMPTYF;
  }

  span(y: number, x0: number, n: number, sx: number, sy: number, dx: number, dy: number): void {
    const m = this.mid;
    const chroma = this.chroma,
      w = this.w,
      alpha = this.alpha;
    for (let i = 0; i < n; i++, sx += dx, sy += dy) {
      const e = Math.abs(sx - m[0]) + Math.abs(sy - m[1]) < Math.abs(sx - m[2]) + Math.abs(sy - m[3]) ? 0 : 1;
      const c = this.cover[e];
      if (!(c > 0)) continue;
      let a: number;
      if (chroma) {
        const lx = 2 * (x0 + i - (this.ox >> 1)),
          ly = 2 * (y - (this.oy >> 1));
        const lx1 = lx + 1 < w ? lx + 1 : lx,
          ly1 = ly + 1 < this.h ? ly + 1 : ly;
        a = Math.min(alpha[ly * w + lx], alpha[ly * w + lx1], alpha[ly1 * w + lx], alpha[ly1 * w + lx1]);
      } else {
        a = alpha[(y - this.oy) * w + (x0 + i - this.ox)];
      }
      if (!(a > 0)) continue;
      const f = y * this.stride + x0 + i;
      const da = this.lutA[(this.sample(this.lidA, sx, sy) + 0.5) | 0] - this.lutA[(this.sample(this.texA, sx, sy) + 0.5) | 0];
      if (da !== 0) this.frameA[f] = clampByte(this.frameA[f] + a * c * da);
      if (chroma) {
        const db = this.lutB[(this.sample(this.lidB, sx, sy) + 0.5) | 0] - this.lutB[(this.sample(this.texB, sx, sy) + 0.5) | 0];
        if (db !== 0) this.frameB[f] = clampByte(this.frameB[f] + a * c * db);
      }
    }
  }

  private sample(tex: Uint8Array, x: number, y: number): number {
    const ts = this.ts;
    const xx = x < 0 ? 0 : x > this.limX ? this.limX : x;
    const yy = y < 0 ? 0 : y > this.limY ? this.limY : y;
    const xi = xx | 0,
      yi = yy | 0,
      fx = xx - xi,
      fy = yy - yi;
    const p = yi * ts + xi;
    const t0 = tex[p] + (tex[p + 1] - tex[p]) * fx;
    const t1 = tex[p + ts] + (tex[p + ts + 1] - tex[p + ts]) * fx;
    return t0 + (t1 - t0) * fy;
  }
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
}

/**
 * Per eye pixel at texture position q: inside the shifted iris disc (soft last pixel) the
 * texture at q − shift (or the iris's mean colour where that lands outside the photo's eye),
 * elsewhere the iris-less texture at q; through the LUT, blended with the face's alpha. At
 * chroma scale it does U and V together (alpha = min over the 2×2 luma block).
 */
class IrisSpans implements WarpSpanVisitor {
  private frameA = EMPTY8;
  private frameB = EMPTY8;
  private stride = 0;
  private tex = EMPTY8;
  private texB = EMPTY8;
  private clean = EMPTY8;
  private cleanB = EMPTY8;
  private ts = 0;
  private limX = 0;
  private limY = 0;
  private lutA = EMPTY8;
  private lutB = EMPTY8;
  private alpha = EMPTYF;
  private ox = 0;
  private oy = 0;
  private w = 0;
  private h = 0;
  private scale = 1;
  private chroma = false;
  private eyes: ChildEyes | null = null;
  private shift = EMPTYF;
  private plane = 0;
  // Per eye: iris centre in source index space and radius (at this scale); contour at this scale.
  private readonly centre = new Float64Array(4);
  private readonly radius = new Float64Array(2);
  private readonly polys = [new Float64Array(12), new Float64Array(12)];
  private readonly mid = new Float64Array(4);

  setup(
    frameA: Plane,
    texA: Plane,
    eyes: ChildEyes,
    shift: Float32Array,
    scale: number,
    lumaRegion: Rect,
    w: number,
    h: number,
    alpha: Float32Array,
    lutA: Uint8Array,
    frameB: Plane | null,
    texB: Plane | null,
    plane: number,
    lutB: Uint8Array = EMPTY8,
  ): void {
    this.frameA = frameA.data;
    this.frameB = frameB ? frameB.data : EMPTY8;
    this.stride = frameA.stride;
    this.tex = texA.data;
    this.texB = texB ? texB.data : EMPTY8;
    this.chroma = frameB !== null;
    this.clean = this.chroma ? eyes.irisless.u.data : eyes.irisless.y.data;
    this.cleanB = this.chroma ? eyes.irisless.v.data : EMPTY8;
    this.ts = texA.stride;
    this.limX = texA.width - 1 - 1 / 1024;
    this.limY = texA.height - 1 - 1 / 1024;
    this.lutA = lutA;
    this.lutB = lutB;
    this.alpha = alpha;
    this.ox = lumaRegion.x;
    this.oy = lumaRegion.y;
    this.w = w;
    this.h = h;
    this.scale = scale;
    this.eyes = eyes;
    this.shift = shift;
    this.plane = plane;
    for (let e = 0; e < 2; e++) {
      const iris = eyes.iris[e];
      this.centre[2 * e] = iris ? iris.x * scale - 0.5 : -1e9;
      this.centre[2 * e + 1] = iris ? iris.y * scale - 0.5 : -1e9;
      this.radius[e] = iris ? iris.r * scale : 0;
      this.mid[2 * e] = this.mid[2 * e + 1] = 0;
      for (let k = 0; k < 12; k++) {
        this.polys[e][k] = eyes.contours[e][k] * scale - 0.5;
        this.mid[2 * e + (k & 1)] += this.polys[e][k] / 6;
      }
    }
  }

  release(): void {
    this.frameA = this.frameB = this.tex = this.texB = this.clean = this.cleanB = this.lutA = this.lutB = EMPTY8;
    this.alpha = this.shift = EMPTYF;
    this.eyes = null;
  }

  span(y: number, x0: number, n: number, sx: number, sy: number, dx: number, dy: number): void {
    const eyes = this.eyes!;
    const scale = this.scale,
      chroma = this.chroma;
    // Which eye: the nearer contour centre in source space.
    const m = this.mid;
    const e = Math.abs(sx - m[0]) + Math.abs(sy - m[1]) < Math.abs(sx - m[2]) + Math.abs(sy - m[3]) ? 0 : 1;
    const cx = this.centre[2 * e],
      cy = this.centre[2 * e + 1],
      r = this.radius[e];
    const shx = this.shift[2 * e] * scale,
      shy = this.shift[2 * e + 1] * scale;
    const ccx = cx + shx,
      ccy = cy + shy;
    const poly = this.polys[e];
    const alpha = this.alpha,
      w = this.w;
    for (let i = 0; i < n; i++, sx += dx, sy += dy) {
      let a: number;
      if (chroma) {
        const lx = 2 * (x0 + i - (this.ox >> 1)),
          ly = 2 * (y - (this.oy >> 1));
        const lx1 = lx + 1 < w ? lx + 1 : lx,
          ly1 = ly + 1 < this.h ? ly + 1 : ly;
        a = Math.min(alpha[ly * w + lx], alpha[ly * w + lx1], alpha[ly1 * w + lx], alpha[ly1 * w + lx1]);
      } else {
        a = alpha[(y - this.oy) * w + (x0 + i - this.ox)];
      }
      if (!(a > 0)) continue;
      const d = Math.hypot(sx - ccx, sy - ccy);
      const wIris = r > 0 ? clamp01(r + 0.5 - d) : 0;
      let va = this.sample(this.clean, sx, sy),
        vb = chroma ? this.sample(this.cleanB, sx, sy) : 0;
      if (wIris > 0) {
        const qx = sx - shx,
          qy = sy - shy;
        let ia: number,
          ib = 0;
        if (pointInPolygon(poly, qx, qy)) {
          ia = this.sample(this.tex, qx, qy);
          if (chroma) ib = this.sample(this.texB, qx, qy);
        } else {
          ia = eyes.irisColour[3 * e + this.plane];
          if (chroma) ib = eyes.irisColour[3 * e + 2];
        }
        va += wIris * (ia - va);
        vb += wIris * (ib - vb);
      }
      const f = y * this.stride + x0 + i;
      const oa = this.frameA[f];
      this.frameA[f] = (oa + a * (this.lutA[(va + 0.5) | 0] - oa) + 0.5) | 0;
      if (chroma) {
        const ob = this.frameB[f];
        this.frameB[f] = (ob + a * (this.lutB[(vb + 0.5) | 0] - ob) + 0.5) | 0;
      }
    }
  }

  private sample(tex: Uint8Array, x: number, y: number): number {
    const ts = this.ts;
    const xx = x < 0 ? 0 : x > this.limX ? this.limX : x;
    const yy = y < 0 ? 0 : y > this.limY ? this.limY : y;
    const xi = xx | 0,
      yi = yy | 0,
      fx = xx - xi,
      fy = yy - yi;
    const p = yi * ts + xi;
    const t0 = tex[p] + (tex[p + 1] - tex[p]) * fx;
    const t1 = tex[p + ts] + (tex[p + ts + 1] - tex[p + ts]) * fx;
    return t0 + (t1 - t0) * fy;
  }
}

function clamp01(v: number): number {
  return v > 0 ? (v < 1 ? v : 1) : 0;
}
