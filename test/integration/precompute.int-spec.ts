// Precompute on a generated story with real ffmpeg and the real face models: accuracy against
// the fixture's ground truth, the distractor never taken, the face-free shot empty, segments on
// the cuts with keyframes at their starts, smoothing, outputs, and bad input.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { loadConfig } from '@talecast/config';
import { interOcularDistance } from '@talecast/face';
import { GroundTruth } from '@talecast/fixtures';
import { FrameData, precomputeStory, PrecomputeSummary, secondDifference, PrecomputeError } from '@talecast/precompute';
import { StorageCore } from '@talecast/storage';
import { locateFfmpeg, FfmpegInfo, probeMedia } from '@talecast/video';
import { sharedFixture, tempDir } from '@talecast/testing';

const run = promisify(execFile);

describe('precompute of a generated story', async () => {
  const dir = await tempDir();
  const storage = new StorageCore(loadConfig({ TALECAST_DATA_DIR: dir.path }).roots);
  const fixture = await sharedFixture(10, 'a');
  const truth: GroundTruth = JSON.parse(await fs.readFile(fixture.groundTruth, 'utf8'));
  let ffmpeg: FfmpegInfo;
  let summary: PrecomputeSummary;
  let frames: FrameData;
  const deps = () => ({ storage, ffmpeg, threads: 2, faceBackend: 'wasm' as const, encoder: { preset: 'veryfast', crf: 20, threads: 0, maxGopFrames: 120 } });

  before(async () => {
    ffmpeg = await locateFfmpeg();
    summary = await precomputeStory({ storyId: 'tale', video: fixture.video, masks: fixture.masks, title: 'Tale' }, { ...deps(), collectRaw: true });
    frames = FrameData.fromBuffer(summary.manifest, await fs.readFile(storage.storyFile('tale', 'frames.bin')));
  });
  after(() => dir.cleanup());

  test('landmarks are within 4% of the inter-ocular distance of the ground truth on average', () => {
    let sum = 0,
      n = 0;
    for (const f of truth.frames) {
      if (!f.hero || !frames.present(0, f.i)) continue;
      const lm = frames.field(0, f.i, 'landmarks');
      let e = 0;
      for (let k = 0; k < 68; k++) e += Math.hypot(lm[2 * k] - f.hero[2 * k], lm[2 * k + 1] - f.hero[2 * k + 1]);
      sum += e / 68 / interOcularDistance(f.hero);
      n++;
    }
    const heroFrames = truth.frames.filter((f) => f.hero).length;
    assert.ok(n >= heroFrames * 0.97, `hero found in ${n} of ${heroFrames} frames`);
    assert.ok(sum / n < 0.04, `mean error ${((sum / n) * 100).toFixed(2)}%`);
  });

  test('the distractor is never the hero, and the face-free shot has no hero frames', () => {
    for (const f of truth.frames) {
      if (!frames.present(0, f.i)) continue;
      assert.ok(f.hero, `frame ${f.i} has a hero only in the precompute`);
      if (f.distractor) {
        const [x, y, w, h] = f.distractor;
        const nose = frames.field(0, f.i, 'landmarks').subarray(60, 62);
        assert.ok(!(nose[0] > x && nose[0] < x + w && nose[1] > y && nose[1] < y + h), `frame ${f.i}: hero on the distractor`);
      }
    }
    const empty = truth.shots.find((s) => s.kind === 'empty')!;
    for (let i = empty.startFrame; i < empty.endFrame; i++) assert.ok(!frames.present(0, i), `frame ${i}`);
  });

  test('cuts are found and segments start on them; face-free segments hold no face frame', () => {
    assert.deepEqual(summary.manifest.cuts, truth.cuts);
    const starts = new Set(summary.manifest.segments.map((s) => s.start));
    for (const cut of truth.cuts) assert.ok(starts.has(cut), `a segment starts at cut ${cut}`);
    for (const s of summary.manifest.segments) {
      if (s.hasFace) continue;
      for (let i = s.start; i < s.end; i++) assert.ok(!frames.present(0, i));
    }
  });

  test('every segment of the render-ready media starts with a keyframe and has its frames', async () => {
    for (const s of summary.manifest.segments) {
      const file = path.join(storage.storyDir('tale'), s.file);
      const { stdout } = await run(ffmpeg.ffprobe, [
        '-v',
        'error',
        '-select_streams',
        'v:0',
        '-show_entries',
        'frame=key_frame,pict_type',
        '-of',
        'csv=p=0',
        file,
      ]);
      const rows = stdout
        .split('\n')
        .map((r) => r.trim())
        .filter(Boolean);
      assert.equal(rows.length, s.end - s.start, `segment ${s.index} frame count`);
      assert.match(rows[0], /^1,I/, `segment ${s.index} starts with a keyframe`);
    }
    const audio = await run(ffmpeg.ffprobe, [
      '-v',
      'error',
      '-show_entries',
      'stream=codec_name',
      '-of',
      'csv=p=0',
      path.join(storage.storyDir('tale'), 'media/audio.m4a'),
    ]);
    assert.equal(audio.stdout.trim(), 'aac', 'the original audio is kept');
  });

  test('smoothing: jitter at least 2x lower than the raw detections, error not worse where the net ran', () => {
    const raw = summary.raw!.hero;
    const cuts = new Set(summary.manifest.cuts);
    const smooth = new Float32Array(raw.landmarks.length);
    for (let i = 0; i < frames.manifest.video.frameCount; i++) smooth.set(frames.field(0, i, 'landmarks'), i * 136);
    const jr = secondDifference(raw.landmarks, 136, raw.present, cuts);
    const js = secondDifference(smooth, 136, raw.present, cuts);
    assert.ok(jr / js >= 2, `jitter ${jr.toFixed(3)} → ${js.toFixed(3)}`);
    let er = 0,
      es = 0;
    // Frames whose raw landmarks are already the mean of their neighbours' runs (the landmark skip) are
    // smoothed before the smoothing: they are not the raw detections this compares with.
    assert.ok(raw.between, 'the raw track says which frames are between runs');
    for (const f of truth.frames) {
      if (!f.hero || !raw.present[f.i] || raw.between[f.i]) continue;
      for (let k = 0; k < 136; k++) {
        er += Math.abs(raw.landmarks[f.i * 136 + k] - f.hero[k]);
        es += Math.abs(smooth[f.i * 136 + k] - f.hero[k]);
      }
    }
    assert.ok(es <= er * 1.01, `smoothed error ${es.toFixed(0)} vs raw ${er.toFixed(0)}`);
  });

  test('writes the manifest, expressions (DESIGN contract), masks copy, thumbnail and preview clip', async () => {
    const expressions = JSON.parse(await fs.readFile(storage.expressionsFile('tale'), 'utf8'));
    assert.equal(expressions.story, 'tale');
    assert.equal(expressions.frameCount, truth.frameCount);
    const first = expressions.frames[0];
    for (const key of ['i', 'role', 'expression', 'scores', 'mouthOpen', 'eyesOpen', 'yaw']) assert.ok(key in first, key);
    assert.equal(Object.keys(first.scores).length, 7);
    assert.equal(expressions.frames.length, summary.faceFrames.hero);
    await fs.access(storage.masksFile('tale'));
    const thumb = await fs.readFile(storage.storyFile('tale', 'thumbnail.jpg'));
    assert.equal(thumb[0], 0xff);
    // The story card's clip: ≈4 s, silent, 480 p, named in the manifest.
    assert.equal(summary.manifest.preview, 'preview.mp4');
    const clip = await probeMedia(ffmpeg.ffprobe, storage.storyFile('tale', 'preview.mp4'));
    assert.equal(clip.video?.height, 480);
    assert.equal(clip.audio, null);
    assert.ok(Math.abs(clip.durationSeconds - 4) < 0.2, `preview clip ${clip.durationSeconds} s`);
    const left = (await fs.readdir(storage.root('precomputed'))).filter((n) => n.startsWith('.staging'));
    assert.deepEqual(left, [], 'no staging folder left');
  });

  test('bad input is rejected clearly and publishes nothing', async () => {
    const expectCode = async (code: string, req: Parameters<typeof precomputeStory>[0], pattern?: RegExp) => {
      await assert.rejects(
        precomputeStory(req, deps()),
        (err: unknown) => err instanceof PrecomputeError && err.code === code && (!pattern || pattern.test(err.message)),
      );
    };
    const text = path.join(dir.path, 'notes.mp4');
    await fs.writeFile(text, 'this is not a video');
    await expectCode('NOT_A_VIDEO', { storyId: 'bad-one', video: text, masks: fixture.masks });
    const audioOnly = path.join(dir.path, 'audio.m4a');
    await run(ffmpeg.ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'aac', audioOnly]);
    await expectCode('NO_VIDEO_STREAM', { storyId: 'bad-two', video: audioOnly, masks: fixture.masks });
    const badMasks = path.join(dir.path, 'masks.json');
    await fs.writeFile(badMasks, JSON.stringify({ version: 1, roles: { hero: { regions: [{ from: 0, to: 1, box: [0, 0, 2, 1] }] } } }));
    await expectCode('INVALID_MASKS', { storyId: 'bad-three', video: fixture.video, masks: badMasks }, /roles\.hero\.regions\[0\]\.box\[2\]/);
    await expectCode('INVALID_STORY_ID', { storyId: '../etc', video: fixture.video, masks: fixture.masks });
    for (const id of ['bad-one', 'bad-two', 'bad-three']) await assert.rejects(fs.access(storage.storyDir(id)), `${id} not published`);
  });

  test('a role that is never found is a warning; the story is still usable', async () => {
    const masks = path.join(dir.path, 'empty-role.json');
    const empty = truth.shots.find((s) => s.kind === 'empty')!;
    await fs.writeFile(
      masks,
      JSON.stringify({ version: 1, roles: { hero: { regions: [{ from: empty.startFrame / 30 + 0.1, to: empty.endFrame / 30 - 0.1, box: [0, 0, 1, 1] }] } } }),
    );
    const s = await precomputeStory({ storyId: 'nobody', video: fixture.video, masks }, deps());
    assert.equal(s.faceFrames.hero, 0);
    assert.match(s.warnings.join(' '), /never found/);
    assert.ok(s.manifest.segments.every((seg) => !seg.hasFace));
  });
});
