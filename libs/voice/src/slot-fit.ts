// Slot fitting: how much a child's reading must be sped up or slowed down to fill its line's
// slot, and when that is too much to sound natural (then the parent is asked to read faster or
// slower, with their length against the slot). Pure maths, no audio.

/** Tempo factors the formant-preserving stretch may apply (>1 speeds up, <1 slows down). */
export const STRETCH_LIMITS = { min: 0.7, max: 1.4 } as const;

export type SlotFit =
  | { kind: 'fit'; tempo: number; recordedSeconds: number; slotSeconds: number }
  /** Too long for the slot even at the fastest tempo: read faster. */
  | { kind: 'read-faster'; recordedSeconds: number; slotSeconds: number; longestSeconds: number }
  /** Too short even at the slowest tempo: read slower. */
  | { kind: 'read-slower'; recordedSeconds: number; slotSeconds: number; shortestSeconds: number };

/**
 * The tempo that turns `recordedSeconds` of (trimmed) speech into exactly `slotSeconds`:
 * tempo = recorded / slot. Within the limits it is a fit; outside, the lengths the parent's
 * reading should stay between.
 */
export function planSlotFit(recordedSeconds: number, slotSeconds: number, limits: { min: number; max: number } = STRETCH_LIMITS): SlotFit {
  if (!(slotSeconds > 0) || !(recordedSeconds > 0)) throw new RangeError('recorded and slot lengths must be positive');
  const tempo = recordedSeconds / slotSeconds;
  const longestSeconds = slotSeconds * limits.max;
  const shortestSeconds = slotSeconds * limits.min;
  // A hair of tolerance so a reading exactly at the limit (after rounding) is accepted.
  if (tempo > limits.max + 1e-9) return { kind: 'read-faster', recordedSeconds, slotSeconds, longestSeconds };
  if (tempo < limits.min - 1e-9) return { kind: 'read-slower', recordedSeconds, slotSeconds, shortestSeconds };
  return { kind: 'fit', tempo, recordedSeconds, slotSeconds };
}

/** Samples in a slot at `rate` (rounded to the nearest sample). */
export function slotSamples(slotSeconds: number, rate: number): number {
  return Math.round(slotSeconds * rate);
}

/**
 * Copies `samples` into exactly `length` samples: cut when longer, zero-padded when shorter
 * (rubberband's output is within a few milliseconds of the planned length; this makes it exact).
 */
export function fitLength(samples: Float32Array, length: number): Float32Array {
  const out = new Float32Array(length);
  out.set(samples.subarray(0, Math.min(length, samples.length)));
  return out;
}

/** Linear fades of `fadeSamples` at both ends (in place), so a line never starts or ends with a click. */
export function fadeEdges(samples: Float32Array, fadeSamples: number): Float32Array {
  const n = Math.min(fadeSamples, Math.floor(samples.length / 2));
  for (let i = 0; i < n; i++) {
    const g = i / n;
    samples[i] *= g;
    samples[samples.length - 1 - i] *= g;
  }
  return samples;
}
