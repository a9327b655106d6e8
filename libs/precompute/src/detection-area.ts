// Where a full detection needs to look: only faces whose centre lies in a role's active region
// are ever used (range-analyzer's candidates), so the detector runs on the parts of the frame
// around those regions, at the same scale as a whole-frame detection (the same faces, the same
// size in the detector's input), on smaller inputs: one crop per group of nearby regions, or the
// whole frame when that costs no more. Pure.
import type { Box } from '@talecast/face';
import type { MaskRegion } from './masks-file';

/** Around a region, the picture a face centred at its edge may still cover (share of the frame's longer side). */
export const DETECTION_MARGIN = 0.15;
/** The detector's input grid (the tiny detector's stride). */
const GRID = 32;
const MIN_INPUT = 128;

export interface DetectionArea {
  /** Frame pixels to detect in (inside the frame). */
  crop: Box;
  /** Side of the square detector input (a multiple of 32, at most the whole frame's). */
  inputSize: number;
}

interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/**
 * The crops around the active regions (normalised boxes [x0, y0, x1, y1]) and their input sizes,
 * for a frame that fits `wholeInput` pixels on its longer side: none when there is no region (no
 * face can be wanted); regions whose crops together cost no more than one crop around both share
 * one; the whole frame alone when the crops would cost as much (the detector's cost grows with
 * the input's area).
 */
export function detectionAreas(regions: Pick<MaskRegion, 'box'>[], width: number, height: number, wholeInput: number): DetectionArea[] {
  if (regions.length === 0) return [];
  const margin = DETECTION_MARGIN * Math.max(width, height);
  const scale = wholeInput / Math.max(width, height);
  const inputOf = (r: Rect) => Math.max(MIN_INPUT, Math.ceil((Math.max(r.x1 - r.x0, r.y1 - r.y0) * scale) / GRID) * GRID);
  let rects: Rect[] = regions.map(({ box }) => ({
    x0: Math.max(0, Math.floor(box[0] * width - margin)),
    y0: Math.max(0, Math.floor(box[1] * height - margin)),
    x1: Math.min(width, Math.ceil(box[2] * width + margin)),
    y1: Math.min(height, Math.ceil(box[3] * height + margin)),
  }));
  // Merge pairs while one crop around both costs no more than the two apart.
  for (let merged = true; merged && rects.length > 1;) {
    merged = false;
    for (let a = 0; a < rects.length && !merged; a++) {
      for (let b = a + 1; b < rects.length && !merged; b++) {
        const both = {
          x0: Math.min(rects[a].x0, rects[b].x0),
          y0: Math.min(rects[a].y0, rects[b].y0),
          x1: Math.max(rects[a].x1, rects[b].x1),
          y1: Math.max(rects[a].y1, rects[b].y1),
        };
        if (inputOf(both) ** 2 <= inputOf(rects[a]) ** 2 + inputOf(rects[b]) ** 2) {
          rects = [...rects.filter((_, k) => k !== a && k !== b), both];
          merged = true;
        }
      }
    }
  }
  const areas = rects.map((r) => ({ crop: { x: r.x0, y: r.y0, width: r.x1 - r.x0, height: r.y1 - r.y0 }, inputSize: inputOf(r) }));
  if (areas.reduce((cost, a) => cost + a.inputSize ** 2, 0) >= wholeInput ** 2) return [{ crop: { x: 0, y: 0, width, height }, inputSize: wholeInput }];
  return areas;
}
