// A small test story with spoken lines: a generated story fixture whose audio gets the hero's
// line (espeak-ng, low pitch) mixed in at its slot, that line alone as the hero's dialogue stem, a
// lines file, and a stand-in "child" reading of the line (espeak-ng, raised pitch). Used until
// the generated fairy tale with real lines and stems is in main.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { StoryFixture } from '@talecast/fixtures';
import { locateFfmpeg, runFfmpeg } from '@talecast/video';
import { makeStandInVoice } from '@talecast/voice';

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

export async function makeVoicedStory(fixture: StoryFixture, outDir: string, opts: { childLeadSeconds?: number } = {}): Promise<VoicedStory> {
  const { ffmpeg } = await locateFfmpeg();
  await fs.mkdir(outDir, { recursive: true });
  const file = (name: string) => path.join(outDir, name);
  const l = VOICED_LINE;
  const truth = JSON.parse(await fs.readFile(fixture.groundTruth, 'utf8')) as { fps: number; frameCount: number };
  const total = truth.frameCount / truth.fps;
  // The hero's own voice, alone, over the whole timeline (silent outside its line).
  await makeStandInVoice(
    ffmpeg,
    {
      text: 'I shall find the golden key!',
      language: 'en',
      speechSeconds: l.to - l.from - 0.3,
      silenceBefore: l.from + 0.15,
      silenceAfter: total - l.to + 0.15,
      level: 0.6,
      pitch: 30,
    },
    file('hero-dialogue.wav'),
  );
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
  await fs.writeFile(
    file('story.lines.json'),
    JSON.stringify(
      {
        version: 1,
        defaultLanguage: 'en',
        stems: { hero: 'hero-dialogue.wav' },
        lines: [
          {
            id: 'narrator-1',
            role: 'narrator',
            from: 0.3,
            to: 2.4,
            text: { en: 'Once upon a time, a little fox went out.', ko: '옛날 옛적에 작은 여우가 길을 나섰어요.' },
          },
          { id: l.id, role: 'hero', from: l.from, to: l.to, text: { en: l.text, ko: l.ko } },
        ],
      },
      null,
      2,
    ),
  );
  const lead = opts.childLeadSeconds ?? 0.4;
  await makeStandInVoice(
    ffmpeg,
    { text: l.text, language: 'en', speechSeconds: (l.to - l.from) * 1.08, silenceBefore: lead, silenceAfter: 0.8 },
    file('child-reading.wav'),
  );
  return {
    video: file('story.mp4'),
    masks: file('story.json'),
    lines: file('story.lines.json'),
    stem: file('hero-dialogue.wav'),
    line: { id: l.id, from: l.from, to: l.to, text: l.text },
    childReading: file('child-reading.wav'),
  };
}
