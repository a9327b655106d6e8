// Developer tool (not part of `npm run eval`): the eval's identity figure on the animated tale alone, per
// frame, in about a minute per face. The tale is precomputed once into --data (kept between runs), each
// face is rendered by the real render pool and encoder, and the frames the eval samples (every 3rd hero
// frame of the truth plus its contact-sheet frames) are judged exactly as insertion-eval judges them:
// the detector's face on the output, its descriptor under TARGETS.identityDistance from the child's
// photo and closer than the story's own face. The story faces' descriptors are cached in --data. Same
// pixels in, same figures out: two builds (or two data dirs) compare frame by frame, without the eval's
// other measures and without its fresh precompute per run. Writes the per-frame distances to --out.
// Usage: node dist/eval/identity-run.js --size 640x360 --seconds 12 --faces sample1.jpg,sample6.jpg
//        --data /work/benchdata/<name> --out /tmp/identity.json
import 'reflect-metadata';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@talecast/config';
import { descriptorDistance, FaceDetector, interOcularDistance, loadFaceModels } from '@talecast/face';
import { GroundTruth } from '@talecast/fixtures';
import { precomputeStory } from '@talecast/precompute';
import { closeRenderPool, loadStory, renderPool, renderVideo } from '@talecast/render';
import { newId, StorageCore } from '@talecast/storage';
import { sharedTale } from '@talecast/testing';
import { locateFfmpeg } from '@talecast/video';
import { FrameReader } from './frame-reader';
import { identityDescriptor } from './identity-descriptor';
import { DETECT, framePlan, pick, prepareChildFace, TARGETS } from './insertion-eval';
import { yuvToRgb, yuvView } from './insertion-metrics';

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '12' },
    size: { type: 'string', default: '640x360' },
    faces: { type: 'string', default: 'sample1.jpg,sample6.jpg' },
    every: { type: 'string', default: '3' },
    data: { type: 'string', default: '/tmp/talecast-identity-data' },
    out: { type: 'string', default: '/tmp/identity.json' },
  },
});

interface FrameIdentity {
  toChild: number | null;
  toStoryFace: number | null;
  /** The precomputed target's eye distance (px), null where the precompute has no hero. */
  eyeDistance: number | null;
  ok: boolean;
}

async function main(): Promise<void> {
  const [width, height] = opts.size!.split('x').map(Number);
  const seconds = Number(opts.seconds);
  const ffmpeg = await locateFfmpeg();
  const models = await loadFaceModels('wasm');
  const detector = new FaceDetector(models);
  const config = loadConfig({ ...process.env, TALECAST_DATA_DIR: opts.data! });
  const storage = new StorageCore(config.roots);
  const encoder = { ...config.encoder, threads: 0 };
  const tale = await sharedTale(seconds, { width, height });
  const storyId = `identity-tale-${width}x${height}-${seconds}s`;
  await loadStory(storage, storyId).catch(() =>
    precomputeStory({ storyId, video: tale.video, masks: tale.masks, title: storyId }, { storage, ffmpeg, threads: 2, faceBackend: 'wasm', encoder }),
  );
  const { manifest, frames } = await loadStory(storage, storyId);
  const role = frames.roleIndex('hero');
  const { matrix, range } = manifest.video;
  const truth: GroundTruth = JSON.parse(await fs.readFile(tale.groundTruth, 'utf8'));
  const present = (i: number) => frames.present(role, i);
  const { sampled } = framePlan(truth, Number(opts.every), 0, 8, present);
  const cacheFile = path.join(opts.data!, `${storyId}-story-faces.json`);
  const storyFaces: Record<number, number[] | null> = JSON.parse(await fs.readFile(cacheFile, 'utf8').catch(() => '{}'));
  const pool = renderPool(2);
  const results: Record<string, { passed: number; frames: number; meanToChild: number; perFrame: Record<number, FrameIdentity> }> = {};
  try {
    for (const file of opts.faces!.split(',').filter(Boolean)) {
      const face = await prepareChildFace(models, detector, file);
      const renderId = newId();
      await renderVideo({ renderId, storyId, faces: { hero: [face.render] } }, { storage, ffmpeg, pool, encoder });
      const out = new FrameReader(ffmpeg.ffmpeg, storage.renderFile(renderId, 'video.mp4'), width, height);
      const story = new FrameReader(ffmpeg.ffmpeg, tale.video, width, height);
      const perFrame: Record<number, FrameIdentity> = {};
      try {
        for (let i = 0; i < truth.frameCount; i++) {
          const [o, s] = await Promise.all([out.next(), story.next()]);
          if (!o || !s) throw new Error(`frame ${i}: a video ended early`);
          if (!sampled.has(i)) continue;
          const target = present(i) ? frames.field(role, i, 'landmarks') : null;
          const reference = target ?? truth.frames[i].hero;
          if (!(i in storyFaces)) {
            const storyRgb = yuvToRgb(yuvView(s, width, height), matrix, range);
            const sf = pick(await detector.detectAll(storyRgb, DETECT), reference);
            storyFaces[i] = sf ? Array.from(await identityDescriptor(models, storyRgb, sf.landmarks)) : null;
          }
          const outRgb = yuvToRgb(yuvView(o, width, height), matrix, range);
          const m = pick(await detector.detectAll(outRgb, DETECT), reference);
          const descriptor = m ? await identityDescriptor(models, outRgb, m.landmarks) : null;
          const toChild = descriptor ? descriptorDistance(descriptor, face.descriptor) : null;
          const storyFace = storyFaces[i];
          const toStoryFace = descriptor && storyFace ? descriptorDistance(descriptor, storyFace) : null;
          const ok = toChild !== null && toChild < TARGETS.identityDistance && (toStoryFace === null || toChild < toStoryFace);
          perFrame[i] = { toChild, toStoryFace, eyeDistance: target ? interOcularDistance(target) : null, ok };
        }
      } finally {
        out.close();
        story.close();
        await fs.rm(storage.renderDir(renderId), { recursive: true, force: true });
      }
      const values = Object.values(perFrame);
      const distances = values.flatMap((v) => (v.toChild === null ? [] : [v.toChild]));
      const passed = values.filter((v) => v.ok).length;
      const meanToChild = distances.reduce((a, b) => a + b, 0) / Math.max(1, distances.length);
      results[face.name] = { passed, frames: values.length, meanToChild, perFrame };
      const misses = Object.entries(perFrame)
        .filter(([, v]) => !v.ok)
        .map(([i, v]) => `${i}:${v.toChild === null ? 'none' : v.toChild.toFixed(3)}`);
      console.log(
        `${storyId} × ${face.name}: ${((100 * passed) / values.length).toFixed(1)}% (${passed}/${values.length}), mean ${meanToChild.toFixed(3)}; misses ${misses.join(' ')}`,
      );
    }
  } finally {
    await closeRenderPool();
    await fs.writeFile(cacheFile, JSON.stringify(storyFaces));
  }
  await fs.writeFile(opts.out!, JSON.stringify(results, null, 1));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
