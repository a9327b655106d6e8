// Developer tool for tuning the compositor (not part of `npm run eval`): composites the story's
// render-ready frames in-process (no encoder, so a little optimistic against the real eval), and
// per sampled hero frame measures the identity and placement the way the eval does; writes face
// crops (original | each child) as PNGs for looking at. The precomputed story is kept in
// --data between runs so only the first run pays for the precompute.
// Usage: node dist/eval/inspect.js --variant a --faces sample1.jpg,sample6.jpg --every 6 --png 33,219 --out /tmp/inspect
import { loadOrPrecompute, renderTarget } from './precomputed-story';
import 'reflect-metadata';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sharp } from '@talecast/face/sharp-image';
import { loadConfig } from '@talecast/config';
import { descriptorDistance, FaceDetector, interOcularDistance, loadFaceModels, uprightLandmarks } from '@talecast/face';
import { FixtureVariant, GroundTruth } from '@talecast/fixtures';
import { CompositeOptions, FrameCompositor, FrameTarget, prepareFace, PrepareFaceInput, PreparedFace } from '@talecast/compositor';
import { StorageCore } from '@talecast/storage';
import { sharedFixture } from '@talecast/testing';
import { locateFfmpeg } from '@talecast/video';
import { FrameReader } from './frame-reader';
import { identityDescriptor } from './identity-descriptor';
import { prepareChildFace, seam } from './insertion-eval';
import { landmarkCentre, landmarkError, landmarkGroupError, mean, RgbFrame, yuvToRgb, yuvView } from './insertion-metrics';

const { values: opts } = parseArgs({
  options: {
    variant: { type: 'string', default: 'a' },
    seconds: { type: 'string', default: '10' },
    faces: { type: 'string', default: 'sample1.jpg,sample6.jpg' },
    every: { type: 'string', default: '6' },
    png: { type: 'string', default: '' },
    /** JSON list of {name, prep?: PrepareFaceInput overrides, comp?: CompositeOptions} (default: one, the defaults). */
    configs: { type: 'string', default: '[{"name":"default"}]' },
    out: { type: 'string', default: '/tmp/inspect' },
    data: { type: 'string', default: '/tmp/talecast-inspect-data' },
  },
});

async function main(): Promise<void> {
  const variant = opts.variant as FixtureVariant;
  const seconds = Number(opts.seconds),
    every = Number(opts.every);
  const pngFrames = new Set(opts.png!.split(',').filter(Boolean).map(Number));
  await fs.mkdir(opts.out!, { recursive: true });
  const ffmpeg = await locateFfmpeg();
  const models = await loadFaceModels('wasm');
  const detector = new FaceDetector(models);
  const config = loadConfig({ ...process.env, TALECAST_DATA_DIR: opts.data! });
  const storage = new StorageCore(config.roots);
  const fixture = await sharedFixture(seconds, variant);
  const truth: GroundTruth = JSON.parse(await fs.readFile(fixture.groundTruth, 'utf8'));
  const storyId = `inspect-${variant}-${seconds}s`;
  const story = await loadOrPrecompute(storage, storyId, fixture, ffmpeg, config.encoder);
  const { manifest, frames } = story;
  const { width, height, matrix, range } = manifest.video;
  const role = frames.roleIndex('hero');
  const occluders = manifest.roles.find((x) => x.name === 'hero')?.occluders ?? [];
  const children = [];
  const configs: { name: string; prep?: Partial<PrepareFaceInput>; comp?: CompositeOptions }[] = JSON.parse(opts.configs!);
  for (const f of opts.faces!.split(',')) {
    const c = await prepareChildFace(models, detector, f);
    for (const cfg of configs) {
      const prepared: PreparedFace = prepareFace({
        rgba: c.render.rgba,
        size: c.render.size,
        landmarks: c.render.landmarks,
        matrix,
        range,
        style: manifest.story.style,
        ...cfg.prep,
      });
      children.push({
        c,
        cfg,
        label: `${c.name}/${cfg.name}`,
        prepared,
        toChild: [] as number[],
        ok: 0,
        n: 0,
        place: [] as number[],
        placeAligned: [] as number[],
        groups: new Float64Array(GROUPS.length),
        placeTruth: [] as number[],
        fails: [] as string[],
        seam: [] as number[],
        seamStory: [] as number[],
      });
    }
  }
  const heroFrames = truth.frames.filter((f) => f.hero).map((f) => f.i);
  const sampled = new Set(heroFrames.filter((_, k) => k % every === 0));
  const reader = new FrameReader(
    ffmpeg.ffmpeg,
    manifest.segments.map((s) => path.join(storage.storyDir(storyId), s.file)),
    width,
    height,
  );
  const compositor = new FrameCompositor();
  const storyPlace: number[] = [],
    storyAligned: number[] = [],
    prePlace: number[] = [];
  for (let i = 0; i < truth.frameCount; i++) {
    const buf = await reader.next();
    if (!buf) break;
    if (!sampled.has(i) && !pngFrames.has(i)) continue;
    if (!frames.present(role, i)) continue;
    const lm = frames.field(role, i, 'landmarks');
    // Without the eyes' animation, as this tool has always composited.
    const target: FrameTarget = { ...renderTarget(frames, role, i, manifest.video, occluders)!, eyes: undefined };
    const gt = truth.frames[i].hero;
    const storyRgb = yuvToRgb(yuvView(buf, width, height), matrix, range);
    const sd = pick(await detector.detectAll(storyRgb, { minConfidence: 0.3 }), lm);
    const storyDesc = sd ? await identityDescriptor(models, storyRgb, sd.landmarks) : null;
    if (sd) storyPlace.push(landmarkError(sd.landmarks, lm));
    if (sd) storyAligned.push(landmarkError(await uprightLandmarks(models, storyRgb, sd.landmarks), lm));
    if (gt) prePlace.push(landmarkError(lm, gt));
    const tiles: Buffer[] = [await tile(storyRgb, lm)];
    if (pngFrames.has(i)) tiles.push(await tile(dots(storyRgb, lm, gt), lm));
    const line: string[] = [
      `#${i} iod ${interOcularDistance(lm).toFixed(1)} pre-vs-truth ${gt ? (100 * landmarkError(lm, gt)).toFixed(1) : '-'}% story-det-vs-pre ${sd ? (100 * landmarkError(sd.landmarks, lm)).toFixed(1) : '-'}%`,
    ];
    for (const ch of children) {
      const copy = Buffer.from(buf);
      compositor.composite(yuvView(copy, width, height), ch.prepared, target, ch.cfg.comp);
      const rgb = yuvToRgb(yuvView(copy, width, height), matrix, range);
      if (pngFrames.has(i)) tiles.push(await tile(rgb, lm));
      if (!sampled.has(i)) continue;
      const sm = seam(rgb, storyRgb, lm);
      if (sm) {
        ch.seam.push(sm.output);
        ch.seamStory.push(sm.original);
      }
      const d = pick(await detector.detectAll(rgb, { minConfidence: 0.3 }), lm);
      ch.n++;
      if (!d) {
        ch.fails.push(`${i}:none`);
        line.push('none');
        continue;
      }
      const desc = await identityDescriptor(models, rgb, d.landmarks);
      const dc = descriptorDistance(desc, ch.c.descriptor),
        ds = storyDesc ? descriptorDistance(desc, storyDesc) : null;
      ch.toChild.push(dc);
      ch.place.push(landmarkError(d.landmarks, lm));
      const placed = await uprightLandmarks(models, rgb, d.landmarks);
      ch.placeAligned.push(landmarkError(placed, lm));
      GROUPS.forEach(([, from, to], g) => {
        ch.groups[g] += landmarkGroupError(placed, lm, from, to);
      });
      if (process.env.INSPECT_OFFSETS) {
        // Signed offsets along the face's axes (across, down), per jaw point, over the eye distance.
        const ang = Math.atan2(lm[2 * 45 + 1] - lm[2 * 36 + 1], lm[2 * 45] - lm[2 * 36]),
          iod = interOcularDistance(lm);
        const cos = Math.cos(ang),
          sin = Math.sin(ang);
        const offs: string[] = [];
        for (const k of [0, 4, 8, 12, 16, 19, 24, 30, 39, 42, 48, 54, 57]) {
          const dx = placed[2 * k] - lm[2 * k],
            dy = placed[2 * k + 1] - lm[2 * k + 1];
          offs.push(`${k}:${((100 * (dx * cos + dy * sin)) / iod).toFixed(0)},${((100 * (-dx * sin + dy * cos)) / iod).toFixed(0)}`);
        }
        console.log(`#${i} ${ch.label} ${offs.join(' ')}`);
      }
      if (gt) ch.placeTruth.push(landmarkError(d.landmarks, gt));
      if (dc < 0.5 && (ds === null || dc < ds)) ch.ok++;
      else ch.fails.push(`${i}:${dc.toFixed(3)}`);
      line.push(`${ch.label} ${dc.toFixed(3)} place ${(100 * landmarkError(d.landmarks, lm)).toFixed(1)}%`);
    }
    if (process.env.INSPECT_VERBOSE) console.log(line.join('  '));
    if (pngFrames.has(i)) {
      const T = 320;
      await sharp({ create: { width: T * tiles.length, height: T, channels: 3, background: { r: 0, g: 0, b: 0 } } })
        .composite(tiles.map((b, k) => ({ input: b, raw: { width: T, height: T, channels: 3 as const }, left: k * T, top: 0 })))
        .png()
        .toFile(path.join(opts.out!, `${variant}-${i}.png`));
    }
  }
  reader.close();
  console.log(
    `story ${variant}: detector on story vs precomputed ${(100 * mean(storyPlace)).toFixed(2)}% (aligned ${(100 * mean(storyAligned)).toFixed(2)}%), precomputed vs truth ${(100 * mean(prePlace)).toFixed(2)}%`,
  );
  for (const ch of children) {
    console.log(
      `${variant} × ${ch.label}: identity ${ch.ok}/${ch.n} (${((100 * ch.ok) / ch.n).toFixed(1)}%), mean to child ${mean(ch.toChild).toFixed(3)}, ` +
        `placement vs precomputed ${(100 * mean(ch.place)).toFixed(2)}% (aligned ${(100 * mean(ch.placeAligned)).toFixed(2)}%: ` +
        `${GROUPS.map(([name], g) => `${name} ${((100 * ch.groups[g]) / ch.placeAligned.length).toFixed(1)}%`).join(', ')}), vs truth ${(100 * mean(ch.placeTruth)).toFixed(2)}%; seam ${mean(ch.seam).toFixed(2)} (story ${mean(ch.seamStory).toFixed(2)}); fails ${ch.fails.join(' ')}`,
    );
  }
}

/** Landmark groups of the 68-point layout, for where a placement error comes from. */
const GROUPS: [string, number, number][] = [
  ['jaw', 0, 17],
  ['brows', 17, 27],
  ['nose', 27, 36],
  ['eyes', 36, 48],
  ['mouth', 48, 68],
];

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

/** A copy of the frame with the precomputed landmarks (red) and the ground truth (green). */
function dots(rgb: RgbFrame, lm: ArrayLike<number>, gt: ArrayLike<number> | null): RgbFrame {
  const data = Uint8Array.from(rgb.data);
  const put = (pts: ArrayLike<number>, colour: number[]) => {
    for (let k = 0; k < 68; k++) {
      for (let dy = -2; dy <= 2; dy++)
        for (let dx = -2; dx <= 2; dx++) {
          const x = Math.round(pts[2 * k]) + dx,
            y = Math.round(pts[2 * k + 1]) + dy;
          if (x < 0 || y < 0 || x >= rgb.width || y >= rgb.height) continue;
          data.set(colour, 3 * (y * rgb.width + x));
        }
    }
  };
  if (gt) put(gt, [0, 255, 0]);
  put(lm, [255, 0, 0]);
  return { data, width: rgb.width, height: rgb.height };
}

async function tile(rgb: RgbFrame, lm: ArrayLike<number>): Promise<Buffer> {
  const iod = interOcularDistance(lm);
  const [cx, cy] = landmarkCentre(lm);
  const side = Math.round(4.2 * iod);
  const left = Math.round(cx - side / 2),
    top = Math.round(cy - 0.3 * iod - side / 2);
  const x0 = Math.max(0, left),
    y0 = Math.max(0, top),
    x1 = Math.min(rgb.width, left + side),
    y1 = Math.min(rgb.height, top + side);
  return sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .extract({ left: x0, top: y0, width: x1 - x0, height: y1 - y0 })
    .extend({ left: x0 - left, top: y0 - top, right: left + side - x1, bottom: top + side - y1, background: { r: 0, g: 0, b: 0 } })
    .resize(320, 320)
    .raw()
    .toBuffer();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
