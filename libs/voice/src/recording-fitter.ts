// Turns a parent's recording into a fitted line: decode by content (anything ffmpeg reads as
// audio), check it (not audio, empty, silence, clipped, too long), trim the silence at both ends,
// clean it lightly, stretch it into the slot (formant-preserving, within the stretch limits),
// bring it to the story's dialogue loudness and cut it to the slot's exact length. ffmpeg runs
// through libs/video's runner; the measuring happens on samples here. Never logs anything about
// the recording: it is a child's voice.
import { TalecastError } from '@talecast/core/talecast-error';
import { startFfmpeg } from '@talecast/video';
import { fadeEdges, fitLength, planSlotFit, slotSamples } from './slot-fit';
import { analyseRecording, RecordingAnalysis, recordingProblem } from './recording-analysis';
import { gainFor, integratedLoudness } from './loudness';
import { decodeMonoArgs, fitRecordingArgs, VOICE_RATE } from './voice-ffmpeg-args';
import { encodeWav, f32leSamples } from './wav';

export const RECORDING_LIMITS = { maxSeconds: 30, maxBytes: 5 * 1024 * 1024 } as const;

/** Loudness a line is brought to when the story's dialogue cannot be measured. */
export const DEFAULT_DIALOGUE_LUFS = -20;
/** Peaks above this (after the loudness gain) are softly limited. */
const PEAK_CEILING = 0.89;

export interface FittedLine {
  /** Exactly the slot's length, mono, VOICE_RATE. */
  samples: Float32Array;
  wav: Buffer;
  analysis: RecordingAnalysis;
  tempo: number;
  /** Integrated loudness after normalisation (LUFS). */
  loudness: number;
}

const MESSAGES = {
  NOT_AUDIO: 'This file is not a sound recording we can play. Please record again or choose an audio file.',
  EMPTY_RECORDING: 'The recording is empty. Please record again.',
  ONLY_SILENCE: 'We only heard silence. Check the microphone and record again, a little closer.',
  RECORDING_CLIPPED: 'The recording is too loud and crackles. Please hold the phone a bit further away and record again.',
  RECORDING_TOO_LONG: `The recording is longer than ${RECORDING_LIMITS.maxSeconds} seconds. Please record just this line.`,
} as const;

/** Decodes any audio file to mono float samples at VOICE_RATE (NOT_AUDIO when ffmpeg finds no audio in it). */
export async function decodeMono(ffmpeg: string, file: string, maxSeconds: number): Promise<Float32Array> {
  const run = startFfmpeg(ffmpeg, decodeMonoArgs(file, maxSeconds), { stdout: true });
  const chunks: Buffer[] = [];
  run.child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  try {
    await run.done;
  } catch {
    throw new TalecastError('NOT_AUDIO', MESSAGES.NOT_AUDIO);
  }
  return f32leSamples(Buffer.concat(chunks));
}

/** Checks a decoded recording; throws the parent-readable reason it cannot be used. */
export function checkRecording(samples: Float32Array): RecordingAnalysis {
  if (samples.length === 0) throw new TalecastError('EMPTY_RECORDING', MESSAGES.EMPTY_RECORDING);
  const analysis = analyseRecording(samples, VOICE_RATE);
  if (analysis.durationSeconds > RECORDING_LIMITS.maxSeconds) throw new TalecastError('RECORDING_TOO_LONG', MESSAGES.RECORDING_TOO_LONG);
  const problem = recordingProblem(analysis);
  if (problem) throw new TalecastError(problem, MESSAGES[problem]);
  return analysis;
}

export async function fitRecording(opts: { ffmpeg: string; input: string; slotSeconds: number; targetLufs: number }): Promise<FittedLine> {
  // Decoding a little past the limit shows a file that is too long as too long.
  const decoded = await decodeMono(opts.ffmpeg, opts.input, RECORDING_LIMITS.maxSeconds + 0.5);
  const analysis = checkRecording(decoded);
  const fit = planSlotFit(analysis.voiceEnd - analysis.voiceStart, opts.slotSeconds);
  if (fit.kind === 'read-faster')
    throw new TalecastError(
      'READ_FASTER',
      `Your reading is ${fit.recordedSeconds.toFixed(1)} s; this line has ${fit.slotSeconds.toFixed(1)} s. Please read a little faster (at most ${fit.longestSeconds.toFixed(1)} s).`,
      { recordedSeconds: round(fit.recordedSeconds), slotSeconds: round(fit.slotSeconds), longestSeconds: round(fit.longestSeconds) },
    );
  if (fit.kind === 'read-slower')
    throw new TalecastError(
      'READ_SLOWER',
      `Your reading is ${fit.recordedSeconds.toFixed(1)} s; this line has ${fit.slotSeconds.toFixed(1)} s. Please read a little slower (at least ${fit.shortestSeconds.toFixed(1)} s).`,
      { recordedSeconds: round(fit.recordedSeconds), slotSeconds: round(fit.slotSeconds), shortestSeconds: round(fit.shortestSeconds) },
    );
  const stretched = await runToSamples(
    opts.ffmpeg,
    fitRecordingArgs(opts.input, { start: analysis.voiceStart, end: analysis.voiceEnd, tempo: fit.tempo, denoise: true }),
  );
  const samples = fadeEdges(fitLength(stretched, slotSamples(opts.slotSeconds, VOICE_RATE)), Math.round(0.01 * VOICE_RATE));
  const loudness = normalise(samples, opts.targetLufs);
  return { samples, wav: encodeWav(samples, VOICE_RATE), analysis, tempo: fit.tempo, loudness };
}

/** Gain to the target loudness, then a soft limit of the few peaks above the ceiling (in place). */
export function normalise(samples: Float32Array, targetLufs: number): number {
  const measured = integratedLoudness(samples);
  if (Number.isFinite(measured)) {
    const g = gainFor(measured, targetLufs);
    for (let i = 0; i < samples.length; i++) samples[i] = softLimit(samples[i] * g);
  }
  return integratedLoudness(samples);
}

function softLimit(v: number): number {
  const a = Math.abs(v);
  if (a <= PEAK_CEILING) return v;
  const head = 1 - PEAK_CEILING;
  return Math.sign(v) * (PEAK_CEILING + head * Math.tanh((a - PEAK_CEILING) / head));
}

export async function runToSamples(ffmpeg: string, args: string[]): Promise<Float32Array> {
  const run = startFfmpeg(ffmpeg, args, { stdout: true });
  const chunks: Buffer[] = [];
  run.child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  await run.done;
  return f32leSamples(Buffer.concat(chunks));
}

/**
 * The loudness of the story's dialogue: the stem (the role's voice alone) or, without one, the
 * story's audio, measured over the lines' slots only.
 */
export function dialogueLoudness(samples: Float32Array, slots: { from: number; to: number }[]): number {
  const parts = slots.map((s) => samples.subarray(Math.max(0, Math.floor(s.from * VOICE_RATE)), Math.min(samples.length, Math.ceil(s.to * VOICE_RATE))));
  const joined = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    joined.set(p, at);
    at += p.length;
  }
  const l = integratedLoudness(joined);
  return Number.isFinite(l) ? l : DEFAULT_DIALOGUE_LUFS;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
