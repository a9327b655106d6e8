// The fixture generator with real ffmpeg and the real face model: the video is what it claims
// and its ground truth matches what the model finds in the frames.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { FaceDetector, interOcularDistance, loadFaceModels, RgbImage } from '@talecast/face';
import { GroundTruth } from '@talecast/fixtures';
import { decodeRangeArgs, locateFfmpeg, probeMedia, startFfmpeg } from '@talecast/video';
import { sharedFixture } from '@talecast/testing';

async function decodeFrame(video: string, frame: number, width: number, height: number): Promise<RgbImage> {
  const { ffmpeg } = await locateFfmpeg();
  const run = startFfmpeg(ffmpeg, decodeRangeArgs(video, { startFrame: frame, frameCount: 1, fps: 30, pixelFormat: 'rgb24' }), { stdout: true });
  const chunks: Buffer[] = [];
  run.child.stdout!.on('data', (c: Buffer) => chunks.push(c));
  await run.done;
  const data = Buffer.concat(chunks);
  assert.equal(data.length, width * height * 3);
  return { data: new Uint8Array(data), width, height };
}

describe('story fixture (5 s)', async () => {
  const fixture = await sharedFixture(5, 'a');
  const truth: GroundTruth = JSON.parse(await fs.readFile(fixture.groundTruth, 'utf8'));

  test('is a 1280x720 30 fps H.264 + AAC video with the right length', async () => {
    const { ffprobe } = await locateFfmpeg();
    const info = await probeMedia(ffprobe, fixture.video);
    assert.equal(info.video?.codec, 'h264');
    assert.equal(info.video?.width, 1280);
    assert.equal(info.video?.height, 720);
    assert.equal(info.video?.fps, 30);
    assert.equal(info.video?.frameCount, 150);
    assert.equal(info.audio?.codec, 'aac');
    assert.ok(Math.abs(info.durationSeconds - 5) < 0.1);
  });

  test('has at least four shots: one without a face and one with a distractor', async () => {
    assert.ok(truth.shots.length >= 4);
    assert.ok(truth.shots.some((s) => s.kind === 'empty'));
    assert.ok(truth.shots.some((s) => s.kind === 'hero+distractor'));
    const empty = truth.shots.find((s) => s.kind === 'empty')!;
    for (let i = empty.startFrame; i < empty.endFrame; i++) assert.equal(truth.frames[i].hero, null);
    const masks = JSON.parse(await fs.readFile(fixture.masks, 'utf8'));
    assert.equal(masks.version, 1);
    assert.ok(masks.roles.hero.regions.length >= 3);
  });

  test('ground truth matches the face model within 5% of the inter-ocular distance', async () => {
    const detector = new FaceDetector(await loadFaceModels('wasm'));
    const sampled = truth.frames.filter((f) => f.hero !== null).filter((_, k) => k % 12 === 0);
    assert.ok(sampled.length >= 6);
    const errors: number[] = [];
    for (const f of sampled) {
      const image = await decodeFrame(fixture.video, f.i, truth.width, truth.height);
      const faces = await detector.detectAll(image, { minConfidence: 0.3 });
      const hero = f.hero!;
      // The detected face nearest to the true landmarks' centre.
      const centre = [0, 1].map((k) => hero.filter((_, j) => j % 2 === k).reduce((a, b) => a + b, 0) / 68);
      const match = faces.sort((a, b) => dist(a, centre) - dist(b, centre))[0];
      assert.ok(match, `no face found in frame ${f.i}`);
      let sum = 0;
      for (let i = 0; i < 68; i++) sum += Math.hypot(match.landmarks[2 * i] - hero[2 * i], match.landmarks[2 * i + 1] - hero[2 * i + 1]);
      errors.push(sum / 68 / interOcularDistance(hero));
    }
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    assert.ok(mean < 0.05, `mean landmark error ${(mean * 100).toFixed(2)}% of inter-ocular distance`);
  });
});

function dist(face: { box: { x: number; y: number; width: number; height: number } }, c: number[]): number {
  return Math.hypot(face.box.x + face.box.width / 2 - c[0], face.box.y + face.box.height / 2 - c[1]);
}
