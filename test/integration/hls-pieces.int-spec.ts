// HLS pieces with real ffmpeg: each piece's first video frame sits exactly at its segment's start
// in the stream's time (the first piece too: no B-frame shift of 2 frames), so the video of
// consecutive pieces neither overlaps nor leaves a gap; a re-rendered piece lines up with the
// story's own piece of the same segment, audio and video; so does the piece the quick-start run's
// encoder writes itself, whose MP4 is the one written without it; so does the piece written
// in-process from the rendered MP4 and the story's piece (given the story's own segment it is the
// story's piece byte for byte).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { encodeSegmentRunArgs, hlsPiecesFromStoryArgs, hlsSegmentsArgs, locateFfmpeg, runFfmpeg, tsPieceFromStory, tsStartTimes } from '@talecast/video';
import { tempDir } from '@talecast/testing';

const FPS = 30;
/** Segments of 30 and 45 frames (the render's 1 s first segment, then a longer one). */
const SEGMENT_FRAMES = [30, 45];
/** Every MPEG-TS time is written this much later by ffmpeg's muxer (its default max_delay 0.7 s, twice). */
const TS_MUX_DELAY = 1.4;

async function startTimes(file: string): Promise<{ video: number; audio: number }> {
  const t = tsStartTimes(new Uint8Array(await fs.readFile(file)));
  assert.ok(t.video !== null && t.audio !== null, `${path.basename(file)}: no video or audio PTS`);
  return { video: t.video, audio: t.audio };
}

describe('HLS pieces', () => {
  let ffmpeg = '';
  let ffprobe = '';
  let dir: { path: string; cleanup(): Promise<void> };
  const starts = [0, SEGMENT_FRAMES[0] / FPS];
  const durations = SEGMENT_FRAMES.map((n) => n / FPS);

  before(async () => {
    ({ ffmpeg, ffprobe } = await locateFfmpeg());
    dir = await tempDir('talecast-hls-pieces-');
    // Two segment files from one x264 run (B-frames: the stream's first frame decodes 2 frames late), as the render writes them.
    const encoder = { preset: 'veryfast', crf: 23, threads: 1, maxGopFrames: 120 };
    await runFfmpeg(ffmpeg, [
      ...encodeSegmentRunArgs({
        width: 64,
        height: 64,
        fpsNum: FPS,
        fpsDen: 1,
        segmentFrames: SEGMENT_FRAMES,
        pattern: path.join(dir.path, 'seg-%04d.mp4'),
        startNumber: 0,
        encoder,
        matrix: 'bt709',
        range: 'tv',
        input: ['-f', 'lavfi', '-i', `testsrc2=size=64x64:rate=${FPS}:duration=${(SEGMENT_FRAMES[0] + SEGMENT_FRAMES[1]) / FPS}`],
        reportFiles: false,
      }),
    ]);
    await runFfmpeg(ffmpeg, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-nostdin',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:duration=3',
      '-c:a',
      'aac',
      path.join(dir.path, 'audio.m4a'),
    ]);
    await runFfmpeg(
      ffmpeg,
      hlsSegmentsArgs(
        starts.map((s, k) => ({
          video: path.join(dir.path, `seg-000${k}.mp4`),
          audio: path.join(dir.path, 'audio.m4a'),
          startSeconds: s,
          durationSeconds: durations[k],
          out: path.join(dir.path, `story-${k}.ts`),
        })),
      ),
    );
  });
  after(async () => dir?.cleanup());

  test("the story's pieces: video from exactly each segment's start, the audio's priming just before", async () => {
    for (const [k, s] of starts.entries()) {
      const t = await startTimes(path.join(dir.path, `story-${k}.ts`));
      assert.ok(Math.abs(t.video - TS_MUX_DELAY - s) < 1e-3, `piece ${k}: video starts at ${(t.video - TS_MUX_DELAY).toFixed(4)} s, its segment at ${s} s`);
      // AAC's 1024 priming samples (21 ms at 48 kHz, 23 ms at 44.1 kHz) before the video, never after it.
      const early = t.video - t.audio;
      assert.ok(early >= 0 && early < 0.025, `piece ${k}: audio ${early.toFixed(4)} s before the video`);
    }
  });

  test("a re-rendered piece starts where the story's piece of the same segment does, audio and video", async () => {
    for (const [k, s] of starts.entries()) {
      const storyPiece = path.join(dir.path, `story-${k}.ts`);
      const story = await startTimes(storyPiece);
      const out = path.join(dir.path, `rendered-${k}.ts`);
      await runFfmpeg(
        ffmpeg,
        hlsPiecesFromStoryArgs([
          {
            video: path.join(dir.path, `seg-000${k}.mp4`),
            storyPiece,
            videoDelaySeconds: story.video - Math.min(story.video, story.audio),
            startSeconds: s,
            out,
          },
        ]),
      );
      const rendered = await startTimes(out);
      assert.ok(Math.abs(rendered.video - story.video) < 1e-3, `piece ${k}: rendered video at ${rendered.video}, the story's at ${story.video}`);
      assert.ok(Math.abs(rendered.audio - story.audio) < 1e-3, `piece ${k}: rendered audio at ${rendered.audio}, the story's at ${story.audio}`);
    }
  });

  test("a piece written by the segment's own encoder lines up with the story's piece, and the segment's MP4 is the same as without it", async () => {
    const encode = async (k: number, pattern: string, out?: string) => {
      const story = await startTimes(path.join(dir.path, `story-${k}.ts`));
      const lavfi = `testsrc2=size=64x64:rate=${FPS}:duration=${durations[k]}`;
      await runFfmpeg(
        ffmpeg,
        encodeSegmentRunArgs({
          width: 64,
          height: 64,
          fpsNum: FPS,
          fpsDen: 1,
          segmentFrames: [SEGMENT_FRAMES[k]],
          pattern: path.join(dir.path, pattern),
          startNumber: 0,
          encoder: { preset: 'veryfast', crf: 23, threads: 1, maxGopFrames: 120 },
          matrix: 'bt709',
          range: 'tv',
          input: ['-f', 'lavfi', '-i', lavfi],
          reportFiles: false,
          hlsPiece:
            out === undefined
              ? undefined
              : { storyPiece: path.join(dir.path, `story-${k}.ts`), audioLeadSeconds: story.video - story.audio, startSeconds: starts[k], out },
        }),
      );
    };
    const decoded = (file: string) => execFileSync(ffmpeg, ['-v', 'error', '-i', file, '-map', '0:v', '-f', 'framemd5', '-'], { encoding: 'utf8' });
    for (const k of starts.keys()) {
      const out = path.join(dir.path, `encoder-${k}.ts`);
      await encode(k, `quick-${k}-%04d.mp4`, out);
      await encode(k, `plain-${k}-%04d.mp4`);
      const [story, piece] = [await startTimes(path.join(dir.path, `story-${k}.ts`)), await startTimes(out)];
      assert.ok(Math.abs(piece.video - story.video) < 1e-3, `piece ${k}: encoder's video at ${piece.video}, the story's at ${story.video}`);
      assert.ok(Math.abs(piece.audio - story.audio) < 1e-3, `piece ${k}: encoder's audio at ${piece.audio}, the story's at ${story.audio}`);
      const [quick, plain] = [path.join(dir.path, `quick-${k}-0000.mp4`), path.join(dir.path, `plain-${k}-0000.mp4`)];
      assert.equal(decoded(quick), decoded(plain), `segment ${k}: the MP4 decodes to the same frames with or without the piece`);
      assert.ok((await fs.readFile(quick)).equals(await fs.readFile(plain)), `segment ${k}: the MP4 is byte for byte the one written without the piece`);
      assert.equal(
        decoded(out)
          .split('\n')
          .filter((l) => /^0,/.test(l)).length,
        SEGMENT_FRAMES[k],
        `piece ${k}: every frame`,
      );
    }
  });

  test("a piece written in-process: the story's own segment gives the story's piece byte for byte", async () => {
    for (const k of starts.keys()) {
      const story = await fs.readFile(path.join(dir.path, `story-${k}.ts`));
      const piece = tsPieceFromStory(story, await fs.readFile(path.join(dir.path, `seg-000${k}.mp4`)));
      assert.ok(Buffer.from(piece).equals(story), `piece ${k}: ${piece.length} bytes, the story's ${story.length}, or the same size with other bytes`);
    }
  });

  test("a re-rendered piece written in-process has the rendered frames at the story's times, the story's audio, and ffmpeg's remux's packets", async () => {
    const packets = (file: string, stream: 'v' | 'a') =>
      execFileSync(ffprobe, ['-v', 'error', '-select_streams', stream, '-show_entries', 'packet=pts,dts,flags', '-of', 'csv=p=0:nk=1', file], {
        encoding: 'utf8',
      })
        .split('\n')
        .filter((l) => /^\d/.test(l))
        .map((l) => l.split(',').slice(0, 3));
    /** Packet times (90 kHz) from the first one's presentation, and flags: ffmpeg's remux lands its piece a few ticks off the story's times. */
    const relative = (list: string[][]) => list.map(([pts, dts, flags]) => [Number(pts) - Number(list[0][0]), Number(dts) - Number(list[0][0]), flags]);
    const decoded = (file: string) =>
      execFileSync(ffmpeg, ['-v', 'error', '-i', file, '-map', '0:v', '-f', 'framemd5', '-'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => /^0,/.test(l))
        .map((l) => l.split(',').at(-1));
    for (const [k, s] of starts.entries()) {
      // Other pictures, the same encoder settings and frame count (another render of the segment).
      const lavfi = `mandelbrot=size=64x64:rate=${FPS}`;
      await runFfmpeg(
        ffmpeg,
        encodeSegmentRunArgs({
          width: 64,
          height: 64,
          fpsNum: FPS,
          fpsDen: 1,
          segmentFrames: [SEGMENT_FRAMES[k]],
          pattern: path.join(dir.path, `other-${k}-%04d.mp4`),
          startNumber: 0,
          encoder: { preset: 'veryfast', crf: 23, threads: 1, maxGopFrames: 120 },
          matrix: 'bt709',
          range: 'tv',
          input: ['-f', 'lavfi', '-i', lavfi, '-frames:v', String(SEGMENT_FRAMES[k])],
          reportFiles: false,
        }),
      );
      const video = path.join(dir.path, `other-${k}-0000.mp4`);
      const storyPiece = path.join(dir.path, `story-${k}.ts`);
      const ours = path.join(dir.path, `ours-${k}.ts`);
      await fs.writeFile(ours, tsPieceFromStory(await fs.readFile(storyPiece), await fs.readFile(video)));
      const story = await startTimes(storyPiece);
      const remuxed = path.join(dir.path, `remuxed-${k}.ts`);
      await runFfmpeg(
        ffmpeg,
        hlsPiecesFromStoryArgs([{ video, storyPiece, videoDelaySeconds: story.video - Math.min(story.video, story.audio), startSeconds: s, out: remuxed }]),
      );
      const t = await startTimes(ours);
      assert.ok(
        Math.abs(t.video - story.video) < 1e-3 && Math.abs(t.audio - story.audio) < 1e-3,
        `piece ${k}: starts ${JSON.stringify(t)}, the story's ${JSON.stringify(story)}`,
      );
      assert.deepEqual(decoded(ours), decoded(video), `piece ${k}: the rendered frames`);
      assert.equal(decoded(ours).length, SEGMENT_FRAMES[k]);
      assert.deepEqual(packets(ours, 'a'), packets(storyPiece, 'a'), `piece ${k}: the story's audio packets`);
      assert.equal(packets(ours, 'v')[0][0], packets(storyPiece, 'v')[0][0], `piece ${k}: the first frame at the story's first frame's time, to the tick`);
      assert.deepEqual(
        relative(packets(ours, 'v')),
        relative(packets(remuxed, 'v')),
        `piece ${k}: the video packets' times and flags as ffmpeg's remux writes them`,
      );
    }
  });
});
