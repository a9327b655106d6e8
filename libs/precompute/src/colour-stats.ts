// Colour statistics of a face's skin in a frame: Lab and YUV mean/std over the landmark hull
// minus eyes, brows and mouth, sampled on a grid. Used for colour transfer at render time.
import { rgbToYuv, srgbToLab, YuvCoefficients } from '@talecast/geometry';

/** [L, a, b mean; L, a, b std; Y, U, V mean; Y, U, V std]. */
export const COLOUR_DIMS = 12;

const HULL = [...Array.from({ length: 17 }, (_, i) => i), 26, 25, 24, 23, 22, 21, 20, 19, 18, 17];
const HOLES = [
  [36, 37, 38, 39, 40, 41],
  [42, 43, 44, 45, 46, 47],
  [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59],
  [17, 18, 19, 20, 21],
  [22, 23, 24, 25, 26],
];

export function skinColourStats(rgb: Uint8Array, width: number, height: number, lm: ArrayLike<number>, yuv: YuvCoefficients, out: Float32Array = new Float32Array(COLOUR_DIMS)): Float32Array | null {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const i of HULL) {
    x0 = Math.min(x0, lm[2 * i]); x1 = Math.max(x1, lm[2 * i]);
    y0 = Math.min(y0, lm[2 * i + 1]); y1 = Math.max(y1, lm[2 * i + 1]);
  }
  const step = Math.max(1, Math.floor((x1 - x0) / 40));
  const sum = new Float64Array(6);
  const sq = new Float64Array(6);
  const lab = new Float64Array(3);
  const yc = new Float64Array(3);
  let n = 0;
  for (let y = Math.max(0, Math.ceil(y0)); y <= Math.min(height - 1, y1); y += step) {
    for (let x = Math.max(0, Math.ceil(x0)); x <= Math.min(width - 1, x1); x += step) {
      if (!inside(lm, HULL, x, y)) continue;
      let hole = false;
      for (const h of HOLES) if (h.length > 5 && inside(lm, h, x, y)) { hole = true; break; }
      if (hole || nearBrow(lm, x, y)) continue;
      const o = (y * width + x) * 3;
      srgbToLab(rgb[o], rgb[o + 1], rgb[o + 2], lab);
      rgbToYuv(rgb[o], rgb[o + 1], rgb[o + 2], yuv, yc);
      for (let c = 0; c < 3; c++) {
        sum[c] += lab[c]; sq[c] += lab[c] * lab[c];
        sum[3 + c] += yc[c]; sq[3 + c] += yc[c] * yc[c];
      }
      n++;
    }
  }
  if (n < 12) return null;
  for (let c = 0; c < 3; c++) {
    out[c] = sum[c] / n;
    out[3 + c] = Math.sqrt(Math.max(0, sq[c] / n - out[c] * out[c]));
    out[6 + c] = sum[3 + c] / n;
    out[9 + c] = Math.sqrt(Math.max(0, sq[3 + c] / n - out[6 + c] * out[6 + c]));
  }
  return out;
}

/** Brows are thin polylines: exclude a band around them (a tenth of the eye distance). */
function nearBrow(lm: ArrayLike<number>, x: number, y: number): boolean {
  const band = Math.hypot(lm[2 * 45] - lm[2 * 36], lm[2 * 45 + 1] - lm[2 * 36 + 1]) * 0.1;
  for (let i = 17; i < 26; i++) {
    if (i === 21) continue;
    if (segmentDistance(x, y, lm[2 * i], lm[2 * i + 1], lm[2 * i + 2], lm[2 * i + 3]) < band) return true;
  }
  return false;
}

function segmentDistance(px: number, py: number, ax: number, ay: number, bx: number, by: number): number {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - ax - t * dx, py - ay - t * dy);
}

function inside(lm: ArrayLike<number>, idx: number[], x: number, y: number): boolean {
  let c = false;
  for (let i = 0, j = idx.length - 1; i < idx.length; j = i++) {
    const xi = lm[2 * idx[i]], yi = lm[2 * idx[i] + 1], xj = lm[2 * idx[j]], yj = lm[2 * idx[j] + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}
