// Makes a render's audio once, before its video pieces: the story's audio with each fitted line
// in its slot (the role's voice removed through its stem, or ducked), written to a temporary
// name and renamed, so the HLS pieces and the MP4 both carry the same mix.
//
// When the story's audio is AAC-LC at 48 kHz in one or two channels (what the precompute writes
// for most stories), only the stretches around the lines are mixed and encoded, and their frames
// replace the story's own (voice-splice.ts): a few seconds of encoding instead of the whole
// story's. The story's frames as ADTS and where they start are made once, at precompute
// (`storyAudioFrames`); a story precomputed before that has them made here. Any other audio is
// mixed and encoded whole.
import { promises as fs } from 'node:fs';
import { AudioStart, FfmpegInfo, probeAudioStart, runFfmpeg } from '@talecast/video';
import { adtsCopyArgs, adtsToMp4Args, MixLine, VOICE_RATE, VoiceMixPlan, voiceMixArgs, windowMixArgs } from './voice-ffmpeg-args';
import { adtsFrames, SpliceWindow, spliceFrames, spliceWindows } from './voice-splice';

/** Where the mix may differ from the story around a slot, seconds: a stem's ramps lie inside the slot; ducking releases after it. */
const MARGIN_BEFORE = 0.05;
const MARGIN_AFTER_STEM = 0.05;
const MARGIN_AFTER_DUCKED = 2.0;
/** Bit rate of the new frames when the story's is not known. */
const DEFAULT_BIT_RATE = 160_000;

/** The story's audio frames as ADTS, and what the splice needs to know of them. */
export interface StoryAudioFrames {
  file: string;
  start: AudioStart;
}

/** Writes `out` (ADTS) from the story's audio; null when its audio cannot be mixed in place (nothing written). */
export async function storyAudioFrames(ffmpeg: Pick<FfmpegInfo, 'ffmpeg' | 'ffprobe'>, story: string, out: string): Promise<StoryAudioFrames | null> {
  const start = await probeAudioStart(ffmpeg.ffprobe, story).catch(() => null);
  if (!start || !spliceable(start)) return null;
  await runFfmpeg(ffmpeg.ffmpeg, adtsCopyArgs(story, out));
  return { file: out, start };
}

export async function mixStoryAudio(
  ffmpeg: Pick<FfmpegInfo, 'ffmpeg' | 'ffprobe'>,
  plan: VoiceMixPlan,
  opts: { whole?: boolean; frames?: StoryAudioFrames } = {},
): Promise<{ spliced: boolean }> {
  const tmp = `${plan.out}.tmp`;
  try {
    const spliced = !opts.whole && (await mixInPlace(ffmpeg, { ...plan, out: tmp }, opts.frames));
    if (!spliced) await runFfmpeg(ffmpeg.ffmpeg, voiceMixArgs({ ...plan, out: tmp }));
    await fs.rename(tmp, plan.out);
    return { spliced };
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** The story's frames with the lines' stretches re-encoded; false (nothing written) when its audio does not allow it. */
async function mixInPlace(ffmpeg: Pick<FfmpegInfo, 'ffmpeg' | 'ffprobe'>, plan: VoiceMixPlan, made?: StoryAudioFrames): Promise<boolean> {
  const files = { story: `${plan.out}.story.aac`, window: (i: number) => `${plan.out}.window-${i}.aac`, spliced: `${plan.out}.aac` };
  const windowFiles: string[] = [];
  try {
    const frames = made ?? (await storyAudioFrames(ffmpeg, plan.story, files.story));
    if (!frames || frames.start.channels !== plan.channels) return false;
    const { start } = frames;
    const bytes = await fs.readFile(frames.file).catch(() => null); // a story's frames gone: mixed whole
    const story = bytes && adtsFrames(bytes);
    const stemRoles = new Set(plan.stems.map((s) => s.role));
    const after = (l: MixLine) => (l.role && stemRoles.has(l.role) ? MARGIN_AFTER_STEM : MARGIN_AFTER_DUCKED);
    const windows = story && spliceWindows(plan.lines, { firstPts: start.firstPts, frames: story.length, rate: VOICE_RATE }, MARGIN_BEFORE, after);
    if (!story || !windows) return false;
    windowFiles.push(...windows.map((_, i) => files.window(i)));
    const encoded = await encodeWindows(ffmpeg.ffmpeg, plan, windows, start.bitRate ?? DEFAULT_BIT_RATE, windowFiles);
    await fs.writeFile(files.spliced, Buffer.concat(spliceFrames(story, windows, encoded)));
    await runFfmpeg(ffmpeg.ffmpeg, adtsToMp4Args(files.spliced, start.firstPts / start.sampleRate, plan.out));
    return true;
  } finally {
    for (const f of [files.story, files.spliced, ...windowFiles]) await fs.rm(f, { force: true });
  }
}

function spliceable(a: AudioStart): boolean {
  return a.codec === 'aac' && a.profile === 'LC' && a.sampleRate === VOICE_RATE && (a.channels === 1 || a.channels === 2);
}

/** Every window mixed and encoded by one ffmpeg, each into its own file; their frames. */
async function encodeWindows(ffmpeg: string, plan: VoiceMixPlan, windows: SpliceWindow[], bitRate: number, outs: string[]): Promise<Uint8Array[][]> {
  const roles = new Set(plan.lines.map((l) => l.role));
  const mixPlan = { ...plan, stems: plan.stems.filter((s) => roles.has(s.role)) };
  await runFfmpeg(
    ffmpeg,
    windowMixArgs(
      mixPlan,
      windows.map((w, i) => ({ start: w.start, end: w.end, out: outs[i] })),
      bitRate,
    ),
  );
  return Promise.all(
    outs.map(async (out) => {
      const frames = adtsFrames(await fs.readFile(out));
      if (!frames) throw new Error('a mixed window is not AAC-LC in ADTS');
      return frames;
    }),
  );
}
