// Authored face keyframes in the precompute: the posed face of a role at a frame (keyframes of the
// role's region active then, never across regions, so never across the shot cuts regions follow),
// the per-shot choice between what detection found and what the keyframes say, and the frames
// detection lost inside a shot filled from the keyframes fitted to the detected frames. Pure.
import { MaskRole, regionActive } from './masks-file';
import { Affine, applyAffine, centroid, decomposeSimilarity, fitSimilarity, similarityFromParts, SimilarityParts } from '@talecast/geometry';
import { poseAt, posedLandmarks } from './face-keyframes';

const LANDMARK_DIMS = 136;

/** The keyframes' face per frame of a role (frames without a pose are not present). */
export interface KeyedTrack {
  present: Uint8Array;
  landmarks: Float32Array;
}

/**
 * The role's face at time t from its keyframes, in frame pixels, or null: a region of the role
 * must be active at t and contain the face's eye midpoint, and only keyframes within that region's
 * time span (half a frame of slack) are interpolated.
 */
export function keyedLandmarksAt(role: MaskRole, t: number, fps: number, width: number, height: number, out?: Float32Array): Float32Array | null {
  if (!role.keyframes) return null;
  const slack = 0.5 / fps;
  for (const region of role.regions) {
    if (!regionActive(region, t, slack)) continue;
    const keys = role.keyframes.filter((k) => k.t >= region.from - slack && k.t <= region.to + slack && !startsAnotherRegion(role, region, k.t, slack));
    const pose = poseAt(keys, t, slack);
    if (!pose) continue;
    const [x, y] = pose.centre;
    const [x0, y0, x1, y1] = region.box;
    if (x < x0 || x > x1 || y < y0 || y > y1) continue;
    return posedLandmarks(pose, width, height, out);
  }
  return null;
}

/**
 * A keyframe at (or within half a frame of) a region's end that falls in another region of the
 * role belongs to that one: regions are half-open [from, to), and the key authored on the next
 * shot's first frame must not pull this shot's last frames towards the next shot's face.
 */
function startsAnotherRegion(role: MaskRole, region: MaskRole['regions'][number], t: number, slack: number): boolean {
  return t >= region.to - slack && role.regions.some((other) => other !== region && t >= other.from - slack && t < other.to);
}

/**
 * Per shot, detection or keyframes: where detection found the role in fewer than half the frames
 * the keyframes cover, the keyframes' face is taken for the whole shot (a drawn face the detector
 * finds now and then would otherwise flicker between the two); else detection stays as it is.
 * Changes `present` and `landmarks` in place; returns the frames taken from keyframes.
 */
export function preferKeyframesPerShot(track: { present: Uint8Array; landmarks: Float32Array }, keyed: KeyedTrack, cuts: ReadonlySet<number>): number {
  const n = track.present.length;
  let taken = 0;
  let start = 0;
  for (let i = 1; i <= n; i++) {
    if (i < n && !cuts.has(i)) continue;
    let detected = 0,
      keyedFrames = 0;
    for (let j = start; j < i; j++) {
      if (keyed.present[j]) keyedFrames++;
      if (keyed.present[j] && track.present[j]) detected++;
    }
    if (keyedFrames > 0 && detected < KEYFRAMES_WIN_BELOW * keyedFrames) {
      for (let j = start; j < i; j++) {
        track.present[j] = keyed.present[j];
        if (keyed.present[j]) {
          track.landmarks.set(keyed.landmarks.subarray(j * LANDMARK_DIMS, (j + 1) * LANDMARK_DIMS), j * LANDMARK_DIMS);
          taken++;
        }
      }
    }
    start = i;
  }
  return taken;
}

/** Share of the keyframed frames detection must find for it to keep the shot. */
export const KEYFRAMES_WIN_BELOW = 0.5;

/**
 * Frames of a shot where detection lost the face but the keyframes have it (a drawn face turning,
 * a face the first frame after a cut, a blur) take the keyframes' face moved onto the detection:
 * the similarity fitted from the keyed to the detected face on the nearest detected frame before
 * and after (within `reach` frames, same shot), interpolated between the two (or the one that
 * exists). Authored keyframes are coarse; the fit carries the detected position, size and roll
 * into the gap. Changes `present` and `landmarks` in place; returns the frames filled.
 */
export function fillGapsFromKeyframes(
  track: { present: Uint8Array; landmarks: Float32Array },
  keyed: KeyedTrack,
  cuts: ReadonlySet<number>,
  reach: number,
): number {
  const n = track.present.length;
  const anchor = (j: number) => track.present[j] === 1 && keyed.present[j] === 1;
  const fits = new Map<number, SimilarityParts>();
  const fitAt = (j: number): SimilarityParts => {
    let parts = fits.get(j);
    if (!parts) {
      const at = (a: Float32Array) => a.subarray(j * LANDMARK_DIMS, (j + 1) * LANDMARK_DIMS);
      parts = partsAboutCentre(at(keyed.landmarks), at(track.landmarks));
      fits.set(j, parts);
    }
    return parts;
  };
  const filled: number[] = [];
  let start = 0;
  for (let end = 1; end <= n; end++) {
    if (end < n && !cuts.has(end)) continue;
    for (let j = start; j < end; j++) {
      if (track.present[j] || !keyed.present[j]) continue;
      let before = -1,
        after = -1;
      for (let k = j - 1; k >= start && k >= j - reach; k--)
        if (anchor(k)) {
          before = k;
          break;
        }
      for (let k = j + 1; k < end && k <= j + reach; k++)
        if (anchor(k)) {
          after = k;
          break;
        }
      if (before < 0 && after < 0) continue;
      const parts = before >= 0 && after >= 0 ? mixParts(fitAt(before), fitAt(after), (j - before) / (after - before)) : fitAt(before >= 0 ? before : after);
      const out = track.landmarks.subarray(j * LANDMARK_DIMS, (j + 1) * LANDMARK_DIMS);
      const keyedHere = keyed.landmarks.subarray(j * LANDMARK_DIMS, (j + 1) * LANDMARK_DIMS);
      applyAffine(similarityAboutCentre(parts, keyedHere), keyedHere, out);
      filled.push(j);
    }
    start = end;
  }
  for (const j of filled) track.present[j] = 1;
  return filled.length;
}

/** Frames (in seconds) a keyed gap fill reaches from the nearest detected frame. */
export const KEYED_FILL_REACH_SECONDS = 1;

/** The eyes' points: their midpoint is where keyframes place a face (face-keyframes' `centre`). */
const EYE_POINTS = Array.from({ length: 12 }, (_, k) => 36 + k);

/**
 * The similarity fitted from the keyed onto the detected face, as scale and turn about the keyed
 * face's own centre (its eye midpoint, where keys place a face) and how far that centre moves (tx, ty). Interpolated and applied this way, a
 * size difference between the keys and the detection stays a size difference. As parts about the
 * image's corner (as it was) it also moved every filled face towards the corner, the more the
 * farther it was from it: on the tale a hero keyed small in a turn to profile was filled up to
 * 30 eye distances off its head, onto the trees.
 */
export function partsAboutCentre(keyed: ArrayLike<number>, detected: ArrayLike<number>): SimilarityParts {
  const m = fitSimilarity(keyed, detected);
  const [cx, cy] = centroid(keyed, EYE_POINTS);
  return { ...decomposeSimilarity(m), tx: m[0] * cx + m[1] * cy + m[2] - cx, ty: m[3] * cx + m[4] * cy + m[5] - cy };
}

/** The similarity that turns and scales `keyed` about its centre by `parts` and moves it by (tx, ty). */
export function similarityAboutCentre(parts: SimilarityParts, keyed: ArrayLike<number>): Affine {
  const [cx, cy] = centroid(keyed, EYE_POINTS);
  const m = similarityFromParts({ ...parts, tx: 0, ty: 0 });
  m[2] = cx + parts.tx - (m[0] * cx + m[1] * cy);
  m[5] = cy + parts.ty - (m[3] * cx + m[4] * cy);
  return m;
}

function mixParts(a: SimilarityParts, b: SimilarityParts, t: number): SimilarityParts {
  let turn = b.rotationRadians - a.rotationRadians;
  turn -= 2 * Math.PI * Math.round(turn / (2 * Math.PI));
  return {
    scale: a.scale * Math.pow(b.scale / a.scale, t),
    rotationRadians: a.rotationRadians + turn * t,
    tx: a.tx + (b.tx - a.tx) * t,
    ty: a.ty + (b.ty - a.ty) * t,
  };
}
