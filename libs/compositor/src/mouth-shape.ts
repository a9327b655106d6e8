// The child's mouth shape for a story mouth less open than the photo's. Posing a laughing photo's
// open mouth and closing only its inner lips (openMouthTo) kept the laugh's lower lip hanging and
// its one-sided tilt: a crooked sneer (issue 18, tale 1280x720 frames 27, 108). Here, once per
// prepared face, a closed shape in the child's canonical landmarks: the lips' corners and the mouth's
// width the child's own, each lip's thickness the child's, the two lips meeting on a seam where the
// inner lips would meet as openMouthTo closes them, all of it made symmetric about the mouth's middle
// across the face's axis (the photo's one-sided tilt taken out) but for how far in from each outer
// corner the inner one is (the photo's, so the corners' texture is not stretched). Per frame, the child's landmarks
// with the mouth part way between that closed shape and the photo's own, by the story's opening
// over the photo's, into a reused buffer; the caller then opens it exactly as the story's.
// Pure; must never allocate per frame.
import { mouthOpenness, RIGHT_EYE, LEFT_EYE } from '@talecast/geometry';
import { OPEN_PHOTO_MOUTH } from './mouth-contour';

/** Mirror pairs of the mouth (68-point layout) across the face's axis; the middle points stand alone. */
const MIRROR: readonly (readonly [number, number])[] = [
  [48, 54],
  [49, 53],
  [50, 52],
  [51, 51],
  [59, 55],
  [58, 56],
  [57, 57],
  [60, 64],
  [61, 63],
  [62, 62],
  [67, 65],
  [66, 66],
];
/** Inner-lip pairs (upper, lower) with the outer lip point beyond each. */
const LIPS: readonly (readonly [number, number, number, number])[] = [
  [61, 67, 50, 58],
  [62, 66, 51, 57],
  [63, 65, 52, 56],
];
/** Where the lips meet between the open inner lips: the share of the gap below the upper lip (as openMouthTo closes). */
const SEAM = 0.35;
/** The outer lip points beside the corners (49, 53, 55, 59) keep at most this share of their neighbour's depth. */
const CORNER_DEPTH = 0.75;

/**
 * The child's landmarks with a closed, symmetric mouth (see the header), into `out` (a copy of
 * `landmarks` elsewhere). Lips meet: 61/67, 62/66, 63/65 coincide, 60 and 64 lie on the seam.
 */
export function closedMouthShape(landmarks: ArrayLike<number>, out: Float32Array = new Float32Array(landmarks.length)): Float32Array {
  for (let i = 0; i < landmarks.length; i++) out[i] = landmarks[i];
  const frame = mouthFrame(landmarks);
  if (!frame) return out;
  const { cx, cy, ex, ey, dx, dy } = frame;
  // Local coordinates: u across the face (towards the left eye), v down.
  const u = new Float64Array(68),
    v = new Float64Array(68);
  for (let i = 48; i < 68; i++) {
    const px = landmarks[2 * i] - cx,
      py = landmarks[2 * i + 1] - cy;
    u[i] = px * ex + py * ey;
    v[i] = px * dx + py * dy;
  }
  // Each inner corner's way in from its outer corner, the photo's own: the corner wedges (48–60,
  // 64–54) keep their size, so a wedge the photo has almost none of (sample1's right corner) is not
  // stretched from a line of pixels.
  const in60 = u[60] - u[48],
    in64 = u[54] - u[64];
  // Symmetric about the axis through the mouth's middle.
  for (const [a, b] of MIRROR) {
    const su = (u[b] - u[a]) / 2,
      sv = (v[a] + v[b]) / 2;
    u[a] = -su;
    u[b] = su;
    v[a] = v[b] = sv;
  }
  u[60] = u[48] + in60;
  u[64] = u[54] - in64;
  // The seam, and each lip's own thickness on either side of it.
  const depthUpper = [0, 0, 0],
    depthLower = [0, 0, 0];
  LIPS.forEach(([up, lo, ou, ol], k) => {
    const upperThick = Math.max(0, v[up] - v[ou]),
      lowerThick = Math.max(0, v[ol] - v[lo]);
    const seamU = (u[up] + u[lo]) / 2,
      seamV = v[up] + SEAM * Math.max(0, v[lo] - v[up]);
    u[up] = u[lo] = seamU;
    v[up] = v[lo] = seamV;
    v[ou] = seamV - upperThick;
    v[ol] = seamV + lowerThick;
    depthUpper[k] = v[ou];
    depthLower[k] = v[ol];
  });
  // The inner corners on the line from the outer corner to the nearest seam point.
  for (const [corner, inner, seam] of [
    [48, 60, 61],
    [54, 64, 63],
  ]) {
    const span = u[seam] - u[corner];
    const t = Math.abs(span) > 1e-6 ? Math.min(1, Math.max(0, (u[inner] - u[corner]) / span)) : 0;
    v[inner] = v[corner] + t * (v[seam] - v[corner]);
  }
  // Beside the corners, the outer lips no deeper than CORNER_DEPTH of their neighbour's (relative to the corner).
  for (const [corner, beside, next] of [
    [48, 49, 50],
    [54, 53, 52],
    [48, 59, 58],
    [54, 55, 56],
  ]) {
    const depth = v[next] - v[corner],
      own = v[beside] - v[corner];
    const limit = CORNER_DEPTH * depth;
    if (Math.abs(own) > Math.abs(limit) || Math.sign(own) !== Math.sign(limit)) v[beside] = v[corner] + limit;
  }
  for (let i = 48; i < 68; i++) {
    out[2 * i] = cx + u[i] * ex + v[i] * dx;
    out[2 * i + 1] = cy + u[i] * ey + v[i] * dy;
  }
  return out;
}

/** The mouth's middle (between the outer corners) and the face's across (eye to eye) and down directions. */
function mouthFrame(landmarks: ArrayLike<number>): { cx: number; cy: number; ex: number; ey: number; dx: number; dy: number } | null {
  let rx = 0,
    ry = 0,
    lx = 0,
    ly = 0;
  for (const i of RIGHT_EYE) {
    rx += landmarks[2 * i];
    ry += landmarks[2 * i + 1];
  }
  for (const i of LEFT_EYE) {
    lx += landmarks[2 * i];
    ly += landmarks[2 * i + 1];
  }
  const ax = lx / LEFT_EYE.length - rx / RIGHT_EYE.length,
    ay = ly / LEFT_EYE.length - ry / RIGHT_EYE.length;
  const len = Math.hypot(ax, ay);
  if (!(len > 0)) return null;
  const ex = ax / len,
    ey = ay / len;
  return { cx: (landmarks[96] + landmarks[108]) / 2, cy: (landmarks[97] + landmarks[109]) / 2, ex, ey, dx: -ey, dy: ex };
}

/**
 * A story mouth opened less than this (see mouthOpenness) closes an open-mouthed photo's lips: the
 * landmark net reads a drawn closed mouth 0.02–0.06 open (tale 1280x720 frames 9–27: 0.03–0.075), and a
 * laughing photo opened that far shows a line of teeth between its lips.
 */
export const CLOSED_STORY_MOUTH = 0.05;
/** ...and from here on it opens as the story's (between, linearly from closed). */
const OPEN_STORY_MOUTH = 0.12;

/**
 * The opening to give an open-mouthed photo's mouth for a story mouth `openness` open: 0 under
 * CLOSED_STORY_MOUTH, the story's from OPEN_STORY_MOUTH on, linear between (continuous).
 */
export function openPhotoOpening(openness: number): number {
  if (!(openness > CLOSED_STORY_MOUTH)) return 0;
  if (openness >= OPEN_STORY_MOUTH) return openness;
  return ((openness - CLOSED_STORY_MOUTH) * OPEN_STORY_MOUTH) / (OPEN_STORY_MOUTH - CLOSED_STORY_MOUTH);
}

/**
 * Per prepared face (each copy its own): the photo's closed mouth shape, computed on first use; per
 * frame the child's landmarks with the mouth between that and the photo's own (see the header).
 */
export class MouthShaper {
  private readonly closed = new WeakMap<ArrayLike<number>, Float32Array | null>();
  private readonly out = new Float32Array(136);

  /** The opening to give the child's mouth for a story mouth `openness` open (see openPhotoOpening; a closed-lipped photo: the story's). */
  openingFor(child: Float32Array, openness: number): number {
    return this.closedFor(child) ? openPhotoOpening(openness) : openness;
  }

  private closedFor(child: Float32Array): Float32Array | null {
    let closed = this.closed.get(child);
    if (closed === undefined) {
      closed = mouthOpenness(child) >= OPEN_PHOTO_MOUTH ? closedMouthShape(child) : null;
      this.closed.set(child, closed);
    }
    return closed;
  }

  /**
   * The child's landmarks for a child's mouth `opening` open (see openingFor): `child` itself when
   * its photo's mouth is closed or at most as open; else the mouth part way to the closed shape
   * (all of it at 0). Reused buffer: valid until the next call.
   */
  childFor(child: Float32Array, opening: number): Float32Array {
    const closed = this.closedFor(child);
    if (!closed) return child;
    const own = mouthOpenness(child);
    const t = opening > 0 ? Math.min(1, opening / own) : 0;
    if (t >= 1) return child;
    const out = this.out;
    for (let i = 0; i < 96; i++) out[i] = child[i];
    for (let i = 96; i < 136; i++) out[i] = closed[i] + t * (child[i] - closed[i]);
    return out;
  }
}
