// Per-frame eye data of a story's character (CONTRACTS: per-frame eye data, FRAME_FIELDS eyeData /
// eyeOpen / gaze). Per analysed frame: the gaze of each eye from the frame's luma (`findIris` on
// the detected landmarks: the darkest iris-sized disc in the eye contour). Per role, once the
// track is joined: each eye's lid openness as its lid gap over the nose length (`eyeOpening`: the
// aspect ratio moves with head turns) over that character's own fully open value (a high
// percentile over the story's frames, so a cartoon's big eyes and a real face's both read 1 when
// open), measured on the RAW landmarks (the landmark smoothing would
// flatten a 3-frame blink), capped where the iris has gone from a fixed eye box (drawn eyes'
// lid landmarks often stay open through a blink), and only lightly smoothed; gaps in the gaze
// (closed or unclear eye) held from the neighbours. Pure: arrays in, arrays out.
import { eyeFrame, eyeOpening, findIris, gazeOf, Plane } from '@talecast/geometry';
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
 * How clearly each eye shows an iris, into `out[0..1]`: the darkest-disc contrast (luma) in a
 * fixed eye box from the corners alone (lids at ±0.3 of the width), so it does not depend on the
 * lid landmarks — which on drawn eyes often stay open through a blink. A closed eye shows only
 * the lid and its thin lash line: low contrast. NaN when the eye is too small to tell.
 */
export function irisVisibility(luma: Plane, landmarks: ArrayLike<number>, out: Float32Array, scratch: Float32Array = new Float32Array(136)): Float32Array {
  for (let i = 0; i < 136; i++) scratch[i] = landmarks[i];
  for (const eye of [0, 1] as const) {
    const f = eyeFrame(landmarks, eye),
      o = 36 + 6 * eye;
    const set = (i: number, u: number, n: number) => {
      scratch[2 * i] = f.cx + u * f.width * f.ux + n * f.width * f.nx;
      scratch[2 * i + 1] = f.cy + u * f.width * f.uy + n * f.width * f.ny;
    };
    set(o + 1, -1 / 6, -0.3);
    set(o + 2, 1 / 6, -0.3);
    set(o + 4, 1 / 6, 0.3);
    set(o + 5, -1 / 6, 0.3);
    const iris = f.width >= 10 ? findIris(luma, scratch, eye) : null;
    out[eye] = iris ? Math.max(0, iris.contrast) : NaN;
  }
  return out;
}

/** Iris visibility (over the role's own high percentile) under which the eye counts as closing: 0 at IRIS_SHUT[0], 1 from IRIS_SHUT[1]. */
export const IRIS_SHUT: [number, number] = [0.25, 0.6];

/**
 * One role's eye track (frameCount × EYE_TRACK_DIMS) from its raw per-frame landmarks
 * (frameCount × 136) and raw gaze (frameCount × 4, NaN where unknown; null = no gaze measured,
 * gaze 0), where `present`; runs never cross a cut. Frames without the face are left 0.
 */
export function eyeTrack(
  rawLandmarks: Float32Array,
  rawGaze: Float32Array | null,
  present: Uint8Array,
  cuts: ReadonlySet<number>,
  irisContrast: Float32Array | null = null,
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
  const irisOpen = irisContrast ? percentile(irisContrast, present, 2, OPEN_PERCENTILE) : NaN;
  for (let i = 0; i < n; i++) {
    if (!present[i]) continue;
    for (let eye = 0; eye < 2; eye++) {
      const k = i * EYE_TRACK_DIMS + eye;
      out[k] = open > 0 ? Math.min(1, out[k] / open) : 1;
      // An eye whose iris has gone is closing, whatever its lid landmarks say.
      const c = irisContrast ? irisContrast[i * 2 + eye] : NaN;
      if (irisOpen > 0 && Number.isFinite(c)) out[k] = Math.min(out[k], smoothstep(IRIS_SHUT[0], IRIS_SHUT[1], c / irisOpen));
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

/** The q-quantile of the finite values of `values` (frames × dims) over present frames. */
function percentile(values: Float32Array, present: Uint8Array, dims: number, q: number): number {
  const known: number[] = [];
  for (let i = 0; i < present.length; i++) {
    if (!present[i]) continue;
    for (let d = 0; d < dims; d++) if (Number.isFinite(values[i * dims + d])) known.push(values[i * dims + d]);
  }
  if (!known.length) return NaN;
  known.sort((a, b) => a - b);
  return known[Math.min(known.length - 1, Math.floor(q * known.length))];
}

function smoothstep(a: number, b: number, x: number): number {
  if (!(x > a)) return 0;
  if (x >= b) return 1;
  const t = (x - a) / (b - a);
  return t * t * (3 - 2 * t);
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
