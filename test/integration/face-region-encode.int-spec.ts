// The face regions reach libx264 (ffmpeg's addroi side data, faceRegionFilter): inside a part's box
// the encoded picture is closer to the source than without the region, outside it and in a part
// without a box nothing changes much; the run still writes one file per segment, each starting with a
// keyframe, with every frame once and in order.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import path from 'node:path';
import { encodeSegmentRunArgs, locateFfmpeg, RegionPart, runFfmpeg } from '@talecast/video';
import { tempDir } from '@talecast/testing';

const W = 320;
const H = 176;
const FPS = 25;
const SEGMENT_FRAMES = [20, 15];
const BOX = { x: 96, y: 48, w: 64, h: 64 };
/** The first segment's first 12 frames with the box, its other 8 frames and the second segment without. */
const PARTS: RegionPart[] = [
  { frames: 12, box: BOX, qpOffset: 10 },
  { frames: 23, box: null, qpOffset: 0 },
];

describe('face regions in the encoder', () => {
  let ffmpeg = '';
  let ffprobe = '';
  let dir: { path: string; cleanup(): Promise<void> };
  const source = () => ['-f', 'lavfi', '-i', `testsrc2=size=${W}x${H}:rate=${FPS}`, '-frames:v', String(SEGMENT_FRAMES[0] + SEGMENT_FRAMES[1])];
  const encode = (pattern: string, faceRegions?: RegionPart[]) =>
    runFfmpeg(
      ffmpeg,
      encodeSegmentRunArgs({
        width: W,
        height: H,
        fpsNum: FPS,
        fpsDen: 1,
        segmentFrames: SEGMENT_FRAMES,
        pattern: path.join(dir.path, pattern),
        startNumber: 0,
        encoder: { preset: 'veryfast', crf: 30, threads: 1, maxGopFrames: 250 },
        matrix: 'bt709',
        range: 'tv',
        input: source(),
        reportFiles: false,
        faceRegions,
      }),
    );
  /** PSNR (dB, all planes) of `crop` in frames [from, to) of a segment file (its first frame is source frame `firstFrame`) against the source. */
  const measure = (file: string, firstFrame: number, from: number, to: number, crop: string): number => {
    const graph =
      `[0]trim=start_frame=${from}:end_frame=${to},setpts=PTS-STARTPTS,${crop}[d];` +
      `[1]trim=start_frame=${firstFrame + from}:end_frame=${firstFrame + to},setpts=PTS-STARTPTS,${crop}[s];[d][s]psnr`;
    const r = spawnSync(ffmpeg, ['-hide_banner', '-nostdin', '-i', file, ...source(), '-filter_complex', graph, '-f', 'null', '-'], {
      encoding: 'utf8',
    });
    const m = /average:([\d.]+)/.exec(r.stderr);
    assert.ok(m, `no PSNR in ffmpeg's output: ${r.stderr.slice(-300)}`);
    return Number(m[1]);
  };
  /** Per video packet of the file (one per frame), whether it is a keyframe. */
  const keyframes = (file: string) =>
    execFileSync(ffprobe, ['-v', 'error', '-select_streams', 'v', '-show_entries', 'packet=flags', '-of', 'csv=p=0', file], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((flags) => flags.startsWith('K'));

  before(async () => {
    ({ ffmpeg, ffprobe } = await locateFfmpeg());
    dir = await tempDir('talecast-face-region-');
    await encode('plain-%d.mp4');
    await encode('region-%d.mp4', PARTS);
  });
  after(async () => dir.cleanup());

  test('every segment file starts with a keyframe and has all its frames, with or without regions', () => {
    for (const name of ['plain', 'region'])
      SEGMENT_FRAMES.forEach((n, k) => {
        const keys = keyframes(path.join(dir.path, `${name}-${k}.mp4`));
        assert.equal(keys.length, n, `${name}-${k}`);
        assert.ok(keys[0], `${name}-${k} starts with a keyframe`);
      });
  });

  test("the box is coded finer in its part's frames, and the rest of the picture is not", () => {
    const box = `crop=${BOX.w}:${BOX.h}:${BOX.x}:${BOX.y}`;
    const inBox = [measure(path.join(dir.path, 'plain-0.mp4'), 0, 0, 12, box), measure(path.join(dir.path, 'region-0.mp4'), 0, 0, 12, box)];
    assert.ok(inBox[1] > inBox[0] + 2, `box PSNR ${inBox[0].toFixed(2)} -> ${inBox[1].toFixed(2)} dB`);
    const corner = 'crop=96:48:208:112';
    const outside = [measure(path.join(dir.path, 'plain-0.mp4'), 0, 0, 12, corner), measure(path.join(dir.path, 'region-0.mp4'), 0, 0, 12, corner)];
    assert.ok(Math.abs(outside[1] - outside[0]) < 1, `outside PSNR ${outside[0].toFixed(2)} -> ${outside[1].toFixed(2)} dB`);
    const later = [measure(path.join(dir.path, 'plain-1.mp4'), 20, 0, 15, box), measure(path.join(dir.path, 'region-1.mp4'), 20, 0, 15, box)];
    assert.ok(Math.abs(later[1] - later[0]) < 1, `second segment's box PSNR ${later[0].toFixed(2)} -> ${later[1].toFixed(2)} dB`);
  });
});
