// What a decoded recording holds, from its samples alone: length, level, clipping and where the
// voice starts and ends (so silence can be trimmed). The intake turns these into the reasons a
// parent reads ("we only heard silence", "too loud: it crackles"). Pure.

export interface RecordingAnalysis {
  durationSeconds: number;
  /** Largest absolute sample (1 = full scale). */
  peak: number;
  /** Loudest 20 ms window, dBFS (RMS). */
  loudestDb: number;
  /** Share of samples sitting at full scale in runs (a clipped, flat-topped wave). */
  clippedFraction: number;
  /** The voice: from the first to the last window above the voice threshold, with a little margin. */
  voiceStart: number;
  voiceEnd: number;
  voicedSeconds: number;
}

export const ANALYSIS_LIMITS = {
  /** Below this (loudest 20 ms window, dBFS), the recording is only silence. */
  silenceDb: -45,
  /** Windows quieter than the loudest one by more than this are not voice. */
  voiceRangeDb: 32,
  /** Less voice than this is not a reading. */
  minVoicedSeconds: 0.2,
  /** |sample| at or above this counts as full scale. */
  clipLevel: 0.99,
  /** More than this share of samples in full-scale runs of ≥ 3 → clipped. */
  maxClippedFraction: 0.002,
  /** Kept before the first and after the last voiced window, seconds. */
  marginBefore: 0.04,
  marginAfter: 0.08,
} as const;

const WINDOW_SECONDS = 0.02;

export function analyseRecording(samples: Float32Array, rate: number, limits = ANALYSIS_LIMITS): RecordingAnalysis {
  const durationSeconds = samples.length / rate;
  const win = Math.max(1, Math.round(WINDOW_SECONDS * rate));
  const db: number[] = [];
  let peak = 0;
  for (let start = 0; start < samples.length; start += win) {
    const end = Math.min(samples.length, start + win);
    let sum = 0;
    for (let i = start; i < end; i++) {
      const v = samples[i];
      sum += v * v;
      const a = Math.abs(v);
      if (a > peak) peak = a;
    }
    db.push(10 * Math.log10(sum / (end - start) + 1e-20));
  }
  const loudestDb = db.length ? Math.max(...db) : -Infinity;
  const threshold = Math.max(limits.silenceDb, loudestDb - limits.voiceRangeDb);
  let first = -1,
    last = -1,
    voiced = 0;
  db.forEach((d, i) => {
    if (d < threshold) return;
    if (first < 0) first = i;
    last = i;
    voiced++;
  });
  const voiceStart = first < 0 ? 0 : Math.max(0, (first * win) / rate - limits.marginBefore);
  const voiceEnd = last < 0 ? 0 : Math.min(durationSeconds, ((last + 1) * win) / rate + limits.marginAfter);
  return {
    durationSeconds,
    peak,
    loudestDb,
    clippedFraction: clippedFraction(samples, limits.clipLevel),
    voiceStart,
    voiceEnd,
    voicedSeconds: (voiced * win) / rate,
  };
}

/** Samples in runs of at least 3 consecutive full-scale values, as a share of all samples. */
function clippedFraction(samples: Float32Array, level: number): number {
  let clipped = 0,
    run = 0;
  for (let i = 0; i <= samples.length; i++) {
    if (i < samples.length && Math.abs(samples[i]) >= level) run++;
    else {
      if (run >= 3) clipped += run;
      run = 0;
    }
  }
  return samples.length ? clipped / samples.length : 0;
}

export type RecordingProblem = 'EMPTY_RECORDING' | 'ONLY_SILENCE' | 'RECORDING_CLIPPED';

/** The first reason this recording cannot be used, or null. (Length limits are checked on decode.) */
export function recordingProblem(a: RecordingAnalysis, limits = ANALYSIS_LIMITS): RecordingProblem | null {
  if (a.durationSeconds < 0.05) return 'EMPTY_RECORDING';
  if (a.loudestDb < limits.silenceDb || a.voicedSeconds < limits.minVoicedSeconds) return 'ONLY_SILENCE';
  if (a.clippedFraction > limits.maxClippedFraction) return 'RECORDING_CLIPPED';
  return null;
}
