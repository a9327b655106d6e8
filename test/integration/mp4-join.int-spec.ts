// The render's MP4 joined in-process (joinMp4) against ffmpeg's concat demuxer on the same
// segment files and audio: the same audio packets, the same video frames at the same times with
// the same keyframes, the index before the media (faststart); segments that would not join by
// copy are refused (the render then asks ffmpeg).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { assembleArgs, concatListText, encodeSegmentRunArgs, joinMp4, locateFfmpeg, runFfmpeg } from '@talecast/video';
import { tempDir } from '@talecast/testing';

const FPS = 30;
/** A 1 s first segment, a longer one, and a short last one, as a render's segments can be. */
const SEGMENT_FRAMES = [30, 45, 20];

describe('MP4 join', () => {
  let ffmpeg = '';
  let ffprobe = '';
  let dir: { path: string; cleanup(): Promise<void> };
  const segments = SEGMENT_FRAMES.map((_, k) => `seg-${String(k).padStart(4, '0')}.mp4`);
  const encode = async (size: number, frames: number[], pattern: string) =>
    runFfmpeg(
      ffmpeg,
      encodeSegmentRunArgs({
        width: size,
        height: size,
        fpsNum: FPS,
        fpsDen: 1,
        segmentFrames: frames,
        pattern: path.join(dir.path, pattern),
        startNumber: 0,
        encoder: { preset: 'veryfast', crf: 23, threads: 1, maxGopFrames: 120 },
        matrix: 'bt709',
        range: 'tv',
        input: ['-f', 'lavfi', '-i', `testsrc2=size=${size}x${size}:rate=${FPS}`, '-frames:v', String(frames.reduce((a, b) => a + b, 0))],
        reportFiles: false,
      }),
    );
  const packets = (file: string, stream: 'v' | 'a', entries = 'pts,dts,duration,size,flags') =>
    execFileSync(ffprobe, ['-v', 'error', '-select_streams', stream, '-show_entries', `packet=${entries}`, '-of', 'csv=p=0', file], { encoding: 'utf8' });
  const frames = (file: string) => execFileSync(ffmpeg, ['-v', 'error', '-i', file, '-map', '0:v', '-f', 'framemd5', '-'], { encoding: 'utf8' });

  before(async () => {
    ({ ffmpeg, ffprobe } = await locateFfmpeg());
    dir = await tempDir('talecast-mp4-join-');
    await encode(64, SEGMENT_FRAMES, 'seg-%04d.mp4');
    const seconds = SEGMENT_FRAMES.reduce((a, b) => a + b, 0) / FPS;
    await runFfmpeg(ffmpeg, [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `sine=frequency=440:duration=${seconds}`,
      '-c:a',
      'aac',
      path.join(dir.path, 'audio.m4a'),
    ]);
  });
  after(async () => dir?.cleanup());

  for (const withAudio of [true, false]) {
    test(`joins like ffmpeg's concat copy${withAudio ? ', with the audio' : ', video only'}`, async () => {
      const files = segments.map((s) => path.join(dir.path, s));
      const audio = withAudio ? path.join(dir.path, 'audio.m4a') : null;
      const ours = path.join(dir.path, `ours-${withAudio}.mp4`);
      const theirs = path.join(dir.path, `theirs-${withAudio}.mp4`);
      const parts = joinMp4(await Promise.all(files.map((f) => fs.readFile(f))), audio ? await fs.readFile(audio) : null);
      await fs.writeFile(ours, Buffer.concat(parts));
      const list = path.join(dir.path, 'concat.txt');
      await fs.writeFile(list, concatListText(files));
      await runFfmpeg(ffmpeg, assembleArgs({ concatList: list, audio, out: theirs }));

      // ffmpeg's copy also repeats the parameter sets inside each keyframe (the same as in the index): sizes differ there only.
      assert.equal(packets(ours, 'v', 'pts,dts,duration,flags'), packets(theirs, 'v', 'pts,dts,duration,flags'), 'video packet times and keyframes');
      assert.equal(frames(ours), frames(theirs), 'decoded frames');
      assert.equal(
        frames(ours)
          .split('\n')
          .filter((l) => /^0,/.test(l)).length,
        SEGMENT_FRAMES.reduce((a, b) => a + b, 0),
      );
      if (audio) assert.equal(packets(ours, 'a'), packets(theirs, 'a'), 'audio packets');
      else assert.equal(packets(ours, 'a'), '');
      const head = (await fs.readFile(ours)).subarray(0, 64).toString('latin1');
      assert.ok(head.indexOf('moov') > 0 && head.indexOf('moov') < 64, 'the index first (faststart)');
    });
  }

  test('refuses segments that would not join by copy (another codec set-up)', async () => {
    await encode(96, [30], 'wide-%04d.mp4');
    const [a, b] = await Promise.all([fs.readFile(path.join(dir.path, segments[0])), fs.readFile(path.join(dir.path, 'wide-0000.mp4'))]);
    assert.throws(() => joinMp4([a, b], null), /another codec set-up/);
  });
});
