// Where the inserted face sits, as a pose: on a drawn story the character gives the pose and the
// outline while the child keeps its own inner proportions (eye spacing, nose, mouth width), so a
// point-by-point landmark error is large by design there. What must still match is the pose: the
// face's centre, its size and its roll. They come from the similarity (Procrustes) fit of one
// landmark set onto the other, which spreads the child's different proportions evenly over the
// face instead of reading them as a shift.
//
// The pose is read on the points the compositor places by the pose (brows, eyes, nose: the points its
// similarity fit uses, see blendChildShape), against where that fit puts the child's own points. Not on
// the jaw: the outline is the drawn head's by design (the child's skin is stretched to it), and the
// landmark net reads a child's jaw from the child's own face inside it, not from that outline — on the
// tale at 640x360 the net put sample6's jaw 28 % of the eye distance above the drawn jaw where the
// render's mesh puts the jaw exactly on it (docs/notes/2026-12-07-s12/tale12.md). With all 68 points that
// reading was 6.4 % of the eye distance in the centre; the placement was not off.
import { blendChildShape, CHILD_SHAPE, TOON_CHILD_SHAPE } from '@talecast/compositor';
import { interOcularDistance } from '@talecast/geometry';

/** Brows, eyes and nose (17–47): the points the compositor poses the child's face by. */
export const POSE_POINTS: readonly number[] = Array.from({ length: 31 }, (_, k) => 17 + k);
const ALL_POINTS: readonly number[] = Array.from({ length: 68 }, (_, k) => k);

export interface PoseDifference {
  /** Distance between the two sets' centres, over the reference's eye distance. */
  centre: number;
  /** Size of the measured set over the reference's (root-mean-square radius about the centre), minus 1. */
  scale: number;
  /** Rotation that best turns the reference onto the measured set, in degrees (positive = clockwise in image coordinates). */
  rollDegrees: number;
}

/**
 * The pose of `measured` relative to `reference` (68-point landmark sets, x,y interleaved), read on `points` (all 68
 * by default); the centre's distance over `eyeDistance` (the reference's by default).
 */
export function poseDifference(
  measured: ArrayLike<number>,
  reference: ArrayLike<number>,
  points: readonly number[] = ALL_POINTS,
  eyeDistance = interOcularDistance(reference),
): PoseDifference {
  const [mx, my] = centreOf(measured, points),
    [rx, ry] = centreOf(reference, points);
  let dot = 0,
    cross = 0,
    radiusM = 0,
    radiusR = 0;
  for (const i of points) {
    const ax = reference[2 * i] - rx,
      ay = reference[2 * i + 1] - ry;
    const bx = measured[2 * i] - mx,
      by = measured[2 * i + 1] - my;
    dot += ax * bx + ay * by;
    cross += ax * by - ay * bx;
    radiusM += bx * bx + by * by;
    radiusR += ax * ax + ay * ay;
  }
  return {
    centre: Math.hypot(mx - rx, my - ry) / eyeDistance,
    scale: Math.sqrt(radiusM / radiusR) - 1,
    rollDegrees: (Math.atan2(cross, dot) * 180) / Math.PI,
  };
}

/**
 * Where the compositor means to put the child's brows, eyes and nose in a frame: the child's canonical
 * landmarks posed onto the frame's by its similarity fit, blended by the style's share of the child's
 * shape (all of it on drawn stories); the jaw and the mouth are the frame's. Its pose centre is the
 * frame's (the fit's centroids agree); its size and roll carry the child's proportions.
 */
export function intendedPlacement(child: ArrayLike<number>, frame: ArrayLike<number>, drawn: boolean): Float32Array {
  return blendChildShape(child, frame, drawn ? TOON_CHILD_SHAPE : CHILD_SHAPE, 0, new Float32Array(136));
}

/** The output face's pose against where the compositor means to put the child's face (brows, eyes, nose); the centre over the frame's eye distance. */
export function placedPose(output: ArrayLike<number>, child: ArrayLike<number>, frame: ArrayLike<number>, drawn: boolean): PoseDifference {
  return poseDifference(output, intendedPlacement(child, frame, drawn), POSE_POINTS, interOcularDistance(frame));
}

function centreOf(lm: ArrayLike<number>, points: readonly number[]): [number, number] {
  let x = 0,
    y = 0;
  for (const i of points) {
    x += lm[2 * i];
    y += lm[2 * i + 1];
  }
  return [x / points.length, y / points.length];
}
