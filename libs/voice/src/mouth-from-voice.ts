// During a recorded line the child's mouth follows the recording instead of the character's
// original lip motion: the line's loudness per video frame becomes a mouth openness, blended in
// over the slot's edges, and the story's 68 landmarks get their lower lip and jaw moved to that
// openness. Pure: samples and landmarks in, numbers out.

export interface LineMouth {
  /** First story frame of the line's slot. */
  startFrame: number;
  /** Per frame from startFrame: mouth openness (inner-lip gap over mouth width). */
  open: Float32Array;
  /** Per frame: how much the recording drives the mouth (0 = the story's own, 1 = the recording's). */
  weight: Float32Array;
}

export const MOUTH = {
  /** Openness at the line's loudest frames. */
  maxOpen: 0.45,
  /** Frames quieter than the loudest by this many dB stay closed. */
  rangeDb: 30,
  /** Blend at each slot edge, seconds. */
  edgeSeconds: 0.12,
} as const;

/**
 * The mouth of one fitted line (mono samples at `rate`, starting at `from` seconds) over the
 * story's frames at `fps`. Loudness is the RMS over each frame's span, mapped from
 * [loudest - rangeDb, loudest] to [0, maxOpen], then lightly smoothed (a mouth does not flicker).
 */
export function lineMouth(samples: Float32Array, rate: number, from: number, fps: number): LineMouth {
  const startFrame = Math.ceil(from * fps - 1e-9);
  const frames = Math.max(0, Math.floor((from + samples.length / rate) * fps + 1e-9) - startFrame);
  const db = new Float32Array(frames);
  for (let k = 0; k < frames; k++) {
    const t = (startFrame + k) / fps - from;
    const a = Math.max(0, Math.round((t - 0.5 / fps) * rate));
    const b = Math.min(samples.length, Math.round((t + 0.5 / fps) * rate));
    let sum = 0;
    for (let i = a; i < b; i++) sum += samples[i] * samples[i];
    db[k] = 10 * Math.log10(sum / Math.max(1, b - a) + 1e-12);
  }
  const loudest = frames ? Math.max(...db) : 0;
  const raw = Array.from(db, (d) => MOUTH.maxOpen * Math.min(1, Math.max(0, (d - (loudest - MOUTH.rangeDb)) / MOUTH.rangeDb)));
  const open = new Float32Array(frames);
  for (let k = 0; k < frames; k++) open[k] = 0.25 * (raw[k - 1] ?? raw[k]) + 0.5 * raw[k] + 0.25 * (raw[k + 1] ?? raw[k]);
  const weight = new Float32Array(frames);
  const edge = Math.max(1, MOUTH.edgeSeconds * fps);
  for (let k = 0; k < frames; k++) weight[k] = smooth(Math.min(1, (k + 0.5) / edge, (frames - k - 0.5) / edge));
  return { startFrame, open, weight };
}

function smooth(x: number): number {
  const t = Math.max(0, Math.min(1, x));
  return t * t * (3 - 2 * t);
}

const LOWER_INNER = [65, 66, 67];
const LOWER_OUTER = [55, 56, 57, 58, 59];
const CHIN = [5, 6, 7, 8, 9, 10, 11];

/**
 * Moves the lower lip (and, by a little less, the chin) of 68 landmarks [x0, y0, x1, y1, …] along
 * the face's down direction so the inner-lip gap is `open` × mouth width, blended by `weight`.
 * Writes into `out` (may be `landmarks`); returns it.
 */
export function openMouth(
  landmarks: Float32Array<ArrayBufferLike>,
  open: number,
  weight: number,
  out: Float32Array<ArrayBufferLike> = new Float32Array(136),
): Float32Array<ArrayBufferLike> {
  if (out !== landmarks) out.set(landmarks);
  if (weight <= 0) return out;
  const p = (i: number) => [landmarks[2 * i], landmarks[2 * i + 1]];
  const [lx, ly] = p(36),
    [rx, ry] = p(45);
  const ex = rx - lx,
    ey = ry - ly;
  const len = Math.hypot(ex, ey) || 1;
  // Down: the eye line turned a quarter clockwise (image y grows downwards).
  const dx = -ey / len,
    dy = ex / len;
  const width = Math.hypot(landmarks[108] - landmarks[96], landmarks[109] - landmarks[97]);
  const gap = (p(66)[0] - p(62)[0]) * dx + (p(66)[1] - p(62)[1]) * dy;
  const delta = weight * (open * width - gap);
  const move = (ids: number[], share: number) => {
    for (const i of ids) {
      out[2 * i] = landmarks[2 * i] + dx * delta * share;
      out[2 * i + 1] = landmarks[2 * i + 1] + dy * delta * share;
    }
  };
  move(LOWER_INNER, 1);
  move(LOWER_OUTER, 1);
  move(CHIN, 0.6);
  return out;
}
