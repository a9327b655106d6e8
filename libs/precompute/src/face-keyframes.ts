// Authored face keyframes (masks file, per role) for drawn characters no detector finds: the pose
// at any time interpolated between keyframes, and the 68 landmarks of the canonical face posed by
// it (centre, size, roll, yaw, mouth and eye openness), so the precompute records the same
// per-frame data as it does for a detected face. Pure.
//
// Conventions (CONTRACTS.md): `centre` is the point midway between the two eyes, normalised to the
// frame (x / width, y / height); `size` is the inter-ocular distance of the face seen straight on,
// over the frame width (a turned face shows it shortened by cos(yaw)); `roll` in degrees, positive
// clockwise on screen; `yaw` in degrees, positive when the nose points to image-right;
// `mouthOpen` 0 closed .. 1 wide open (default 0); `eyesOpen` 0 closed .. 1 fully open (default 1).
import { canonicalLandmarks, CANONICAL_INTER_OCULAR } from '@talecast/face';
import { centroid } from '@talecast/geometry';

export interface FaceKeyframe {
  t: number;
  centre: [number, number];
  size: number;
  roll: number;
  yaw?: number;
  mouthOpen?: number;
  eyesOpen?: number;
}

export interface FacePose {
  centre: [number, number];
  size: number;
  roll: number;
  yaw: number;
  mouthOpen: number;
  eyesOpen: number;
}

const DEFAULTS = { yaw: 0, mouthOpen: 0, eyesOpen: 1 };
const OPTIONAL = ['yaw', 'mouthOpen', 'eyesOpen'] as const;
/** The mouth's inner-lip gap over its width at mouthOpen = 1 (geometry's mouthOpenness ≈ 0.45). */
export const WIDE_OPEN_MOUTH = 0.45;

/**
 * The pose at time `t` (seconds): linear between the keyframes around it; roll the short way round
 * (170° → -170° passes through 180°, not 0°); an optional field missing from a keyframe is
 * interpolated between the nearest keyframes that have it (held before the first and after the
 * last; its default when none has it). Null outside [first.t, last.t] (half a frame of slack
 * with `tolerance`). `keyframes` must be sorted by t (the masks file's validation ensures it).
 */
export function poseAt(keyframes: readonly FaceKeyframe[], t: number, tolerance = 0): FacePose | null {
  if (keyframes.length === 0) return null;
  const first = keyframes[0],
    last = keyframes[keyframes.length - 1];
  if (t < first.t - tolerance || t > last.t + tolerance) return null;
  const tc = Math.min(last.t, Math.max(first.t, t));
  const [a, b, u] = bracket(keyframes, tc, () => true);
  const pose: FacePose = {
    centre: [lerp(a.centre[0], b.centre[0], u), lerp(a.centre[1], b.centre[1], u)],
    size: lerp(a.size, b.size, u),
    roll: lerpAngle(a.roll, b.roll, u),
    ...DEFAULTS,
  };
  for (const field of OPTIONAL) {
    if (!keyframes.some((k) => k[field] !== undefined)) continue;
    const [fa, fb, fu] = bracket(keyframes, tc, (k) => k[field] !== undefined);
    pose[field] = lerp(fa[field]!, fb[field]!, fu);
  }
  return pose;
}

/** The keyframes (among those `has` accepts) before and after t, and t's fraction between them. */
function bracket(keyframes: readonly FaceKeyframe[], t: number, has: (k: FaceKeyframe) => boolean): [FaceKeyframe, FaceKeyframe, number] {
  let before: FaceKeyframe | undefined, after: FaceKeyframe | undefined;
  for (const k of keyframes) {
    if (!has(k)) continue;
    if (k.t <= t) before = k;
    if (k.t >= t && !after) after = k;
  }
  before ??= after!;
  after ??= before;
  const span = after.t - before.t;
  return [before, after, span > 0 ? (t - before.t) / span : 0];
}

/** Angle in degrees from a to b by the shorter way, result in (-180, 180]. */
export function lerpAngle(a: number, b: number, u: number): number {
  const d = wrapDegrees(b - a);
  return wrapDegrees(a + d * u);
}

export function wrapDegrees(v: number): number {
  const w = ((((v + 180) % 360) + 360) % 360) - 180;
  return w === -180 ? 180 : w;
}

function lerp(a: number, b: number, u: number): number {
  return a + (b - a) * u;
}

const RIGHT_EYE = [36, 37, 38, 39, 40, 41];
const LEFT_EYE = [42, 43, 44, 45, 46, 47];

/**
 * The canonical face in face units: origin midway between the eye centres, one unit = the
 * inter-ocular distance, x right, y down; and a rough depth per point (towards the camera, same
 * unit; nose tip 0) for turning it (values after a generic head model: the jaw's ends well behind
 * the eyes, the chin and mouth a little).
 */
function canonicalFaceUnits(): { points: Float64Array; depth: Float64Array } {
  const c = canonicalLandmarks();
  const [rx, ry] = centroid(c, RIGHT_EYE);
  const [lx, ly] = centroid(c, LEFT_EYE);
  const ox = (rx + lx) / 2,
    oy = (ry + ly) / 2;
  const points = new Float64Array(136);
  for (let i = 0; i < 68; i++) {
    points[2 * i] = (c[2 * i] - ox) / CANONICAL_INTER_OCULAR;
    points[2 * i + 1] = (c[2 * i + 1] - oy) / CANONICAL_INTER_OCULAR;
  }
  const depth = new Float64Array(68);
  const jawHalf = Math.abs(points[32] - points[0]) / 2 || 1;
  for (let i = 0; i < 68; i++) {
    const x = Math.abs(points[2 * i]);
    if (i <= 16) depth[i] = -1.0 + 0.78 * (1 - Math.min(1, x / jawHalf) ** 2);
    else if (i <= 26) depth[i] = -0.4 - 0.2 * Math.min(1, x / jawHalf) ** 2;
    else if (i <= 30) depth[i] = [-0.35, -0.24, -0.12, 0][i - 27];
    else if (i <= 35) depth[i] = [-0.2, -0.15, -0.12, -0.15, -0.2][i - 31];
    else if (i <= 47) depth[i] = -0.45 - 0.15 * Math.min(1, x / jawHalf);
    else depth[i] = -0.3 - 0.2 * Math.min(1, x / jawHalf);
  }
  return { points, depth };
}

let FACE_UNITS: ReturnType<typeof canonicalFaceUnits> | null = null;

/**
 * The 68 landmarks (frame pixels) of the canonical face in `pose` on a width × height frame: the
 * eyelids opened to eyesOpen (the eye aspect ratio scales with it), the lower lip and chin lowered
 * for mouthOpen, turned by yaw about a vertical axis, rolled, scaled and placed with its eye
 * midpoint on the centre.
 */
export function posedLandmarks(pose: FacePose, width: number, height: number, out: Float32Array = new Float32Array(136)): Float32Array {
  FACE_UNITS ??= canonicalFaceUnits();
  const { points, depth } = FACE_UNITS;
  const p = Float64Array.from(points);
  openEyes(p, pose.eyesOpen);
  openMouth(p, pose.mouthOpen);
  const yaw = (pose.yaw * Math.PI) / 180,
    roll = (pose.roll * Math.PI) / 180;
  const cy = Math.cos(yaw),
    sy = Math.sin(yaw);
  for (let i = 0; i < 68; i++) p[2 * i] = p[2 * i] * cy + depth[i] * sy;
  // Keep the eye midpoint at the origin after the turn.
  const [rx, ry] = centroid(p, RIGHT_EYE);
  const [lx, ly] = centroid(p, LEFT_EYE);
  const mx = (rx + lx) / 2,
    my = (ry + ly) / 2;
  const cr = Math.cos(roll),
    sr = Math.sin(roll);
  const scale = pose.size * width;
  const px = pose.centre[0] * width,
    py = pose.centre[1] * height;
  for (let i = 0; i < 68; i++) {
    const x = p[2 * i] - mx,
      y = p[2 * i + 1] - my;
    out[2 * i] = px + scale * (x * cr - y * sr);
    out[2 * i + 1] = py + scale * (x * sr + y * cr);
  }
  return out;
}

/** The upper lid comes down towards the lower (as in a blink): its gap scales with the openness. */
function openEyes(p: Float64Array, open: number): void {
  const k = Math.max(0, Math.min(1, open));
  for (const o of [36, 42]) {
    for (const [up, down] of [
      [o + 1, o + 5],
      [o + 2, o + 4],
    ]) {
      p[2 * up] = p[2 * down] + (p[2 * up] - p[2 * down]) * k;
      p[2 * up + 1] = p[2 * down + 1] + (p[2 * up + 1] - p[2 * down + 1]) * k;
    }
  }
}

/**
 * The inner lips closed on their midline, then the lower lip, the chin and the jaw below the mouth
 * corners lowered so the inner-lip gap is mouthOpen × WIDE_OPEN_MOUTH × the mouth's width.
 */
function openMouth(p: Float64Array, open: number): void {
  const k = Math.max(0, Math.min(1, open));
  const width = Math.hypot(p[2 * 54] - p[2 * 48], p[2 * 54 + 1] - p[2 * 48 + 1]);
  // Close the canonical inner lips (pairs 61/67, 62/66, 63/65 meet halfway).
  for (const [up, down] of [
    [61, 67],
    [62, 66],
    [63, 65],
  ]) {
    const mid = (p[2 * up + 1] + p[2 * down + 1]) / 2;
    const gapUp = p[2 * up + 1] - mid,
      gapDown = p[2 * down + 1] - mid;
    p[2 * up + 1] -= gapUp;
    p[2 * down + 1] -= gapDown;
    // The outer lip follows its inner lip.
    const outerUp = up - 11,
      outerDown = down - 9;
    p[2 * outerUp + 1] -= gapUp;
    p[2 * outerDown + 1] -= gapDown;
  }
  const drop = k * WIDE_OPEN_MOUTH * width;
  if (drop === 0) return;
  // The inner corners (60, 64) stay with the mouth corners; the outer lower lip's ends go half way.
  for (const j of [56, 57, 58, 65, 66, 67]) p[2 * j + 1] += drop;
  for (const j of [55, 59]) p[2 * j + 1] += drop / 2;
  // The jaw below the mouth corners follows: the chin fully, towards the jaw's ends less.
  for (let j = 3; j <= 13; j++) p[2 * j + 1] += drop * Math.max(0, 1 - Math.abs(j - 8) / 5.5);
}
