// The animated tale with real ffmpeg, real espeak-ng and the real face model: the video is what
// it claims, the masks/lines files pass the engine's own validators, the stems are 48 kHz mono,
// and the engine's detector finds the drawn hero where the truth says it is visible.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { FaceDetector, loadFaceModels, RgbImage } from '@talecast/face';
import { TaleTruth, TaleLinesFile } from '@talecast/fixtures';
import { parseMasksFile } from '@talecast/precompute';
import { decodeRangeArgs, locateFfmpeg, probeMedia, startFfmpeg } from '@talecast/video';
import { sharedTale } from '@talecast/testing';
import { parseLinesFile } from '@talecast/voice';

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

describe('the animated tale (12 s, 640x360)', async () => {
  const tale = await sharedTale(12);
  const truth: TaleTruth = JSON.parse(await fs.readFile(tale.groundTruth, 'utf8'));

  test('is a 640x360 30 fps H.264 + AAC video with one truth frame per video frame', async () => {
    const { ffprobe } = await locateFfmpeg();
    const info = await probeMedia(ffprobe, tale.video);
    assert.equal(info.video?.codec, 'h264');
    assert.equal(info.video?.width, 640);
    assert.equal(info.video?.height, 360);
    assert.equal(info.video?.frameCount, 360);
    assert.equal(info.audio?.codec, 'aac');
    assert.equal(truth.frames.length, 360);
    assert.ok(truth.cuts.length >= 6);
    assert.ok(
      truth.shots.some((s) => s.endFrame - s.startFrame < 30),
      'one shot under a second',
    );
  });

  test('the masks file passes the engine validator, with both roles, the branch as an occluder and the meta', async () => {
    const text = await fs.readFile(tale.masks, 'utf8');
    const masks = parseMasksFile(text);
    assert.deepEqual(Object.keys(masks.roles).sort(), ['friend', 'hero']);
    assert.ok(masks.roles.hero.occluders.length > 0);
    for (const o of masks.roles.hero.occluders) {
      const f = truth.frames[Math.round(o.from * 30)];
      assert.ok(f.occluder && f.roles.hero!.occluded > 0, 'an occluder only where the branch covers the hero');
    }
    const raw = JSON.parse(text);
    assert.equal(raw.meta.title.ko, '황금 열쇠');
    assert.ok(raw.roles.hero.keyframes.length > 10);
    // Every frame where the truth shows a face lies inside a region of that role.
    for (const role of ['hero', 'friend'] as const) {
      for (const f of truth.frames) {
        const r = f.roles[role];
        if (!r?.visible) continue;
        const t = (f.i + 0.5) / 30;
        const region = masks.roles[role].regions.find((g) => t >= g.from && t < g.to);
        assert.ok(region, `${role} frame ${f.i} inside a region`);
        const [x, y] = [r.landmarks[60] / 640, r.landmarks[61] / 360];
        assert.ok(x >= region!.box[0] && x <= region!.box[2] && y >= region!.box[1] && y <= region!.box[3]);
      }
    }
  });

  test('lines and stems: 48 kHz mono stems per role, lines inside the story and spoken where the stem is loud', async () => {
    const text = await fs.readFile(tale.lines!, 'utf8');
    const lines: TaleLinesFile = JSON.parse(text);
    assert.ok(lines.lines.length >= 2);
    // The voice library's own validator accepts it against the masks' roles and the story length.
    const parsed = parseLinesFile(text, ['hero', 'friend'], 12);
    assert.equal(parsed.lines.length, lines.lines.length);
    const { ffprobe } = await locateFfmpeg();
    assert.deepEqual(Object.keys(lines.stems).sort(), ['friend', 'hero']);
    for (const [role, rel] of Object.entries(lines.stems)) {
      const info = await probeMedia(ffprobe, path.join(tale.dir, rel));
      assert.equal(info.audio?.sampleRate, 48000, role);
      assert.equal(info.audio?.channels, 1, role);
    }
    for (const l of lines.lines) {
      assert.ok(l.from < l.to && l.to <= 12, l.id);
      assert.ok(l.text.en && l.text.ko, l.id);
      // The narrator's stem is written beside the others but not listed (not a face role).
      const pcm = await fs.readFile(path.join(tale.dir, lines.stems[l.role] ?? `stems/${l.role}.wav`));
      const at = (t: number) => Math.abs(pcm.readInt16LE(44 + 2 * Math.floor(t * 48000)));
      let loud = 0;
      for (let t = l.from; t < l.to; t += 0.01) loud = Math.max(loud, at(t));
      assert.ok(loud > 3000, `${l.id} is audible in the ${l.role} stem`);
    }
  });

  test("the engine's detector finds the drawn hero where the truth says it is visible, near the truth landmarks", async () => {
    const detector = new FaceDetector(await loadFaceModels('wasm'));
    let sampled = 0,
      found = 0,
      err = 0;
    for (const shot of truth.shots) {
      const frames = [shot.startFrame, Math.floor((shot.startFrame + shot.endFrame) / 2)];
      for (const i of frames) {
        const h = truth.frames[i].roles.hero;
        if (!h?.visible || h.occluded > 0) continue;
        sampled++;
        const faces = await detector.detectAll(await decodeFrame(tale.video, i, 640, 360), { minConfidence: 0.3 });
        const near = faces.find((f) => Math.hypot(f.landmarks[60] - h.landmarks[60], f.landmarks[61] - h.landmarks[61]) < h.interOcular);
        if (!near) continue;
        found++;
        let e = 0;
        for (let k = 0; k < 68; k++) e += Math.hypot(near.landmarks[2 * k] - h.landmarks[2 * k], near.landmarks[2 * k + 1] - h.landmarks[2 * k + 1]);
        err += e / 68 / h.interOcular;
      }
    }
    assert.ok(sampled >= 8);
    assert.ok(found / sampled >= 0.85, `found ${found}/${sampled}`);
    assert.ok(err / found < 0.2, `mean landmark error ${((100 * err) / found).toFixed(1)}% of the inter-ocular distance`);
  });
});
