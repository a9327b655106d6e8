// Photo or animation, proposed from the footage itself. Drawn and rendered faces are smooth fills
// bounded by crisp lines (eyes, lashes, brows, lips); filmed faces carry soft edges and texture
// everywhere. The measure is the hero's face's edge sparsity: the 98th percentile of the luma
// gradient over its median, over the face from the brows to the chin, on some frames of the story.
// Measured (see the note): the photo fixtures 5–11, the drawn tale 24–68; the median over the
// samples is compared with ANIMATION_EDGE_SPARSITY. Pure.
import type { Box } from '@talecast/face';

export type ProposedStyle = 'photo' | 'toon';

export interface StyleProposal {
  /** 'toon' = animation (the child's face is stylised to sit in the rendered world). */
  style: ProposedStyle;
  /** Median edge sparsity over the samples, or null without samples. */
  edgeSparsity: number | null;
  samples: number;
  /** In words: the figure and the threshold, or that no face was sampled. */
  reason: string;
}

/** Median edge sparsity above which the footage is animation (between photo ≤ 11 and drawn ≥ 24). */
export const ANIMATION_EDGE_SPARSITY = 17;

/** The face from the brows to the chin, between the jaw and the eye corners (68 landmarks). */
export function faceStyleBox(lm: ArrayLike<number>): Box {
  const x0 = lm[0] * 0.7 + lm[2 * 36] * 0.3,
    x1 = lm[2 * 16] * 0.7 + lm[2 * 45] * 0.3;
  const y0 = Math.min(lm[2 * 19 + 1], lm[2 * 24 + 1]),
    y1 = lm[2 * 57 + 1];
  return { x: Math.min(x0, x1), y: y0, width: Math.abs(x1 - x0), height: Math.max(0, y1 - y0) };
}

/**
 * The 98th percentile of the luma gradient magnitude over its median (median floored at 0.5
 * levels) within `box` of an RGB frame; null when the box holds fewer than 400 pixels.
 */
export function edgeSparsity(rgb: Uint8Array, width: number, height: number, box: Box): number | null {
  const x0 = Math.max(1, Math.round(box.x)),
    y0 = Math.max(1, Math.round(box.y));
  const x1 = Math.min(width - 2, Math.round(box.x + box.width)),
    y1 = Math.min(height - 2, Math.round(box.y + box.height));
  if ((x1 - x0 + 1) * (y1 - y0 + 1) < 400) return null;
  const luma = (x: number, y: number) => {
    const o = (y * width + x) * 3;
    return 0.299 * rgb[o] + 0.587 * rgb[o + 1] + 0.114 * rgb[o + 2];
  };
  const g = new Float32Array((x1 - x0 + 1) * (y1 - y0 + 1));
  let n = 0;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) g[n++] = Math.hypot(luma(x + 1, y) - luma(x - 1, y), luma(x, y + 1) - luma(x, y - 1)) / 2;
  }
  g.sort();
  const median = g[Math.floor(0.5 * (n - 1))],
    p98 = g[Math.floor(0.98 * (n - 1))];
  return p98 / Math.max(0.5, median);
}

/** The proposal from the samples' edge sparsities. */
export function proposeStyle(samples: readonly number[]): StyleProposal {
  if (samples.length === 0) return { style: 'photo', edgeSparsity: null, samples: 0, reason: 'no face of the hero was sampled: photo by default' };
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const animation = median > ANIMATION_EDGE_SPARSITY;
  return {
    style: animation ? 'toon' : 'photo',
    edgeSparsity: Math.round(median * 10) / 10,
    samples: samples.length,
    reason: `the hero's face has edge sparsity ${median.toFixed(1)} (${animation ? 'above' : 'at or below'} ${ANIMATION_EDGE_SPARSITY}): ${animation ? 'crisp lines on smooth fills, animation' : 'soft edges and texture, photo'}`,
  };
}
