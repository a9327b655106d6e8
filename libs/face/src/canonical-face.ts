// The one canonical face template shared by upload alignment, precompute and rendering: a
// similarity transform maps any face's landmarks onto it.
import { CANONICAL_INTER_OCULAR, CANONICAL_LANDMARKS, CANONICAL_SIZE } from './canonical-face.data';

export { CANONICAL_INTER_OCULAR, CANONICAL_SIZE };

/** The template's 68 landmarks in a CANONICAL_SIZE² space, optionally scaled to `size`. */
export function canonicalLandmarks(size: number = CANONICAL_SIZE): Float32Array {
  const k = size / CANONICAL_SIZE;
  return Float32Array.from(CANONICAL_LANDMARKS, (v) => v * k);
}

/**
 * Weights for fitting a similarity onto the template: the rigid parts (eyes, brows, nose) count
 * most; the jaw and lips, which move with expression, count least.
 */
export function alignmentWeights(): Float32Array {
  const w = new Float32Array(68);
  for (let i = 0; i < 68; i++) {
    if (i <= 16)
      w[i] = 0.3; // jaw
    else if (i <= 26)
      w[i] = 0.8; // brows
    else if (i <= 35)
      w[i] = 1.0; // nose
    else if (i <= 47)
      w[i] = 1.2; // eyes
    else w[i] = 0.3; // mouth
  }
  return w;
}
