// What the child's voice costs for a 60 s story, alone (npm run bench shows it within a render):
// the one mix made before the video pieces (probe, ffmpeg mix with the stem taken out, AAC
// encode) and the mouths of the lines, for 1 and 4 recorded lines, mixed in place (only the
// stretches around the lines encoded) and whole; plus fitting one recording at upload time.
// Run: node dist/libs/voice/bench/voice-mix.bench.js (under flock /tmp/talecast-cpu.lock).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeVoicedAudio } from '@talecast/testing';
import { locateFfmpeg, probeMedia } from '@talecast/video';
import { decodeWav, fitRecording, lineMouth, mixStoryAudio, storyAudioFrames } from '@talecast/voice';

async function main(): Promise<void> {
  const { ffmpeg, ffprobe } = await locateFfmpeg();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'voice-bench-'));
  const f = (n: string) => path.join(dir, n);
  try {
    const audio = await makeVoicedAudio(dir, { seconds: 60, slot: { from: 10, to: 12.6 }, childSpeechSeconds: 3 });
    let t = Date.now();
    const fitted = await fitRecording({ ffmpeg, input: audio.child, slotSeconds: 2.6, targetLufs: -20 });
    const fitMs = Date.now() - t;
    await fs.writeFile(f('line.wav'), fitted.wav);
    const results: Record<string, number> = { fitOneRecordingMs: fitMs };
    // The story's frames, made once at precompute for a story with lines.
    t = Date.now();
    const frames = (await storyAudioFrames({ ffmpeg, ffprobe }, audio.story, f('frames.aac')))!;
    results.storyFramesAtPrecomputeMs = Date.now() - t;
    for (const n of [1, 4])
      for (const whole of [false, true]) {
        const lines = Array.from({ length: n }, (_, i) => ({ file: f('line.wav'), from: 10 + i * 12, to: 12.6 + i * 12, role: 'hero' }));
        const runs: number[] = [];
        for (let r = 0; r < 3; r++) {
          await fs.rm(f('mix.m4a'), { force: true });
          t = Date.now();
          const channels = (await probeMedia(ffprobe, audio.story)).audio?.channels ?? 2;
          const plan = { story: audio.story, channels, stems: [{ role: 'hero', file: audio.stem }], lines, out: f('mix.m4a') };
          await mixStoryAudio({ ffmpeg, ffprobe }, plan, { whole, frames });
          for (const l of lines) lineMouth(decodeWav(await fs.readFile(l.file))!.samples, 48000, l.from, 30);
          runs.push(Date.now() - t);
        }
        results[`mix60s_${n}line_${whole ? 'whole' : 'inPlace'}_ms_median`] = runs.sort((a, b) => a - b)[1];
      }
    console.log(JSON.stringify(results));
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
