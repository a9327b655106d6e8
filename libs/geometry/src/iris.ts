// Finds the iris of one eye in a luma plane from the eye's 6 contour landmarks: the darkest disc
// (IRIS_RADIUS × eye width) whose centre runs along the eye line, scored by the mean luma of the
// part of the disc inside the eye contour. Cheap (an eye is a few hundred pixels in a 720p frame)
// and model-free, so the same call serves the story's frames (drawn or filmed eyes) and the
// child's aligned photo. Pure: reads the plane, never writes it; keeps no state.
import { EYE_FIRST, eyeFrame, EyeFrame, Iris } from './eyelid-warp';
import { Plane } from './plane';
import { pointInPolygon } from './polygon';

/** Iris radius as a share of the corner-to-corner eye width (human ≈ 0.2; drawn eyes are similar or larger). */
export const IRIS_RADIUS = 0.2;

export interface IrisFound extends Iris {
  /** Mean luma outside the iris (in the eye) minus inside, 0..255: low when there is no clear iris. */
  contrast: number;
}

/**
 * The darkest iris-sized disc in the eye, or null when the eye is closed (gap under 1.5 px or
 * under 8% of its width), off the plane or too small to tell (width under 6 px).
 */
export function findIris(plane: Plane, landmarks: ArrayLike<number>, eye: 0 | 1, frame: EyeFrame = eyeFrame(landmarks, eye)): IrisFound | null {
  if (!(frame.width >= 6) || frame.gap < Math.max(1.5, 0.08 * frame.width)) return null;
  const o = EYE_FIRST[eye];
  const poly = new Float64Array(12);
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (let k = 0; k < 6; k++) {
    const x = landmarks[2 * (o + k)],
      y = landmarks[2 * (o + k) + 1];
    poly[2 * k] = x;
    poly[2 * k + 1] = y;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  const bx = Math.max(0, Math.floor(x0)),
    by = Math.max(0, Math.floor(y0));
  const bw = Math.min(plane.width, Math.ceil(x1) + 1) - bx,
    bh = Math.min(plane.height, Math.ceil(y1) + 1) - by;
  if (!(bw > 2 && bh > 2)) return null;
  // Eye-contour membership of each pixel centre in the box, and the sum over the eye.
  const inside = new Uint8Array(bw * bh);
  let eyeSum = 0,
    eyeCount = 0;
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      if (!pointInPolygon(poly, bx + x + 0.5, by + y + 0.5)) continue;
      inside[y * bw + x] = 1;
      eyeSum += plane.data[(by + y) * plane.stride + bx + x];
      eyeCount++;
    }
  }
  if (eyeCount < 6) return null;
  const r = IRIS_RADIUS * frame.width,
    r2 = r * r;
  const step = Math.max(0.5, frame.width / 40);
  const limU = frame.width / 2 - 0.6 * r;
  let best = Infinity,
    bestX = frame.cx,
    bestY = frame.cy,
    bestSum = 0,
    bestCount = 0;
  for (let n = -0.25; n <= 0.2501; n += 0.25) {
    for (let u = -limU; u <= limU + 1e-6; u += step) {
      const cx = frame.cx + u * frame.ux + n * frame.gap * frame.nx;
      const cy = frame.cy + u * frame.uy + n * frame.gap * frame.ny;
      let sum = 0,
        count = 0;
      const ya = Math.max(0, Math.floor(cy - r - by)),
        yb = Math.min(bh - 1, Math.ceil(cy + r - by));
      const xa = Math.max(0, Math.floor(cx - r - bx)),
        xb = Math.min(bw - 1, Math.ceil(cx + r - bx));
      for (let y = ya; y <= yb; y++) {
        const dy = by + y + 0.5 - cy;
        for (let x = xa; x <= xb; x++) {
          if (!inside[y * bw + x]) continue;
          const dx = bx + x + 0.5 - cx;
          if (dx * dx + dy * dy > r2) continue;
          sum += plane.data[(by + y) * plane.stride + bx + x];
          count++;
        }
      }
      if (count < 0.25 * Math.PI * r2 || count < 3) continue;
      const mean = sum / count;
      if (mean < best) {
        best = mean;
        bestX = cx;
        bestY = cy;
        bestSum = sum;
        bestCount = count;
      }
    }
  }
  if (!Number.isFinite(best)) return null;
  const outsideCount = eyeCount - bestCount;
  const contrast = outsideCount > 0 ? (eyeSum - bestSum) / outsideCount - best : 0;
  return { x: bestX, y: bestY, r, contrast };
}
