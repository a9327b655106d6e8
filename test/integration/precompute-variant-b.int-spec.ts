// Precompute on the generated story's variant b: a hero whose face is tilted in its own photo,
// rolled further by the animation (up to about 30°), and a different distractor. The landmark
// network follows the face frame to frame; on tilted faces an upright crop used to make the track
// shrink onto itself (errors climbing to 45–72% of the inter-ocular distance before the track was
// dropped). These checks hold the mean and every frame's error against the ground truth.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { loadConfig } from '@talecast/config';
import { interOcularDistance } from '@talecast/face';
import { GroundTruth } from '@talecast/fixtures';
import { FrameData, precomputeStory, PrecomputeSummary } from '@talecast/precompute';
import { StorageCore } from '@talecast/storage';
import { locateFfmpeg } from '@talecast/video';
import { sharedFixture, tempDir } from '@talecast/testing';

describe('precompute of a story with tilted faces (fixture variant b)', async () => {
  const dir = await tempDir();
  const storage = new StorageCore(loadConfig({ TALECAST_DATA_DIR: dir.path }).roots);
  const fixture = await sharedFixture(10, 'b');
  const truth: GroundTruth = JSON.parse(await fs.readFile(fixture.groundTruth, 'utf8'));
  let summary: PrecomputeSummary;
  let frames: FrameData;

  before(async () => {
    const ffmpeg = await locateFfmpeg();
    summary = await precomputeStory(
      { storyId: 'tale-b', video: fixture.video, masks: fixture.masks },
      { storage, ffmpeg, threads: 2, faceBackend: 'wasm', encoder: { preset: 'veryfast', crf: 20, threads: 0, maxGopFrames: 120 } },
    );
    frames = FrameData.fromBuffer(summary.manifest, await fs.readFile(storage.storyFile('tale-b', 'frames.bin')));
  });
  after(() => dir.cleanup());

  test('the hero is followed in its frames with landmarks close to the ground truth, and no frame drifts away', () => {
    const errors: { i: number; e: number }[] = [];
    for (const f of truth.frames) {
      if (!f.hero || !frames.present(0, f.i)) continue;
      const lm = frames.field(0, f.i, 'landmarks');
      let e = 0;
      for (let k = 0; k < 68; k++) e += Math.hypot(lm[2 * k] - f.hero[2 * k], lm[2 * k + 1] - f.hero[2 * k + 1]);
      errors.push({ i: f.i, e: e / 68 / interOcularDistance(f.hero) });
    }
    const heroFrames = truth.frames.filter((f) => f.hero).length;
    assert.ok(errors.length >= heroFrames * 0.97, `hero found in ${errors.length} of ${heroFrames} frames`);
    const mean = errors.reduce((s, x) => s + x.e, 0) / errors.length;
    // face-api's own SSD + landmark pipeline on the same frames: 6.0% (the ground truth is that
    // network's answer on the upright photo, so a tilted view cannot match it as closely as in variant a).
    assert.ok(mean < 0.09, `mean error ${(mean * 100).toFixed(2)}%`);
    const worst = errors.reduce((a, b) => (b.e > a.e ? b : a));
    assert.ok(worst.e < 0.15, `frame ${worst.i}: error ${(worst.e * 100).toFixed(1)}%`);
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
    assert.deepEqual(summary.manifest.cuts, truth.cuts);
  });
});
