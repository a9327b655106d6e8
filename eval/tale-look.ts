// Developer tool for looking at the insertion on the animated tale (not part of `npm run eval`):
// precomputes the generated tale once into --data (kept between runs), composites the chosen
// frames in-process exactly as a render segment does (same target fields: landmarks, colour, yaw,
// mouth, occluders, eyes), and writes per frame one PNG: the original crop beside each config's
// crop at full size (no scaling), plus optionally the identity distance to the child per config.
// Usage: node dist/eval/tale-look.js --seconds 12 --size 1280x720 --frames 30,120,291 --faces sample1.jpg
//        --configs '[{"name":"default"},{"name":"x","comp":{"childShape":0.7}}]' --out /tmp/look [--identity]
//        [--features: the tale eval's drawn-features check on this data first]
import { loadOrPrecompute, renderTarget } from './precomputed-story';
import 'reflect-metadata';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sharp } from '@talecast/face/sharp-image';
import { loadConfig } from '@talecast/config';
import {
  descriptorDistance,
  FaceDetector,
  interOcularDistance,
  LANDMARK_INPUT,
  lidOpennessByIrisModel,
  loadFaceModels,
  loadIrisModel,
  turnedLandmarks,
} from '@talecast/face';
import { eyeOpening, Rect } from '@talecast/geometry';
import { CompositeOptions, FrameCompositor, prepareFace, PrepareFaceInput, PreparedFace } from '@talecast/compositor';
import { StorageCore } from '@talecast/storage';
import { sharedTale } from '@talecast/testing';
import { locateFfmpeg } from '@talecast/video';
import { TaleTruth } from '@talecast/fixtures';
import { FrameReader } from './frame-reader';
import { FEATURE_COVER, formatFeatureCover, taleFeatureCover } from './tale-eval';
import { identityDescriptor } from './identity-descriptor';
import { prepareChildFace } from './insertion-eval';
import { FEATURE_POINTS, landmarkCentre, mean, RgbFrame, yuvToRgb, yuvView } from './insertion-metrics';

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '12' },
    size: { type: 'string', default: '1280x720' },
    faces: { type: 'string', default: 'sample1.jpg' },
    frames: { type: 'string', default: '' },
    /** Every n-th hero frame for the identity figures (0: only --frames). */
    every: { type: 'string', default: '0' },
    identity: { type: 'boolean', default: false },
    /** JSON list of {name, prep?: PrepareFaceInput overrides, comp?: CompositeOptions}. */
    configs: { type: 'string', default: '[{"name":"default"}]' },
    /** Crop side over the inter-ocular distance. */
    crop: { type: 'string', default: '3.6' },
    out: { type: 'string', default: '/tmp/look' },
    data: { type: 'string', default: '/tmp/talecast-look-data' },
    /** Also print the tale eval's drawn-features check (eval/tale-eval.ts FEATURE_COVER) on this data, default options. */
    features: { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  const seconds = Number(opts.seconds);
  const [width0, height0] = opts.size!.split('x').map(Number);
  const pngFrames = new Set(opts.frames!.split(',').filter(Boolean).map(Number));
  await fs.mkdir(opts.out!, { recursive: true });
  const ffmpeg = await locateFfmpeg();
  const models = await loadFaceModels('wasm');
  const detector = new FaceDetector(models);
  const eyeModel = process.env.LOOK_EYES ? await loadIrisModel(models) : null;
  const config = loadConfig({ ...process.env, TALECAST_DATA_DIR: opts.data! });
  const storage = new StorageCore(config.roots);
  const tale = await sharedTale(seconds, { width: width0, height: height0 });
  const storyId = `look-tale-${width0}x${height0}-${seconds}s`;
  const story = await loadOrPrecompute(storage, storyId, tale, ffmpeg, config.encoder);
  const { manifest, frames } = story;
  const configs: { name: string; prep?: Partial<PrepareFaceInput>; comp?: CompositeOptions; eyes?: boolean }[] = JSON.parse(opts.configs!);
  const truth: TaleTruth = JSON.parse(await fs.readFile(tale.groundTruth, 'utf8'));
  if (opts.features) {
    for (const cfg of configs)
      for (const f of await taleFeatureCover(storage, storyId, manifest, frames, truth, ffmpeg, opts.faces!.split(','), cfg.comp)) {
        console.log(`${cfg.name}: ${formatFeatureCover(f)}`);
        for (const m of f.missedDetail) console.log(`  #${m.frame} yaw ${m.yaw}°: alpha ${m.minAlpha} at ${m.point}`);
      }
  }
  const { width, height, matrix, range } = manifest.video;
  const role = frames.roleIndex('hero');
  const occluders = manifest.roles.find((x) => x.name === 'hero')?.occluders ?? [];
  const children = [];
  for (const f of opts.faces!.split(',')) {
    const c = await prepareChildFace(models, detector, f);
    for (const cfg of configs) {
      const t0 = performance.now();
      const prepared: PreparedFace = prepareFace({
        rgba: c.render.rgba,
        size: c.render.size,
        landmarks: c.render.landmarks,
        matrix,
        range,
        style: manifest.story.style,
        ...cfg.prep,
      });
      console.log(`${c.name}/${cfg.name}: prepared in ${(performance.now() - t0).toFixed(0)} ms (style ${manifest.story.style})`);
      children.push({
        c,
        cfg,
        prepared,
        dist: [] as number[],
        ok: 0,
        n: 0,
        ms: [] as number[],
        onTarget: [] as number[],
        alone: [] as number[],
        story: [] as number[],
      });
    }
  }
  const every = Number(opts.every);
  const present = Array.from({ length: manifest.video.frameCount }, (_, i) => frames.present(role, i));
  const sampled = new Set(every > 0 ? present.flatMap((p, i) => (p ? [i] : [])).filter((_, k) => k % every === 0) : []);
  const reader = new FrameReader(
    ffmpeg.ffmpeg,
    manifest.segments.map((s) => path.join(storage.storyDir(storyId), s.file)),
    width,
    height,
  );
  const compositor = new FrameCompositor();
  const crop = Number(opts.crop);
  for (let i = 0; i < manifest.video.frameCount; i++) {
    const buf = await reader.next();
    if (!buf) break;
    if (!sampled.has(i) && !pngFrames.has(i)) continue;
    if (!present[i]) {
      if (pngFrames.has(i)) console.log(`#${i}: no hero in the precomputed data`);
      continue;
    }
    const lm = frames.field(role, i, 'landmarks');
    const target = renderTarget(frames, role, i, manifest.video, occluders)!;
    const storyRgb = yuvToRgb(yuvView(buf, width, height), matrix, range);
    const tiles: { buf: Buffer; w: number; h: number }[] = [await tile(storyRgb, lm, crop)];
    // Developer aid: LOOK_EYES=1 prints the eval's eye instrument (the iris model, lid gap / eye width per eye, at the
    // precomputed points) and the landmark net's (lid gap / nose) on the story and each output.
    const eyeReading = async (rgb: RgbFrame) => {
      const t = await turnedLandmarks(models, rgb, lm, turnedInput);
      const m = await lidOpennessByIrisModel(eyeModel!, rgb, lm);
      return `model ${m[0].toFixed(3)}/${m[1].toFixed(3)} net ${eyeOpening(t, 0).toFixed(3)}/${eyeOpening(t, 1).toFixed(3)}`;
    };
    const eyes = target.eyes
      ? ` eyes open ${Array.from(target.eyes.open, (v) => v.toFixed(2)).join('/')} gaze ${Array.from(target.eyes.gaze, (v) => v.toFixed(2)).join('/')}`
      : '';
    const line = [
      `#${i} iod ${interOcularDistance(lm).toFixed(0)} yaw ${target.yaw.toFixed(0)}${eyes}${process.env.LOOK_EYES ? ` story ${await eyeReading(storyRgb)}` : ''}`,
    ];
    const storyDesc = opts.identity && sampled.has(i) ? await identityDescriptor(models, storyRgb, lm) : null;
    for (const ch of children) {
      const copy = Buffer.from(buf);
      // Developer aid: LOOK_GREY=1 composites onto a grey frame (the child's warped texture alone).
      if (process.env.LOOK_GREY) copy.fill(128);
      const t0 = performance.now();
      const chTarget = ch.cfg.eyes === false ? { ...target, eyes: null } : target;
      const report = compositor.composite(yuvView(copy, width, height), ch.prepared, chTarget, ch.cfg.comp);
      ch.ms.push(performance.now() - t0);
      if (process.env.LOOK_ALPHA && pngFrames.has(i)) {
        // Developer aid: the last composite's alpha as a grey PNG over its bbox.
        const a = compositor.lastAlpha;
        const grey = Buffer.alloc(a.width * a.height);
        for (let k = 0; k < grey.length; k++) grey[k] = Math.round(255 * a.data[k]);
        await sharp(grey, { raw: { width: a.width, height: a.height, channels: 1 } })
          .png()
          .toFile(path.join(opts.out!, `alpha-${i}-${ch.cfg.name}.png`));
      }
      const rgb = yuvToRgb(yuvView(copy, width, height), matrix, range);
      // Developer aid: LOOK_POINTS=1 marks the truth's drawn feature points (eval/tale-eval.ts FEATURE_COVER) on the
      // output tile: green where the insertion's alpha there is at least FEATURE_COVER.alpha, red where not.
      const drawnPoints = truth.frames[i]?.roles.hero?.landmarks;
      if (process.env.LOOK_POINTS && pngFrames.has(i) && drawnPoints) markFeatures(rgb, drawnPoints, compositor.lastAlpha, report.bbox);
      if (pngFrames.has(i)) tiles.push(await tile(rgb, lm, crop));
      if (process.env.LOOK_EYES) line.push(`${ch.c.name} ${await eyeReading(rgb)}`);
      if (!opts.identity || !sampled.has(i)) continue;
      const d = pick(await detector.detectAll(rgb, { minConfidence: 0.3 }), lm);
      ch.n++;
      if (!d) {
        line.push(`${ch.cfg.name} none`);
        continue;
      }
      const dist = descriptorDistance(await identityDescriptor(models, rgb, d.landmarks), ch.c.descriptor);
      ch.dist.push(dist);
      if (dist < 0.5) ch.ok++;
      // Where identity is lost: the same output's chip aligned on the precomputed landmarks (not the
      // detector's), and the child's warped face alone on grey (none of the drawn head around it).
      const onTarget = descriptorDistance(await identityDescriptor(models, rgb, lm), ch.c.descriptor);
      const grey = Buffer.alloc(buf.length, 128);
      compositor.composite(yuvView(grey, width, height), ch.prepared, chTarget, ch.cfg.comp);
      const alone = descriptorDistance(await identityDescriptor(models, yuvToRgb(yuvView(grey, width, height), matrix, range), lm), ch.c.descriptor);
      ch.onTarget.push(onTarget);
      if (storyDesc) ch.story.push(descriptorDistance(storyDesc, ch.c.descriptor));
      ch.alone.push(alone);
      line.push(`${ch.cfg.name} ${dist.toFixed(3)} (target ${onTarget.toFixed(3)}, alone ${alone.toFixed(3)})`);
    }
    console.log(line.join('  '));
    if (pngFrames.has(i)) {
      const w = tiles[0].w,
        h = tiles[0].h;
      await sharp({ create: { width: w * tiles.length + 4 * (tiles.length - 1), height: h, channels: 3, background: { r: 255, g: 255, b: 255 } } })
        .composite(tiles.map((b, k) => ({ input: b.buf, raw: { width: b.w, height: b.h, channels: 3 as const }, left: k * (w + 4), top: 0 })))
        .png()
        .toFile(path.join(opts.out!, `f${String(i).padStart(4, '0')}.png`));
    }
  }
  reader.close();
  for (const ch of children) {
    const id = ch.n
      ? `identity ${ch.ok}/${ch.n} (${((100 * ch.ok) / ch.n).toFixed(0)}%), mean distance ${mean(ch.dist).toFixed(3)} ` +
        `(chip on the target landmarks ${mean(ch.onTarget).toFixed(3)}, ${ch.onTarget.filter((d) => d < 0.5).length} < 0.5; ` +
        `the face alone on grey ${mean(ch.alone).toFixed(3)}, ${ch.alone.filter((d) => d < 0.5).length} < 0.5; ` +
        `the story's own face ${mean(ch.story).toFixed(3)}); `
      : '';
    console.log(`${ch.c.name}/${ch.cfg.name}: ${id}composite ${mean(ch.ms).toFixed(2)} ms/frame`);
  }
}

/** One pixel per drawn feature point: green where the last composite's alpha reaches FEATURE_COVER.alpha, red where not. */
function markFeatures(rgb: RgbFrame, points: ArrayLike<number>, a: { data: Float32Array; width: number }, box: Rect | null): void {
  for (const i of FEATURE_POINTS) {
    const x = Math.floor(points[2 * i]),
      y = Math.floor(points[2 * i + 1]);
    if (x < 0 || y < 0 || x >= rgb.width || y >= rgb.height) continue;
    const inBox = box && x >= box.x && y >= box.y && x < box.x + box.width && y < box.y + box.height;
    const alpha = inBox ? a.data[(y - box.y) * a.width + (x - box.x)] : 0;
    rgb.data.set(alpha >= FEATURE_COVER.alpha ? [0, 255, 0] : [255, 0, 0], 3 * (y * rgb.width + x));
  }
}

const turnedInput = new Float32Array(LANDMARK_INPUT * LANDMARK_INPUT * 3);

function pick<T extends { landmarks: Float32Array }>(faces: T[], reference: ArrayLike<number>): T | null {
  const [cx, cy] = landmarkCentre(reference);
  let best: T | null = null,
    bestD = Infinity;
  for (const f of faces) {
    const [x, y] = landmarkCentre(f.landmarks);
    const d = Math.hypot(x - cx, y - cy);
    if (d < bestD) {
      best = f;
      bestD = d;
    }
  }
  return bestD <= 0.5 * interOcularDistance(reference) ? best : null;
}

/** The face's square crop (side `crop` × the eye distance) at full size, clipped to the frame. */
async function tile(rgb: RgbFrame, lm: ArrayLike<number>, crop: number): Promise<{ buf: Buffer; w: number; h: number }> {
  const iod = interOcularDistance(lm);
  const [cx, cy] = landmarkCentre(lm);
  const side = Math.round(crop * iod);
  const x0 = Math.max(0, Math.round(cx - side / 2)),
    y0 = Math.max(0, Math.round(cy - 0.35 * iod - side / 2));
  const x1 = Math.min(rgb.width, x0 + side),
    y1 = Math.min(rgb.height, y0 + side);
  const buf = await sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .extract({ left: x0, top: y0, width: x1 - x0, height: y1 - y0 })
    .raw()
    .toBuffer();
  return { buf, w: x1 - x0, h: y1 - y0 };
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
