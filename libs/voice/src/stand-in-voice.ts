// A stand-in "child" recording for the demo and the tests: the speech synthesiser (espeak-ng)
// at a raised pitch (espeak speaks at about -20 LUFS; no loudnorm: it is unreliable on clips
// shorter than its 3 s window), given an exact length of speech, some silence around it and a faint room
// hiss, written as a WAV (or any container ffmpeg can write, by the output's extension).
// Never used on a real recording.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { promisify } from 'node:util';
import { runFfmpeg } from '@talecast/video';

const exec = promisify(execFile);

export interface StandInVoice {
  text: string;
  /** espeak-ng voice, e.g. "en" or "ko". */
  language: string;
  /** Length of the speech itself, seconds (it is stretched to this). */
  speechSeconds: number;
  silenceBefore?: number;
  silenceAfter?: number;
  /** Peak level of the speech (1 = full scale). */
  level?: number;
  /** espeak-ng pitch 0-99 (default 85: high, child-like). */
  pitch?: number;
}

/** espeak-ng's reading of `text` as a WAV. */
async function speak(text: string, language: string, pitch: number, file: string): Promise<void> {
  // -s 150 words per minute.
  await exec('espeak-ng', ['-v', language, '-p', String(pitch), '-s', '150', '-w', file, text]);
}

export async function makeStandInVoice(ffmpeg: string, voice: StandInVoice, out: string): Promise<void> {
  const raw = `${out}.espeak.wav`;
  const trimmed = `${out}.trimmed.wav`;
  try {
    await speak(voice.text, voice.language, voice.pitch ?? 85, raw);
    // The speech without espeak's own silences, as 16-bit mono at 48 kHz (44-byte header).
    await runFfmpeg(ffmpeg, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-y',
      '-i',
      raw,
      '-af',
      'silenceremove=start_periods=1:start_threshold=-50dB:stop_periods=-1:stop_threshold=-50dB:stop_duration=0.3',
      '-ac',
      '1',
      '-ar',
      '48000',
      '-c:a',
      'pcm_s16le',
      trimmed,
    ]);
    const seconds = ((await fs.stat(trimmed)).size - 44) / 2 / 48000;
    const before = voice.silenceBefore ?? 0.4,
      after = voice.silenceAfter ?? 0.3;
    const total = before + voice.speechSeconds + after;
    const filter = [
      `[0:a]atempo=${(seconds / voice.speechSeconds).toFixed(5)},volume=${(voice.level ?? 1).toFixed(3)},adelay=${Math.round(before * 1000)},apad[v]`,
      `anoisesrc=color=pink:amplitude=0.002:sample_rate=48000:seed=7[n]`,
      `[v][n]amix=inputs=2:normalize=0:duration=shortest,atrim=0:${total.toFixed(3)}[out]`,
    ].join(';');
    await runFfmpeg(ffmpeg, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-y',
      '-i',
      trimmed,
      '-filter_complex',
      filter,
      '-map',
      '[out]',
      '-ac',
      '1',
      '-ar',
      '48000',
      out,
    ]);
  } finally {
    await fs.rm(raw, { force: true });
    await fs.rm(trimmed, { force: true });
  }
}
