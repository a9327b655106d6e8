// Per-frame eye data of a story's character (CONTRACTS: per-frame eye data, FRAME_FIELDS eyeData /
// eyeOpen / gaze). Per analysed frame: the gaze of each eye from the frame's luma (`findIris` on
// the detected landmarks: the darkest iris-sized disc in the eye contour). Per role, once the
// track is joined: each eye's lid openness as its lid gap over the nose length (`eyeOpening`: the
// aspect ratio moves with head turns) over that character's own fully open value (a high
// percentile over the story's frames, so a cartoon's big eyes and a real face's both read 1 when
// open), measured on the RAW landmarks (the landmark smoothing would flatten a 3-frame blink),
// capped where the eye's white dips (`eyeWhiteArea` per frame, `whiteOpenness` per role: drawn
// eyes' lid landmarks often stay open through a blink) or where the iris model reads the lids
// closing (`irisReadingDue` picks the frames: an eye too small for the white, a white dip to
// weigh, a sample for the model's open level; `irisOpenness` per role), and only lightly
// smoothed; gaps in the gaze (closed or unclear eye) held from the neighbours. Pure: arrays in,
// arrays out.
import { eyeFrame, eyeOpening, findIris, gazeOf, Plane, Yuv420 } from '@talecast/geometry';
import { smoothTracks } from './landmark-smoother';

/** Floats per frame in an eye track: [openR, openL, gazeRx, gazeRy, gazeLx, gazeLy]. */
export const EYE_TRACK_DIMS = 6;
/** Percentile of a role's eye aspect ratios taken as "fully open" for that character. */
export const OPEN_PERCENTILE = 0.9;
/** Iris contrast (luma) under which a frame's gaze is not trusted. */
export const MIN_GAZE_CONTRAST = 10;
/** Temporal smoothing (frames, Gaussian sigma): light on the lids (a blink is 3–6 frames), more on the gaze. */
export const LID_SIGMA = 0.7;
export const GAZE_SIGMA = 1.5;

/**
 * Gaze of both eyes in one frame from its luma plane and the frame's 68 landmarks, into
 * `out[0..3]` as [rx, ry, lx, ly]; NaN for an eye whose iris is not found or not clear.
 */
export function measureGaze(luma: Plane, landmarks: ArrayLike<number>, out: Float32Array): Float32Array {
  for (const eye of [0, 1] as const) {
    const frame = eyeFrame(landmarks, eye);
    const iris = findIris(luma, landmarks, eye, frame);
    if (!iris || iris.contrast < MIN_GAZE_CONTRAST) {
      out[2 * eye] = out[2 * eye + 1] = NaN;
      continue;
    }
    gazeOf(frame, iris, out.subarray(2 * eye, 2 * eye + 2));
  }
  return out;
}

/**
 * How much eye white each eye shows, into `out[0..1]`: the share of a fixed box around the eye
 * (WHITE_BOX: centred on the eye's contour, sized from the eye width or, when larger, a share of
 * the inter-ocular distance — the landmark net draws a cartoon's big eye too small and 0.14 IOD
 * off; the lid landmarks are not used) whose pixels are neutral in colour and bright, where the
 * cheek under the eye is warm: the sclera (and catch-lights). A closed eye shows lid skin and a
 * lash line: none. NaN when the eye is under MIN_WHITE_EYE_PX (at 640x360 a far shot's drawn eye
 * is 10 px and its white a few chroma pixels: the count flickers to 0 on open eyes), the cheek is
 * off the frame, or the skin is itself near neutral (white cannot be told from skin).
 */
export function eyeWhiteArea(frame: Yuv420, landmarks: ArrayLike<number>, out: Float32Array): Float32Array {
  const iod = Math.hypot(eyeCentre(landmarks, 1, 0) - eyeCentre(landmarks, 0, 0), eyeCentre(landmarks, 1, 1) - eyeCentre(landmarks, 0, 1));
  for (const eye of [0, 1] as const) {
    const f = eyeFrame(landmarks, eye);
    out[eye] = whiteShare(frame, eyeCentre(landmarks, eye, 0), eyeCentre(landmarks, eye, 1), f.ux, f.uy, Math.max(f.width, WHITE_BOX.iod * iod), WHITE_BOX);
  }
  return out;
}

/** Where to look for an eye's white, in eye sizes from the eye's centre (u along the eye line, n down). */
interface WhiteBox {
  /** Eye size: at least this share of the inter-ocular distance (the landmark net draws a cartoon's big eye too small). */
  iod: number;
  u: number;
  nUp: number;
  nDown: number;
  cheek: [number, number];
}
export const WHITE_BOX: WhiteBox = { iod: 0.55, u: 0.7, nUp: 0.55, nDown: 0.4, cheek: [0.75, 1.05] };
/** Eye size (px) under which the white is not counted. */
export const MIN_WHITE_EYE_PX = 13;

/** Mean of one eye's 6 contour points, x (axis 0) or y (axis 1). */
function eyeCentre(landmarks: ArrayLike<number>, eye: 0 | 1, axis: 0 | 1): number {
  let s = 0;
  for (let k = 0; k < 6; k++) s += landmarks[2 * (36 + 6 * eye + k) + axis];
  return s / 6;
}

/** Chroma (|U−128|+|V−128|) of the cheek skin under which white cannot be told from skin. */
export const MIN_SKIN_CHROMA = 8;

function whiteShare(frame: Yuv420, cx: number, cy: number, ux: number, uy: number, w: number, box: WhiteBox): number {
  if (!(w >= MIN_WHITE_EYE_PX)) return NaN;
  const nx = -uy,
    ny = ux;
  // The cheek under the eye: median luma and chroma distance from neutral.
  const cheekY: number[] = [],
    cheekC: number[] = [];
  for (let a = -0.3; a <= 0.3001; a += 0.1)
    for (let b = box.cheek[0]; b <= box.cheek[1] + 1e-3; b += 0.1) {
      const x = Math.round(cx + a * w * ux + b * w * nx),
        y = Math.round(cy + a * w * uy + b * w * ny);
      if (x < 0 || y < 0 || x >= frame.y.width || y >= frame.y.height) continue;
      cheekY.push(frame.y.data[y * frame.y.stride + x]);
      cheekC.push(chromaAt(frame, x, y));
    }
  if (cheekY.length < 8) return NaN;
  const skinY = median(cheekY),
    skinC = median(cheekC);
  if (skinC < MIN_SKIN_CHROMA) return NaN;
  const maxC = 0.35 * skinC,
    minY = 0.6 * skinY;
  let white = 0,
    total = 0;
  const r = Math.max(box.u, box.nUp, box.nDown) * w + 1;
  const x0 = Math.max(0, Math.floor(cx - r)),
    x1 = Math.min(frame.y.width - 1, Math.ceil(cx + r));
  const y0 = Math.max(0, Math.floor(cy - r)),
    y1 = Math.min(frame.y.height - 1, Math.ceil(cy + r));
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const dx = x + 0.5 - cx,
        dy = y + 0.5 - cy;
      const u = (dx * ux + dy * uy) / w,
        n = (dx * nx + dy * ny) / w;
      if (u < -box.u || u > box.u || n < -box.nUp || n > box.nDown) continue;
      total++;
      if (frame.y.data[y * frame.y.stride + x] >= minY && chromaAt(frame, x, y) <= maxC) white++;
    }
  return total > 0 ? white / total : NaN;
}

function chromaAt(frame: Yuv420, x: number, y: number): number {
  const k = (y >> 1) * frame.u.stride + (x >> 1);
  return Math.abs(frame.u.data[k] - 128) + Math.abs(frame.v.data[k] - 128);
}

function median(v: number[]): number {
  v.sort((a, b) => a - b);
  return v[v.length >> 1];
}

/** Frames either side of a frame whose eye white sets the level a blink dips from. */
export const WHITE_LEVEL_FRAMES = 8;
/** The eye white over its level → openness: 0 at or under WHITE_SHUT[0], 1 from WHITE_SHUT[1] (linear). */
export const WHITE_SHUT: [number, number] = [0.35, 0.8];
/** Frames a side of the level needs to count (fewer: the other side alone sets it). */
export const MIN_SIDE_FRAMES = 3;
/** A level under this share of the role's own high percentile of white is too little to read a dip from. */
export const MIN_WHITE_LEVEL = 0.5;

/**
 * When the analysis reads an eye's lids with the iris model (libs/face iris-model, 6–8 ms an eye
 * on a quiet core): the white cannot read the eye (a far shot's 10 px drawn eye at 640x360:
 * its blinks were lost), its white dips under `dip` × the most white of the WHITE_LEVEL_FRAMES
 * measured frames either side (a blink, a look down — which the white overstates: 0.2 for the
 * drawn 0.6 — or the white misread in one eye: the far eye of a turn, a shot's last frame), and
 * every `every`-th frame (the model's own open level: irisOpenness). A dip of both eyes is read on
 * every other frame (even story frames; an odd one holds a measured neighbour's reading where
 * there is one and it is near open, IRIS_HOLD): reading every frame of them cost the 60 s 720p tale's precompute 1.72x → 1.40x
 * real time (eyes640.md), and a look down lasts longer than two frames.
 */
export const IRIS_READ = { dip: 0.6, every: 90 };
/** A both-eye dip's odd frame holds a neighbour's reading only at or over this share of the eye's open level (see nearOpen). */
export const IRIS_HOLD = 0.8;
/** Per eye: read it with the iris model, hold a neighbour's reading, or neither. */
export type IrisReading = 'read' | 'hold' | 'none';
/** The iris model's lid gap over its open level → openness: 0 at or under IRIS_SHUT[0], 1 from IRIS_SHUT[1] (linear). */
export const IRIS_SHUT: [number, number] = [0.3, 0.8];
/**
 * Where both read, the white may say an eye is at most this much more closed than the iris
 * model does. The white overstates a look down (0.2 for the drawn 0.6) and misreads single
 * frames (one eye 0.02 at a shot's last frame); the model reads the drawn look down nearly open
 * (0.9) but every blink: between them the look down lands near the truth and a false closing
 * stays open. 0.3–0.4 measured alike (eyes640.md).
 */
export const IRIS_TIE = 0.35;
/** Readings of an eye under which the model's open level is not trusted (the model is then ignored). */
export const MIN_IRIS_READS = 10;

/**
 * Which eyes of frame k are to be read with the iris model (IRIS_READ), into `out` [eye 0,
 * eye 1]; `white`, `iris` and `present` are the role's so far (frames × 2, frames × 2 with NaN
 * where not read, frames), `shotStart` the shot's first k, `frame` the story frame. The level
 * comes from the measured frames on both sides: the analysis goes forwards, so the frames after k
 * are measured only when k is reached by a look back from a face found later (look-back.ts), and
 * those are k's shot as far as they run unbroken; before, a look-back frame's white had no level
 * and its one-eyed dips went unchecked (1280x720 tale frame 175: a wink where the drawn eyes are open).
 */
export function irisReadingDue(
  white: Float32Array,
  iris: Float32Array,
  present: Uint8Array,
  k: number,
  shotStart: number,
  frame: number,
  out: IrisReading[] = ['none', 'none'],
): IrisReading[] {
  let seen = 0;
  const high = [0, 0];
  const look = (j: number) => {
    seen++;
    for (const eye of [0, 1]) if (white[j * 2 + eye] > high[eye]) high[eye] = white[j * 2 + eye];
  };
  for (let j = k - 1; j >= Math.max(shotStart, k - WHITE_LEVEL_FRAMES); j--) if (present[j]) look(j);
  for (let j = k + 1; j <= k + WHITE_LEVEL_FRAMES && j < present.length && present[j]; j++) look(j);
  const dipped = [0, 1].map((eye) => seen > 0 && white[k * 2 + eye] < IRIS_READ.dip * high[eye]);
  // On an odd frame of a dip of both eyes (never a level sample: IRIS_READ.every is even), a measured neighbour's reading
  // stands: the frame before's, or in a look back the frame after's.
  const neighbour = heldFrom(present, k, shotStart);
  const mayHold = dipped[0] && dipped[1] && frame % 2 === 1 && neighbour >= 0;
  for (const eye of [0, 1]) {
    const due = frame % IRIS_READ.every === 0 || !Number.isFinite(white[k * 2 + eye]) || dipped[eye];
    out[eye] = !due ? 'none' : mayHold && nearOpen(iris, present, k, neighbour, eye) ? 'hold' : 'read';
  }
  return out;
}

/**
 * A held reading must be near the eye's open level (IRIS_HOLD): the model reads lowered lids over a look down near open
 * (0.87–0.89 of it on the drawn tale), while a reading under it is a closing eye, read every frame. Holding a blink's
 * first reading over its deepest frame had put the blink a frame late (640x360 10 s tale frame 119: one eye 0.60 for
 * the drawn 0.23, a wink in the output). The level: the eye's highest reading of the IRIS_READ.every frames before k and
 * the measured frames after it (a level sample falls in them where the face was there). No level: read.
 */
function nearOpen(iris: Float32Array, present: Uint8Array, k: number, neighbour: number, eye: number): boolean {
  const held = iris[neighbour * 2 + eye];
  if (!Number.isFinite(held)) return false;
  let level = -Infinity;
  for (let j = Math.max(0, k - IRIS_READ.every); j < k; j++) if (present[j] && iris[j * 2 + eye] > level) level = iris[j * 2 + eye];
  for (let j = k + 1; j < present.length && present[j]; j++) if (iris[j * 2 + eye] > level) level = iris[j * 2 + eye];
  return held >= IRIS_HOLD * level;
}

/** The measured neighbour whose reading a held eye of frame k takes (see irisReadingDue): the frame before, else the one after; -1 when neither. */
export function heldFrom(present: Uint8Array, k: number, shotStart: number): number {
  if (k - 1 >= shotStart && present[k - 1]) return k - 1;
  return k + 1 < present.length && present[k + 1] ? k + 1 : -1;
}

/**
 * Per frame and eye, the openness the iris model's readings say (frames × 2; NaN where not
 * read): the lid gap over the role's own open level (OPEN_PERCENTILE of its readings), mapped
 * by IRIS_SHUT. An eye with under MIN_IRIS_READS readings gets none.
 */
export function irisOpenness(iris: Float32Array, present: Uint8Array): Float32Array {
  const out = new Float32Array(present.length * 2).fill(NaN);
  for (let eye = 0; eye < 2; eye++) {
    let reads = 0;
    for (let i = 0; i < present.length; i++) if (present[i] && Number.isFinite(iris[i * 2 + eye])) reads++;
    const high = percentile(iris, present, 2, OPEN_PERCENTILE, eye);
    if (reads < MIN_IRIS_READS || !(high > 0)) continue;
    for (let i = 0; i < present.length; i++) {
      const v = iris[i * 2 + eye];
      if (present[i] && Number.isFinite(v)) out[i * 2 + eye] = clamp01((v / high - IRIS_SHUT[0]) / (IRIS_SHUT[1] - IRIS_SHUT[0]));
    }
  }
  return out;
}

/** The cap on an eye's lid openness from its white's and the iris model's (either NaN: the other alone; both: IRIS_TIE). */
export function lidCap(white: number, iris: number): number {
  if (Number.isFinite(white) && Number.isFinite(iris)) return Math.max(white, iris - IRIS_TIE);
  return Number.isFinite(iris) ? iris : white;
}

/**
 * One role's eye track (frameCount × EYE_TRACK_DIMS) from its raw per-frame landmarks
 * (frameCount × 136), raw gaze (frameCount × 4, NaN where unknown; null = no gaze measured,
 * gaze 0), eye white (frameCount × 2, see eyeWhiteArea; null = not measured) and iris-model lid
 * gaps (frameCount × 2, see irisReadingDue; NaN where neither read nor held, null = none), where `present`;
 * runs never cross a cut. Frames without the face are left 0.
 */
export function eyeTrack(
  rawLandmarks: Float32Array,
  rawGaze: Float32Array | null,
  present: Uint8Array,
  cuts: ReadonlySet<number>,
  eyeWhite: Float32Array | null = null,
  eyeIris: Float32Array | null = null,
): Float32Array {
  const n = present.length;
  const out = new Float32Array(n * EYE_TRACK_DIMS);
  const aspects: number[] = [];
  for (let i = 0; i < n; i++) {
    if (!present[i]) continue;
    const lm = rawLandmarks.subarray(i * 136, i * 136 + 136);
    for (const eye of [0, 1] as const) {
      const a = eyeOpening(lm, eye);
      out[i * EYE_TRACK_DIMS + eye] = a;
      aspects.push(a);
    }
  }
  if (!aspects.length) return out;
  aspects.sort((a, b) => a - b);
  const open = aspects[Math.min(aspects.length - 1, Math.floor(OPEN_PERCENTILE * aspects.length))];
  const white = eyeWhite ? whiteOpenness(eyeWhite, present, cuts) : null;
  const iris = eyeIris ? irisOpenness(eyeIris, present) : null;
  for (let i = 0; i < n; i++) {
    if (!present[i]) continue;
    for (let eye = 0; eye < 2; eye++) {
      const k = i * EYE_TRACK_DIMS + eye;
      out[k] = open > 0 ? Math.min(1, out[k] / open) : 1;
      // An eye whose white has gone or whose lids the iris model reads closing is closing, whatever its lid landmarks say.
      const cap = lidCap(white ? white[i * 2 + eye] : NaN, iris ? iris[i * 2 + eye] : NaN);
      if (Number.isFinite(cap)) out[k] = Math.min(out[k], cap);
    }
  }
  const lids = smoothTracks(pick(out, 0, 2), 2, present, cuts, LID_SIGMA);
  const gaze = rawGaze ? holdGaps(rawGaze, present, cuts) : new Float32Array(n * 4);
  centreVerticalGaze(gaze, present);
  const gazeSmooth = smoothTracks(gaze, 4, present, cuts, GAZE_SIGMA);
  for (let i = 0; i < n; i++) {
    if (!present[i]) continue;
    for (let d = 0; d < 2; d++) out[i * EYE_TRACK_DIMS + d] = clamp01(lids[i * 2 + d]);
    for (let d = 0; d < 4; d++) out[i * EYE_TRACK_DIMS + 2 + d] = gazeSmooth[i * 4 + d];
  }
  return out;
}

/**
 * Per frame and eye, the openness the eye white says (frames × 2; NaN where it cannot tell): the
 * white over its level, the level being the lower of the most white seen in the WHITE_LEVEL_FRAMES
 * before and in those after (in the same run, never across a cut; the other side alone where one
 * has under MIN_SIDE_FRAMES; the frame's own white when higher). A blink or a look down dips below
 * both sides; a lasting change of pose or light moves the level with it (one side follows), so
 * only the dips read as closing. For drawn eyes, whose lid landmarks stay open through a blink.
 */
export function whiteOpenness(white: Float32Array, present: Uint8Array, cuts: ReadonlySet<number>): Float32Array {
  const n = present.length;
  const out = new Float32Array(n * 2).fill(NaN);
  const runStart = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) if (present[i]) runStart[i] = i > 0 && present[i - 1] && !cuts.has(i) ? runStart[i - 1] : i;
  for (let eye = 0; eye < 2; eye++) {
    const high = percentile(white, present, 2, OPEN_PERCENTILE, eye);
    if (!(high > 0)) continue;
    for (let i = 0; i < n; i++) {
      const w = white[i * 2 + eye];
      if (!present[i] || !Number.isFinite(w)) continue;
      let before = 0,
        after = 0,
        nBefore = 0,
        nAfter = 0;
      for (let j = Math.max(0, i - WHITE_LEVEL_FRAMES); j < i; j++)
        if (runStart[j] === runStart[i] && Number.isFinite(white[j * 2 + eye])) {
          nBefore++;
          before = Math.max(before, white[j * 2 + eye]);
        }
      for (let j = i + 1; j <= Math.min(n - 1, i + WHITE_LEVEL_FRAMES); j++)
        if (runStart[j] === runStart[i] && Number.isFinite(white[j * 2 + eye])) {
          nAfter++;
          after = Math.max(after, white[j * 2 + eye]);
        }
      // A side with only a frame or two (the frame is near a cut) says too little: the other side sets the level.
      const sides = nBefore >= MIN_SIDE_FRAMES && nAfter >= MIN_SIDE_FRAMES ? Math.min(before, after) : nBefore >= MIN_SIDE_FRAMES ? before : after;
      const level = Math.max(w, sides);
      if (level < MIN_WHITE_LEVEL * high) continue;
      out[i * 2 + eye] = clamp01((w / level - WHITE_SHUT[0]) / (WHITE_SHUT[1] - WHITE_SHUT[0]));
    }
  }
  return out;
}

/**
 * The vertical gaze relative to the character's own resting iris height (its median): where an
 * iris sits in a drawn eye is a matter of style, only its movement is the character looking up
 * or down. (Horizontal gaze stays absolute: eyes at rest look straight ahead.)
 */
function centreVerticalGaze(gaze: Float32Array, present: Uint8Array): void {
  for (const d of [1, 3]) {
    const values: number[] = [];
    for (let i = 0; i < present.length; i++) if (present[i] && Number.isFinite(gaze[i * 4 + d])) values.push(gaze[i * 4 + d]);
    if (!values.length) continue;
    values.sort((a, b) => a - b);
    const median = values[values.length >> 1];
    for (let i = 0; i < present.length; i++) if (present[i]) gaze[i * 4 + d] -= median;
  }
}

/** NaN gaze values replaced by the nearest known value in the same run (0 when the run has none). */
function holdGaps(raw: Float32Array, present: Uint8Array, cuts: ReadonlySet<number>): Float32Array {
  const n = present.length,
    out = new Float32Array(raw);
  for (let d = 0; d < 4; d++) {
    let start = -1;
    for (let i = 0; i <= n; i++) {
      const inRun = i < n && present[i] === 1 && !(start >= 0 && cuts.has(i));
      if (inRun && start < 0) start = i;
      if (inRun) continue;
      if (start >= 0) fillRun(out, d, start, i);
      start = i < n && present[i] === 1 ? i : -1;
    }
  }
  return out;
}

function fillRun(v: Float32Array, d: number, from: number, to: number): void {
  let last = NaN;
  for (let i = from; i < to; i++) {
    if (Number.isNaN(v[i * 4 + d])) v[i * 4 + d] = last;
    else last = v[i * 4 + d];
  }
  last = NaN;
  for (let i = to - 1; i >= from; i--) {
    if (Number.isNaN(v[i * 4 + d])) v[i * 4 + d] = last;
    else last = v[i * 4 + d];
  }
  for (let i = from; i < to; i++) if (Number.isNaN(v[i * 4 + d])) v[i * 4 + d] = 0;
}

/** The q-quantile of the finite values of `values` (frames × dims; only dimension `only` when given) over present frames. */
function percentile(values: Float32Array, present: Uint8Array, dims: number, q: number, only = -1): number {
  const known: number[] = [];
  for (let i = 0; i < present.length; i++) {
    if (!present[i]) continue;
    for (let d = 0; d < dims; d++) if ((only < 0 || d === only) && Number.isFinite(values[i * dims + d])) known.push(values[i * dims + d]);
  }
  if (!known.length) return NaN;
  known.sort((a, b) => a - b);
  return known[Math.min(known.length - 1, Math.floor(q * known.length))];
}

function pick(track: Float32Array, from: number, count: number): Float32Array {
  const n = track.length / EYE_TRACK_DIMS,
    out = new Float32Array(n * count);
  for (let i = 0; i < n; i++) for (let d = 0; d < count; d++) out[i * count + d] = track[i * EYE_TRACK_DIMS + from + d];
  return out;
}

function clamp01(v: number): number {
  return v > 0 ? (v < 1 ? v : 1) : 0;
}
