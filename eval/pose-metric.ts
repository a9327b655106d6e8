// Where the inserted face sits, as a pose: on a drawn story the character gives the pose and the
// outline while the child keeps its own inner proportions (eye spacing, nose, mouth width), so a
// point-by-point landmark error is large by design there. What must still match is the pose: the
// face's centre, its size and its roll. They come from the similarity (Procrustes) fit of one
// 68-point set onto the other, which spreads the child's different proportions evenly over the
// face instead of reading them as a shift.
import { interOcularDistance } from '@talecast/geometry';
import { landmarkCentre } from './insertion-metrics';

const POINTS = 68;

export interface PoseDifference {
  /** Distance between the two sets' centres, over the reference's eye distance. */
  centre: number;
  /** Size of the measured set over the reference's (root-mean-square radius about the centre), minus 1. */
  scale: number;
  /** Rotation that best turns the reference onto the measured set, in degrees (positive = clockwise in image coordinates). */
  rollDegrees: number;
}

/** The pose of `measured` relative to `reference` (both 68-point landmark sets, x,y interleaved). */
export function poseDifference(measured: ArrayLike<number>, reference: ArrayLike<number>): PoseDifference {
  const [mx, my] = landmarkCentre(measured),
    [rx, ry] = landmarkCentre(reference);
  let dot = 0,
    cross = 0,
    radiusM = 0,
    radiusR = 0;
  for (let i = 0; i < POINTS; i++) {
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
    centre: Math.hypot(mx - rx, my - ry) / interOcularDistance(reference),
    scale: Math.sqrt(radiusM / radiusR) - 1,
    rollDegrees: (Math.atan2(cross, dot) * 180) / Math.PI,
  };
}
