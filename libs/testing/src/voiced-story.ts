// Test stories with spoken lines, built in one place for the voice tests, the admin e2e and the
// benches: the hero's line spoken by espeak-ng at a low pitch and placed at its slot over the
// whole timeline (that alone is the hero's dialogue stem), the story's audio with it mixed in, a
// lines file, and a stand-in "child" reading of the line (espeak-ng, raised pitch).
// `makeVoicedAudio` makes the audio alone (music tones + the hero's line), `makeVoicedStory`
// puts the line into a generated story fixture's video.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { StoryFixture } from '@talecast/fixtures';
import { locateFfmpeg, runFfmpeg } from '@talecast/video';
import { makeStandInVoice } from '@talecast/voice';

export interface Slot {
  from: number;
  to: number;
}

export interface VoicedStory {
  video: string;
  masks: string;
  lines: string;
  stem: string;
  /** The hero's recordable line. */
  line: { id: string; from: number; to: number; text: string };
  /** A child's reading of the line: `leadSeconds` of silence, then the speech. */
  childReading: string;
}

export const VOICED_LINE = { id: 'hero-1', from: 6.4, to: 8.8, text: 'I will find the golden key!', ko: '황금 열쇠를 찾을 거야!' };
const NARRATOR_LINE = {
  id: 'narrator-1',
  role: 'narrator',
  from: 0.3,
  to: 2.4,
  text: { en: 'Once upon a time, a little fox went out.', ko: '옛날 옛적에 작은 여우가 길을 나섰어요.' },
};

/** The hero's voice alone over `totalSeconds` (silent outside its slot): the hero's dialogue stem, 48 kHz mono WAV. */
export async function makeHeroStem(ffmpeg: string, out: string, o: { totalSeconds: number; slot: Slot; level?: number }): Promise<void> {
  await makeStandInVoice(
    ffmpeg,
    {
      text: 'I shall find the golden key!',
      language: 'en',
      speechSeconds: o.slot.to - o.slot.from - 0.3,
      silenceBefore: o.slot.from + 0.15,
      silenceAfter: o.totalSeconds - o.slot.to + 0.15,
      level: o.level ?? 0.6,
      pitch: 30,
    },
    out,
  );
}

/** A child's reading of the line (raised pitch): `leadSeconds` of silence, then `speechSeconds` of speech. */
export async function makeChildReading(ffmpeg: string, out: string, o: { speechSeconds: number; leadSeconds?: number; text?: string }): Promise<void> {
  await makeStandInVoice(
    ffmpeg,
    { text: o.text ?? VOICED_LINE.text, language: 'en', speechSeconds: o.speechSeconds, silenceBefore: o.leadSeconds ?? 0.4, silenceAfter: 0.8 },
    out,
  );
}

export interface VoicedAudio {
  /** Two steady tones (stereo WAV, both channels alike): the story without its dialogue. */
  music: string;
  /** The hero's stem (mono WAV over the whole timeline). */
  stem: string;
  /** music + stem, AAC at 192 kb/s 48 kHz in MP4: the story's audio. */
  story: string;
  /** The child's reading (mono WAV). */
  child: string;
}

/** A story's audio alone, `seconds` long, with the hero's line at `slot` (for the mix's tests and bench). */
export async function makeVoicedAudio(outDir: string, o: { seconds: number; slot: Slot; childSpeechSeconds: number }): Promise<VoicedAudio> {
  const { ffmpeg } = await locateFfmpeg();
  await fs.mkdir(outDir, { recursive: true });
  const file = (name: string) => path.join(outDir, name);
  const quiet = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'];
  await makeChildReading(ffmpeg, file('child.wav'), { speechSeconds: o.childSpeechSeconds });
  await makeHeroStem(ffmpeg, file('stem.wav'), { totalSeconds: o.seconds, slot: o.slot, level: 0.5 });
  const tone = (hz: number) => ['-f', 'lavfi', '-i', `sine=frequency=${hz}:sample_rate=48000:duration=${o.seconds}`];
  await runFfmpeg(ffmpeg, [
    ...quiet,
    ...tone(220),
    ...tone(330),
    '-filter_complex',
    '[0][1]amix=inputs=2:normalize=0,volume=0.1,pan=stereo|c0=c0|c1=c0',
    '-c:a',
    'pcm_s16le',
    file('music.wav'),
  ]);
  await runFfmpeg(ffmpeg, [
    ...quiet,
    '-i',
    file('music.wav'),
    '-i',
    file('stem.wav'),
    '-filter_complex',
    '[1]pan=stereo|c0=c0|c1=c0[v];[0][v]amix=inputs=2:normalize=0:duration=first',
    '-c:a',
    'aac',
    '-b:a',
    '192k',
    '-ar',
    '48000',
    file('story.m4a'),
  ]);
  return { music: file('music.wav'), stem: file('stem.wav'), story: file('story.m4a'), child: file('child.wav') };
}

/**
 * A generated story fixture with the hero's line mixed into its audio at `slot` (default
 * VOICED_LINE's 6.4-8.8 s, for the 10 s fixture), its stem, a lines file (the hero's line and a
 * narrator's line) and the child's reading.
 */
export async function makeVoicedStory(fixture: StoryFixture, outDir: string, opts: { childLeadSeconds?: number; slot?: Slot } = {}): Promise<VoicedStory> {
  const { ffmpeg } = await locateFfmpeg();
  await fs.mkdir(outDir, { recursive: true });
  const file = (name: string) => path.join(outDir, name);
  const l = { ...VOICED_LINE, ...(opts.slot ?? {}) };
  const truth = JSON.parse(await fs.readFile(fixture.groundTruth, 'utf8')) as { fps: number; frameCount: number };
  await makeHeroStem(ffmpeg, file('hero-dialogue.wav'), { totalSeconds: truth.frameCount / truth.fps, slot: l });
  await runFfmpeg(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-y',
    '-i',
    fixture.video,
    '-i',
    file('hero-dialogue.wav'),
    '-filter_complex',
    '[1:a]pan=stereo|c0=c0|c1=c0[v];[0:a][v]amix=inputs=2:normalize=0:duration=first[a]',
    '-map',
    '0:v:0',
    '-map',
    '[a]',
    '-c:v',
    'copy',
    '-c:a',
    'aac',
    '-b:a',
    '160k',
    file('story.mp4'),
  ]);
  await fs.copyFile(fixture.masks, file('story.json'));
  const narrator = NARRATOR_LINE.to <= l.from ? [NARRATOR_LINE] : [];
  const lines = [...narrator, { id: l.id, role: 'hero', from: l.from, to: l.to, text: { en: l.text, ko: l.ko } }];
  await fs.writeFile(file('story.lines.json'), JSON.stringify({ version: 1, defaultLanguage: 'en', stems: { hero: 'hero-dialogue.wav' }, lines }, null, 2));
  await makeChildReading(ffmpeg, file('child-reading.wav'), { speechSeconds: (l.to - l.from) * 1.08, leadSeconds: opts.childLeadSeconds });
  return {
    video: file('story.mp4'),
    masks: file('story.json'),
    lines: file('story.lines.json'),
    stem: file('hero-dialogue.wav'),
    line: { id: l.id, from: l.from, to: l.to, text: l.text },
    childReading: file('child-reading.wav'),
  };
}
