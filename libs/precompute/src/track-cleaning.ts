// The precompute's track cleaning: the analysed ranges joined into one track per role, short
// gaps inside a shot filled, spurious short runs dropped, missing samples filled from their
// neighbours, and everything smoothed within shots. Pure: range results in, typed arrays out;
// never crosses a shot cut, never touches files.
import { EXPRESSION_DIMS, LANDMARK_DIMS, RangeResult, RoleTrackData } from './range-analyzer';
import { COLOUR_DIMS } from './colour-stats';
import { smoothTracks } from './landmark-smoother';
import { fillGapsFromKeyframes, KEYED_FILL_REACH_SECONDS, KeyedTrack, preferKeyframesPerShot } from './keyed-faces';
import { eyeTrack } from './eye-measure';

export interface TrackCleaningSettings {
  fps: number;
  maxGapFrames: number;
  minTrackSeconds: number;
  landmarkSigma: number;
  colourSigma: number;
  expressionSigma: number;
}

/** One role's cleaned and smoothed track over the whole story. */
export interface CleanTrack extends RoleTrackData {
  /** The landmarks before smoothing (after gap filling and dropping short runs). */
  rawLandmarks: Float32Array;
  /** Per frame [openR, openL, gazeRx, gazeRy, gazeLx, gazeLy] (see eye-measure's eyeTrack). */
  eyes: Float32Array;
}

/** Joins, cleans and smooths one role's track. */
export function cleanRoleTrack(results: RangeResult[], role: string, frameCount: number, cuts: ReadonlySet<number>, s: TrackCleaningSettings): CleanTrack {
  const joined = joinRole(results, role, frameCount);
  if (joined.keyed) {
    preferKeyframesPerShot(joined, joined.keyed, cuts);
    fillGapsFromKeyframes(joined, joined.keyed, cuts, Math.round(KEYED_FILL_REACH_SECONDS * s.fps));
  }
  fillShortGaps(joined, cuts, s.maxGapFrames);
  dropShortRuns(joined.present, cuts, Math.round(s.minTrackSeconds * s.fps));
  const landmarks = smoothTracks(joined.landmarks, LANDMARK_DIMS, joined.present, cuts, s.landmarkSigma);
  fillMissing(joined.colour, COLOUR_DIMS, joined.present, cuts);
  const colour = smoothTracks(joined.colour, COLOUR_DIMS, joined.present, cuts, s.colourSigma);
  fillMissing(joined.expressions, EXPRESSION_DIMS, joined.present, cuts);
  const expressions = smoothTracks(joined.expressions, EXPRESSION_DIMS, joined.present, cuts, s.expressionSigma);
  // Lid openness from the raw landmarks: the landmark smoothing would flatten a 3-frame blink.
  const eyes = eyeTrack(joined.landmarks, joined.gaze, joined.present, cuts, joined.eyeWhite, joined.eyeIris);
  return {
    present: joined.present,
    landmarks,
    colour,
    expressions,
    gaze: joined.gaze,
    eyeWhite: joined.eyeWhite,
    rawLandmarks: joined.landmarks,
    ...(joined.between ? { between: joined.between } : {}),
    eyes,
  };
}

/** The ranges' data of one role laid end to end (each range clipped to the story's frames). */
export function joinRole(results: RangeResult[], name: string, frameCount: number): RoleTrackData {
  const out: RoleTrackData = {
    present: new Uint8Array(frameCount),
    landmarks: new Float32Array(frameCount * LANDMARK_DIMS),
    expressions: new Float32Array(frameCount * EXPRESSION_DIMS).fill(NaN),
    colour: new Float32Array(frameCount * COLOUR_DIMS).fill(NaN),
    gaze: new Float32Array(frameCount * 4).fill(NaN),
    eyeWhite: new Float32Array(frameCount * 2).fill(NaN),
    eyeIris: new Float32Array(frameCount * 2).fill(NaN),
    between: new Uint8Array(frameCount),
  };
  const keyed: KeyedTrack | undefined = results.some((r) => r.roles[name].keyed)
    ? { present: new Uint8Array(frameCount), landmarks: new Float32Array(frameCount * LANDMARK_DIMS) }
    : undefined;
  if (keyed) out.keyed = keyed;
  for (const r of results) {
    const d = r.roles[name];
    const n = Math.min(r.frameCount, frameCount - r.startFrame);
    if (keyed && d.keyed) {
      keyed.present.set(d.keyed.present.subarray(0, n), r.startFrame);
      keyed.landmarks.set(d.keyed.landmarks.subarray(0, n * LANDMARK_DIMS), r.startFrame * LANDMARK_DIMS);
    }
    out.present.set(d.present.subarray(0, n), r.startFrame);
    out.landmarks.set(d.landmarks.subarray(0, n * LANDMARK_DIMS), r.startFrame * LANDMARK_DIMS);
    out.expressions.set(d.expressions.subarray(0, n * EXPRESSION_DIMS), r.startFrame * EXPRESSION_DIMS);
    out.colour.set(d.colour.subarray(0, n * COLOUR_DIMS), r.startFrame * COLOUR_DIMS);
    if (d.gaze) out.gaze.set(d.gaze.subarray(0, n * 4), r.startFrame * 4);
    if (d.eyeWhite) out.eyeWhite.set(d.eyeWhite.subarray(0, n * 2), r.startFrame * 2);
    if (d.eyeIris) out.eyeIris!.set(d.eyeIris.subarray(0, n * 2), r.startFrame * 2);
    if (d.between) out.between!.set(d.between.subarray(0, n), r.startFrame);
  }
  return out;
}

/** Gaps of a few frames inside one shot are filled by linear interpolation of the landmarks. */
export function fillShortGaps(d: Pick<RoleTrackData, 'present' | 'landmarks'>, cuts: ReadonlySet<number>, maxGap: number): void {
  const n = d.present.length;
  let i = 0;
  while (i < n) {
    if (d.present[i] || i === 0 || !d.present[i - 1]) {
      i++;
      continue;
    }
    let j = i;
    while (j < n && !d.present[j]) j++;
    const gap = j - i;
    let crossesCut = false;
    for (let k = i; k <= j && k < n; k++) if (cuts.has(k)) crossesCut = true;
    if (j < n && gap <= maxGap && !crossesCut) {
      for (let k = i; k < j; k++) {
        const t = (k - (i - 1)) / (j - (i - 1));
        for (let c = 0; c < LANDMARK_DIMS; c++)
          d.landmarks[k * LANDMARK_DIMS + c] = lerp(d.landmarks[(i - 1) * LANDMARK_DIMS + c], d.landmarks[j * LANDMARK_DIMS + c], t);
        d.present[k] = 1;
      }
    }
    i = j;
  }
}

/**
 * Runs shorter than `min` frames (spurious detections) are removed; a cut ends a run. A short run
 * that fills most of a short shot (at least SHORT_SHOT_SHARE of it, and MIN_SHORT_RUN frames) is
 * the face of that shot and stays: a 0.3 s shot is still a shot.
 */
export function dropShortRuns(present: Uint8Array, cuts: ReadonlySet<number>, min: number): void {
  const sortedCuts = [...cuts].sort((a, b) => a - b);
  const shotAround = (i: number): [number, number] => {
    let from = 0,
      to = present.length;
    for (const c of sortedCuts) {
      if (c <= i) from = c;
      else {
        to = Math.min(to, c);
        break;
      }
    }
    return [from, to];
  };
  let start = -1;
  for (let i = 0; i <= present.length; i++) {
    const on = i < present.length && present[i] === 1 && !(start >= 0 && cuts.has(i));
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      const length = i - start;
      const [from, to] = shotAround(start);
      const fillsShot = length >= MIN_SHORT_RUN && length >= SHORT_SHOT_SHARE * (to - from);
      if (length < min && !fillsShot) present.fill(0, start, i);
      start = i < present.length && present[i] === 1 ? i : -1;
    }
  }
}
export const SHORT_SHOT_SHARE = 0.6;
export const MIN_SHORT_RUN = 3;

/** NaN samples of present frames take the nearest known value in the same run (0 when none). */
export function fillMissing(values: Float32Array, dims: number, present: Uint8Array, cuts: ReadonlySet<number>): void {
  const n = present.length;
  for (let d = 0; d < dims; d++) {
    let last = NaN;
    for (let i = 0; i < n; i++) {
      if (!present[i] || cuts.has(i)) last = NaN;
      if (!present[i]) continue;
      const v = values[i * dims + d];
      if (Number.isNaN(v)) values[i * dims + d] = last;
      else last = v;
    }
    let next = NaN;
    for (let i = n - 1; i >= 0; i--) {
      if (!present[i]) {
        next = NaN;
        continue;
      }
      const v = values[i * dims + d];
      if (Number.isNaN(v)) values[i * dims + d] = next;
      else next = v;
      if (cuts.has(i)) next = NaN;
    }
    for (let i = 0; i < n; i++) if (present[i] && Number.isNaN(values[i * dims + d])) values[i * dims + d] = 0;
  }
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}
