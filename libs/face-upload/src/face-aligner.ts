// Aligns a face to the one canonical template (shared with the render side): a weighted
// similarity of its landmarks onto the template, then a bilinear warp of the photo into a
// square texture. Pure: pixels and points in, pixels and points out.
import { alignmentWeights, canonicalLandmarks } from '@talecast/face/canonical-face';
import { applyAffine, fitSimilarity, invertAffine, decomposeSimilarity } from '@talecast/geometry';

export interface AlignedFace {
  size: number;
  /** RGBA, alpha 255 where the photo had pixels, 0 outside it. */
  rgba: Uint8Array;
  /** Landmarks in the canonical space (size × size). */
  landmarks: Float32Array;
  /** Photo → canonical similarity: [a, b, c, d, e, f]. */
  transform: Float64Array;
  rollDegrees: number;
}

export function alignFace(rgb: Uint8Array, width: number, height: number, landmarks: ArrayLike<number>, size: number): AlignedFace {
  const template = canonicalLandmarks(size);
  const m = fitSimilarity(landmarks, template, alignmentWeights());
  const inv = invertAffine(m);
  const rgba = new Uint8Array(size * size * 4);
  const [a, b, c, d, e, f] = inv;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cx = x + 0.5,
        cy = y + 0.5;
      const sx = a * cx + b * cy + c - 0.5;
      const sy = d * cx + e * cy + f - 0.5;
      const o = (y * size + x) * 4;
      if (sx < -0.5 || sy < -0.5 || sx > width - 0.5 || sy > height - 0.5) continue;
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy);
      const fx = sx - x0,
        fy = sy - y0;
      const xa = Math.max(0, Math.min(width - 1, x0)),
        xb = Math.max(0, Math.min(width - 1, x0 + 1));
      const ya = Math.max(0, Math.min(height - 1, y0)),
        yb = Math.max(0, Math.min(height - 1, y0 + 1));
      for (let ch = 0; ch < 3; ch++) {
        const top = rgb[(ya * width + xa) * 3 + ch] * (1 - fx) + rgb[(ya * width + xb) * 3 + ch] * fx;
        const bottom = rgb[(yb * width + xa) * 3 + ch] * (1 - fx) + rgb[(yb * width + xb) * 3 + ch] * fx;
        rgba[o + ch] = Math.round(top * (1 - fy) + bottom * fy);
      }
      rgba[o + 3] = 255;
    }
  }
  const canonical = applyAffine(m, landmarks, new Float32Array(136));
  return { size, rgba, landmarks: canonical, transform: m, rollDegrees: (decomposeSimilarity(m).rotationRadians * 180) / Math.PI };
}
