// Colour statistics of a face's skin in a frame: Lab and YUV mean/std over exactly the skin
// region the compositor uses for the child's face (the compositor's `paintSkinMask`: outline with
// forehead, minus eyes, brows and inner mouth), so the colour transfer compares like with like.
// Sampled on a grid inside the face's box; never touches pixels elsewhere.
import { paintSkinMask, skinRegion } from '@talecast/compositor';
import { createFloatPlane, rgbToYuv, srgbToLab, YuvCoefficients } from '@talecast/geometry';

/** [L, a, b mean; L, a, b std; Y, U, V mean; Y, U, V std]. */
export const COLOUR_DIMS = 12;

export function skinColourStats(
  rgb: Uint8Array,
  width: number,
  height: number,
  lm: ArrayLike<number>,
  yuv: YuvCoefficients,
  out: Float32Array = new Float32Array(COLOUR_DIMS),
): Float32Array | null {
  const region = skinRegion(lm, width, height);
  if (region.width < 4 || region.height < 4) return null;
  const mask = paintSkinMask(createFloatPlane(region.width, region.height), lm, region.x, region.y);
  // About 40 samples across the face are plenty for a mean and a spread.
  const step = Math.max(1, Math.floor(region.width / 40));
  const sum = new Float64Array(6);
  const sq = new Float64Array(6);
  const lab = new Float64Array(3);
  const yc = new Float64Array(3);
  let weight = 0;
  for (let j = 0; j < region.height; j += step) {
    for (let i = 0; i < region.width; i += step) {
      const w = mask.data[j * region.width + i];
      if (w <= 0) continue;
      const o = ((region.y + j) * width + region.x + i) * 3;
      srgbToLab(rgb[o], rgb[o + 1], rgb[o + 2], lab);
      rgbToYuv(rgb[o], rgb[o + 1], rgb[o + 2], yuv, yc);
      for (let c = 0; c < 3; c++) {
        sum[c] += w * lab[c];
        sq[c] += w * lab[c] * lab[c];
        sum[3 + c] += w * yc[c];
        sq[3 + c] += w * yc[c] * yc[c];
      }
      weight += w;
    }
  }
  if (weight < 8) return null;
  for (let c = 0; c < 3; c++) {
    out[c] = sum[c] / weight;
    out[3 + c] = Math.sqrt(Math.max(0, sq[c] / weight - out[c] * out[c]));
    out[6 + c] = sum[3 + c] / weight;
    out[9 + c] = Math.sqrt(Math.max(0, sq[3 + c] / weight - out[6 + c] * out[6 + c]));
  }
  return out;
}
