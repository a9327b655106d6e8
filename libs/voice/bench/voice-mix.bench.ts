// What the child's voice adds to a render of a 60 s story: the one mix made before the video
// pieces (probe, ffmpeg mix with the stem taken out, AAC encode) and the mouths of the lines, for
// 1 and 4 recorded lines; plus, for comparison, fitting one recording at upload time.
// Run: node dist/libs/voice/bench/voice-mix.bench.js (under flock /tmp/talecast-cpu.lock).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { locateFfmpeg, probeMedia, runFfmpeg } from '@talecast/video';
import { decodeWav, fitRecording, lineMouth, makeStandInVoice, mixStoryAudio } from '@talecast/voice';

async function main(): Promise<void> {
  const { ffmpeg, ffprobe } = await locateFfmpeg();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'voice-bench-'));
  const f = (n: string) => path.join(dir, n);
  try {
    await runFfmpeg(ffmpeg, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'aevalsrc=0.15*sin(2*PI*220*t)|0.15*sin(2*PI*330*t):s=48000:d=60',
      '-c:a',
      'aac',
      '-b:a',
      '160k',
      f('story.m4a'),
    ]);
    await makeStandInVoice(
      ffmpeg,
      { text: 'I shall find the golden key.', language: 'en', speechSeconds: 2.5, silenceBefore: 10, silenceAfter: 47.5, pitch: 30 },
      f('stem.wav'),
    );
    await makeStandInVoice(ffmpeg, { text: 'I will find the golden key!', language: 'en', speechSeconds: 3 }, f('child.wav'));
    let t = Date.now();
    const fitted = await fitRecording({ ffmpeg, input: f('child.wav'), slotSeconds: 2.6, targetLufs: -20 });
    const fitMs = Date.now() - t;
    await fs.writeFile(f('line.wav'), fitted.wav);
    const results: Record<string, number> = { fitOneRecordingMs: fitMs };
    for (const n of [1, 4]) {
      const lines = Array.from({ length: n }, (_, i) => ({ file: f('line.wav'), from: 10 + i * 12, to: 12.6 + i * 12, role: 'hero' }));
      const runs: number[] = [];
      for (let r = 0; r < 3; r++) {
        await fs.rm(f('mix.m4a'), { force: true });
        t = Date.now();
        const channels = (await probeMedia(ffprobe, f('story.m4a'))).audio?.channels ?? 2;
        await mixStoryAudio(ffmpeg, { story: f('story.m4a'), channels, stems: [{ role: 'hero', file: f('stem.wav') }], lines, out: f('mix.m4a') });
        for (const l of lines) lineMouth(decodeWav(await fs.readFile(l.file))!.samples, 48000, l.from, 30);
        runs.push(Date.now() - t);
      }
      results[`mix60s_${n}line_ms_median`] = runs.sort((a, b) => a - b)[1];
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
