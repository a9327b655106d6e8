// A story's spoken lines and dialogue stems on disk. At precompute time the lines file is checked
// against the masks' roles and the video's length, each stem is converted to 48 kHz mono PCM in
// `precomputed/<story>/stems/<role>.wav`, and the lines are written to
// `precomputed/<story>/lines.json` (stems named by their precomputed place); the manifest's
// `voice` field says which exist. At request time the lines are read back from there.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StorageCore, writeFileAtomic } from '@talecast/storage';
import { FfmpegInfo, runFfmpeg } from '@talecast/video';
import { parseLinesFile, StoryLines, validateLines } from './lines-file';
import { storyAudioFrames, StoryAudioFrames } from './voice-mixer';

export const LINES_FILE = 'lines.json';
/** The story's audio frames as ADTS (a render mixes only the stretches around its lines into them). */
export const AUDIO_FRAMES_FILE = 'audio-frames.aac';

/** What the manifest's `voice` field holds. */
export interface ManifestVoice {
  lines: string;
  stems: string[];
  /** The story's audio frames (relative to the story's folder) and where they start; absent when they cannot be mixed in place. */
  audioFrames?: { file: string; start: StoryAudioFrames['start'] };
}

/** Reads and checks an authoring lines file; its stems resolved to absolute paths beside it. */
export async function readAuthoredLines(
  file: string,
  roles: string[],
  durationSeconds?: number,
): Promise<{ lines: StoryLines; stemFiles: Record<string, string> }> {
  const lines = parseLinesFile(await fs.readFile(file, 'utf8'), roles, durationSeconds);
  const stemFiles: Record<string, string> = {};
  for (const [role, rel] of Object.entries(lines.stems)) stemFiles[role] = path.resolve(path.dirname(file), rel);
  return { lines, stemFiles };
}

/** Role → stem arguments: any audio in, 48 kHz mono 16-bit PCM WAV out. */
export function stemArgs(input: string, out: string): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-i',
    input,
    '-map',
    '0:a:0',
    '-vn',
    '-ac',
    '1',
    '-ar',
    '48000',
    '-c:a',
    'pcm_s16le',
    '-f',
    'wav',
    out,
  ];
}

/**
 * Writes lines.json and the stems into a published story folder, then names them in its
 * manifest (each file written under a temporary name and renamed). `stemFiles`: role → audio.
 */
export async function publishStoryVoice(opts: {
  ffmpeg: Pick<FfmpegInfo, 'ffmpeg' | 'ffprobe'>;
  storage: StorageCore;
  storyId: string;
  lines: StoryLines;
  stemFiles: Record<string, string>;
}): Promise<{ lines: number; stems: string[] }> {
  const { storage, storyId } = opts;
  const stems: Record<string, string> = {};
  for (const [role, input] of Object.entries(opts.stemFiles)) {
    const out = storage.storyStemFile(storyId, role);
    await fs.mkdir(path.dirname(out), { recursive: true });
    const tmp = `${out}.tmp`;
    try {
      await runFfmpeg(opts.ffmpeg.ffmpeg, stemArgs(input, tmp));
      await fs.rename(tmp, out);
    } finally {
      await fs.rm(tmp, { force: true });
    }
    stems[role] = `stems/${role}.wav`;
  }
  await writeFileAtomic(storage.storyFile(storyId, LINES_FILE), JSON.stringify({ ...opts.lines, stems }, null, 2));
  const manifestFile = storage.storyFile(storyId, 'manifest.json');
  const manifest = JSON.parse(await fs.readFile(manifestFile, 'utf8'));
  const voice: ManifestVoice = { lines: LINES_FILE, stems: Object.keys(stems) };
  const audio = manifest.audio?.file ? storage.storyPath(storyId, manifest.audio.file) : null;
  const framesFile = storage.storyFile(storyId, AUDIO_FRAMES_FILE);
  try {
    const frames = audio ? await storyAudioFrames(opts.ffmpeg, audio, `${framesFile}.tmp`) : null;
    if (frames) {
      await fs.rename(frames.file, framesFile);
      voice.audioFrames = { file: AUDIO_FRAMES_FILE, start: frames.start };
    }
  } finally {
    await fs.rm(`${framesFile}.tmp`, { force: true });
  }
  manifest.voice = voice;
  await writeFileAtomic(manifestFile, JSON.stringify(manifest, null, 2));
  return { lines: opts.lines.lines.length, stems: Object.keys(stems) };
}

/** The precomputed lines of a story, or null when it has none. */
export async function loadStoryLines(storage: StorageCore, storyId: string, roles: string[]): Promise<StoryLines | null> {
  let text: string;
  try {
    text = await fs.readFile(storage.storyFile(storyId, LINES_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  return validateLines(JSON.parse(text), roles);
}
