// Authored face keyframes in the precompute: the posed face of a role at a frame (keyframes of the
// role's region active then, never across regions, so never across the shot cuts regions follow),
// and the per-shot choice between what detection found and what the keyframes say. Pure.
import type { MaskRole } from './masks-file';
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
    if (!(t >= region.from && t < region.to)) continue;
    const keys = role.keyframes.filter((k) => k.t >= region.from - slack && k.t <= region.to + slack);
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
    let detected = 0, keyedFrames = 0;
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
