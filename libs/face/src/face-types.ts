// Plain data shapes for detected faces; shared by upload, precompute and evaluation.

/** Interleaved 8-bit RGB pixels, row-major, no padding. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export const EXPRESSION_LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;
export type ExpressionLabel = (typeof EXPRESSION_LABELS)[number];
export type ExpressionScores = Record<ExpressionLabel, number>;

export interface DetectedFace {
  box: Box;
  score: number;
  /** 68 landmarks, flat [x0,y0,…,x67,y67], in image pixels. */
  landmarks: Float32Array;
  expressions?: ExpressionScores;
  /** 128-d identity descriptor (euclidean distance < ~0.5 means same person). */
  descriptor?: Float32Array;
}

export type DetectorKind = 'ssd' | 'tiny';

export interface DetectOptions {
  detector?: DetectorKind;
  minConfidence?: number;
  /** Input size of the tiny detector (multiple of 32). */
  tinyInputSize?: number;
  expressions?: boolean;
  descriptors?: boolean;
  maxResults?: number;
}

export function dominantExpression(scores: ExpressionScores): ExpressionLabel {
  let best: ExpressionLabel = 'neutral';
  for (const label of EXPRESSION_LABELS) if (scores[label] > scores[best]) best = label;
  return best;
}

export { interOcularDistance } from '@talecast/geometry';

export function centroid(landmarks: ArrayLike<number>, from: number, to: number): [number, number] {
  let x = 0;
  let y = 0;
  for (let i = from; i < to; i++) {
    x += landmarks[2 * i];
    y += landmarks[2 * i + 1];
  }
  const n = to - from;
  return [x / n, y / n];
}

export function descriptorDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
}
