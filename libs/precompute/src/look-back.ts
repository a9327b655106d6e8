// Looking back from a face found late. While a role searches, full-frame detection runs only
// every few frames (after 1, 2, 4, 8 … frames, then every half second), so a face that walks into
// the picture, comes out of a dissolve or is blurred on a cut's first frames is found up to half a
// second after it shows. The frames in between are still in memory (a few decoded frames kept
// while a role searches); from the found face the landmark network is run backwards over them,
// frame by frame, each time where the face was one frame later moved by its motion, for as long as
// the face is confirmed there and moves like one face.
import { OrientedBox, predictOrientedBox, SSD_CALIBRATION, eyeLineAngle } from './face-crop';

/** The last decoded frames (copies), by frame index; only frames of the current shot are asked for. */
export class RecentFrames {
  private readonly frames: Uint8Array[] = [];
  private readonly index: number[] = [];
  private next = 0;

  constructor(
    readonly capacity: number,
    private readonly frameBytes: number,
  ) {}

  /** Keeps a copy of frame i (the oldest kept frame makes room once full). */
  keep(i: number, frame: Uint8Array): void {
    if (this.capacity === 0) return;
    const slot = this.next;
    this.next = (this.next + 1) % this.capacity;
    if (!this.frames[slot]) this.frames[slot] = new Uint8Array(this.frameBytes);
    this.frames[slot].set(frame.subarray(0, this.frameBytes));
    this.index[slot] = i;
  }

  /** Frame i when it is still kept. */
  get(i: number): Uint8Array | undefined {
    const slot = this.index.indexOf(i);
    return slot >= 0 ? this.frames[slot] : undefined;
  }

  /** Forgets every kept frame (a cut: the frames before it belong to another shot). */
  clear(): void {
    this.index.fill(-1);
  }
}

/** Centre and size (square root of the area) of the landmarks' face box. */
function faceOf(lm: ArrayLike<number>): { cx: number; cy: number; size: number } {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (let p = 0; p < lm.length; p += 2) {
    x0 = Math.min(x0, lm[p]);
    x1 = Math.max(x1, lm[p]);
    y0 = Math.min(y0, lm[p + 1]);
    y1 = Math.max(y1, lm[p + 1]);
  }
  return { cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, size: Math.sqrt(Math.max(1, (x1 - x0) * (y1 - y0))) };
}

/**
 * Where to look for the face one frame earlier: the crop the newer landmarks predict, moved back by
 * the face's motion between the two newer frames (none when only one is known yet).
 */
export function regionBefore(newer: ArrayLike<number>, newerStill: ArrayLike<number> | null): OrientedBox {
  const region = predictOrientedBox(newer, SSD_CALIBRATION, eyeLineAngle(newer));
  if (!newerStill) return region;
  const a = faceOf(newer),
    b = faceOf(newerStill);
  return { ...region, cx: region.cx - (b.cx - a.cx), cy: region.cy - (b.cy - a.cy) };
}

/** Largest move of the face's centre between neighbouring frames, in face sizes. */
export const FACE_MAX_STEP = 0.6;
/** Largest change of the face's size between neighbouring frames (ratio). */
export const FACE_MAX_SCALE_STEP = 1.3;

/**
 * Whether landmarks found on a neighbouring frame (one earlier while looking back, one later while
 * following) move like the same face: the centre within FACE_MAX_STEP face sizes of the known
 * frame's, the size within FACE_MAX_SCALE_STEP of it. The landmark network always answers; on a
 * frame where the face is gone, or turned further than it can follow, it answers on whatever is in
 * the crop, usually far off or at another size.
 */
export function plausibleStep(known: ArrayLike<number>, other: ArrayLike<number>): boolean {
  const a = faceOf(known),
    b = faceOf(other);
  return Math.hypot(b.cx - a.cx, b.cy - a.cy) <= FACE_MAX_STEP * a.size && plausibleScale(known, other);
}

/**
 * Whether two neighbouring frames' landmarks are of one face's size (within FACE_MAX_SCALE_STEP):
 * the check left for a face found again by the detector after a fast move, where the centre may
 * have jumped but no face grows or shrinks by 30 % from one frame to the next.
 */
export function plausibleScale(known: ArrayLike<number>, other: ArrayLike<number>): boolean {
  const ratio = faceOf(other).size / faceOf(known).size;
  return ratio <= FACE_MAX_SCALE_STEP && ratio >= 1 / FACE_MAX_SCALE_STEP;
}

/** The largest distance any landmark moved between two answers (px). */
export function largestShift(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let p = 0; p < a.length; p += 2) max = Math.max(max, Math.hypot(b[p] - a[p], b[p + 1] - a[p + 1]));
  return max;
}

/** The frame between two answers two frames apart: each landmark halfway (float32). */
export function midLandmarks(a: ArrayLike<number>, b: ArrayLike<number>): Float32Array {
  const mid = new Float32Array(a.length);
  for (let p = 0; p < a.length; p++) mid[p] = (a[p] + b[p]) / 2;
  return mid;
}
