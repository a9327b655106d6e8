// Developer tool for looking at the mouth on the generated photo stories (not part of `npm run eval`):
// precomputes story a or b once into --data (kept between runs), prints per hero frame the ground
// truth's inner-lip gap (the fixture's hero is a rigid patch: its mouth never moves), the precomputed
// one and, with --measure, the landmark net's reading on the story and on each child's composite (the
// eval's instrument: the net on the crop turned with the face); composites the frames of --strip
// in-process as a render segment does and writes strips of the mouth at full size, consecutive
// frames side by side (story row, then one row per child), plus the same strip enlarged 3x.
// Usage: node dist/eval/photo-look.js --variant b --faces sample1.jpg,sample6.jpg --strip 240-259 --measure --out /tmp/look
import { loadOrPrecompute } from './precomputed-story';
import 'reflect-metadata';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sharp } from '@talecast/face/sharp-image';
import { loadConfig } from '@talecast/config';
import { FaceDetector, interOcularDistance, LANDMARK_INPUT, loadFaceModels, turnedLandmarks } from '@talecast/face';
import { FixtureVariant, GroundTruth } from '@talecast/fixtures';
import { mouthOpenness, openMouthTo, signedLipGap } from '@talecast/geometry';
import { CompositeOptions, FrameCompositor, FrameTarget, prepareFace, PreparedFace } from '@talecast/compositor';
import { StorageCore } from '@talecast/storage';
import { sharedFixture } from '@talecast/testing';
import { locateFfmpeg } from '@talecast/video';
import { FrameReader } from './frame-reader';
import { prepareChildFace } from './insertion-eval';
import { RgbFrame, yuvToRgb, yuvView } from './insertion-metrics';
import { stillnessMeasure } from './follow-metrics';

const { values: opts } = parseArgs({
  options: {
    variant: { type: 'string', default: 'a' },
    seconds: { type: 'string', default: '10' },
    faces: { type: 'string', default: 'sample1.jpg,sample6.jpg' },
    /** Frames whose mouths go side by side: "from-to" (inclusive). */
    strip: { type: 'string', default: '' },
    /** The landmark net's mouth reading on the story and the outputs, every hero frame. */
    measure: { type: 'boolean', default: false },
    comp: { type: 'string', default: '{}' },
    /** Validation of the stillness measure: the output's lips opened to wobble × (1 − cos(2π i / 20)) / 2 (0 = as rendered). */
    wobble: { type: 'string', default: '0' },
    out: { type: 'string', default: '/tmp/photo-look' },
    data: { type: 'string', default: '/tmp/talecast-photo-look-data' },
  },
});

async function main(): Promise<void> {
  const variant = opts.variant as FixtureVariant;
  const seconds = Number(opts.seconds);
  const [from, to] = opts.strip ? opts.strip.split('-').map(Number) : [NaN, NaN];
  const inStrip = (i: number) => i >= from && i <= to;
  await fs.mkdir(opts.out!, { recursive: true });
  const ffmpeg = await locateFfmpeg();
  const models = await loadFaceModels('wasm');
  const detector = new FaceDetector(models);
  const config = loadConfig({ ...process.env, TALECAST_DATA_DIR: opts.data! });
  const storage = new StorageCore(config.roots);
  const fixture = await sharedFixture(seconds, variant);
  const truth: GroundTruth = JSON.parse(await fs.readFile(fixture.groundTruth, 'utf8'));
  const storyId = `photo-look-${variant}-${seconds}s`;
  const story = await loadOrPrecompute(storage, storyId, fixture, ffmpeg, config.encoder);
  const { manifest, frames } = story;
  const { width, height, matrix, range } = manifest.video;
  const role = frames.roleIndex('hero');
  const comp: CompositeOptions = JSON.parse(opts.comp!);
  const wobble = Number(opts.wobble);
  const children: { name: string; prepared: PreparedFace; strip: Buffer[]; gap: number[] }[] = [];
  const storyGap: number[] = [],
    shotOf: number[] = [];
  for (const f of opts.faces!.split(',').filter(Boolean)) {
    const c = await prepareChildFace(models, detector, f);
    const prepared = prepareFace({ rgba: c.render.rgba, size: c.render.size, landmarks: c.render.landmarks, matrix, range, style: manifest.story.style });
    console.log(`${c.name}: the photo's own inner-lip gap ${mouthOpenness(c.render.landmarks).toFixed(3)}`);
    children.push({ name: c.name, prepared, strip: [], gap: [] });
  }
  const storyStrip: Buffer[] = [];
  const reader = new FrameReader(
    ffmpeg.ffmpeg,
    manifest.segments.map((s) => path.join(storage.storyDir(storyId), s.file)),
    width,
    height,
  );
  const compositor = new FrameCompositor();
  let mouthBox: { w: number; h: number } | null = null;
  console.log('frame  truth  precomputed  iod' + (opts.measure ? `  net:story  ${children.map((c) => `net:${c.name}`).join('  ')}` : ''));
  for (let i = 0; i < manifest.video.frameCount; i++) {
    const buf = await reader.next();
    if (!buf) break;
    const gt = truth.frames[i].hero;
    if (!frames.present(role, i)) continue;
    if (!opts.measure && !inStrip(i)) continue;
    const lm = frames.field(role, i, 'landmarks');
    const c6 = frames.field(role, i, 'colourYuv');
    const target: FrameTarget = {
      landmarks: lm,
      colour: { mean: [c6[0], c6[1], c6[2]], std: [c6[3], c6[4], c6[5]], weight: 1 },
      yaw: frames.field(role, i, 'yaw')[0],
      mouthOpen: frames.field(role, i, 'mouthOpen')[0],
      occluders: [],
      eyes: frames.hasEyes(role, i) ? { open: frames.field(role, i, 'eyeOpen'), gaze: frames.field(role, i, 'gaze') } : null,
    };
    const storyRgb = yuvToRgb(yuvView(buf, width, height), matrix, range);
    const iod = interOcularDistance(lm);
    mouthBox ??= { w: Math.round(2.2 * iod) & ~1, h: Math.round(1.4 * iod) & ~1 };
    const cells = [`${i}`.padStart(5), (gt ? mouthOpenness(gt) : NaN).toFixed(3), target.mouthOpen.toFixed(3), iod.toFixed(1)];
    if (opts.measure) {
      const read = await turnedLandmarks(models, storyRgb, lm, turnedInput);
      cells.push(`${mouthOpenness(read).toFixed(3)} (${signedLipGap(read).toFixed(3)})`);
      storyGap[i] = signedLipGap(read);
      shotOf[i] = truth.shots.findIndex((s) => i >= s.startFrame && i < s.endFrame);
    }
    if (wobble > 0) target.landmarks = openMouthTo(Float32Array.from(lm), (wobble * (1 - Math.cos((2 * Math.PI * i) / 20))) / 2);
    if (inStrip(i)) storyStrip.push(await mouthCrop(storyRgb, lm, mouthBox));
    for (const ch of children) {
      const copy = Buffer.from(buf);
      compositor.composite(yuvView(copy, width, height), ch.prepared, target, comp);
      const rgb = yuvToRgb(yuvView(copy, width, height), matrix, range);
      if (opts.measure) {
        const read = await turnedLandmarks(models, rgb, lm, turnedInput);
        cells.push(`${mouthOpenness(read).toFixed(3)} (${signedLipGap(read).toFixed(3)})`);
        ch.gap[i] = signedLipGap(read);
      }
      if (inStrip(i)) ch.strip.push(await mouthCrop(rgb, lm, mouthBox));
    }
    console.log(cells.join('  '));
  }
  reader.close();
  for (const ch of children) {
    const fill = (v: number[]) => Float64Array.from({ length: manifest.video.frameCount }, (_, i) => v[i] ?? NaN);
    const s = stillnessMeasure(
      fill(storyGap),
      fill(ch.gap),
      Float64Array.from({ length: manifest.video.frameCount }, (_, i) => shotOf[i] ?? -1),
    );
    if (opts.measure)
      console.log(
        `${ch.name}: signed lip gap spread within shots: story ${s.storySpread.toFixed(4)}, output ${s.outputSpread.toFixed(4)}, ratio ${s.ratio.toFixed(2)} (${s.frames} frames)`,
      );
  }
  if (storyStrip.length && mouthBox) {
    const rows = [storyStrip, ...children.map((c) => c.strip)];
    const { w, h } = mouthBox;
    const gap = 2;
    const W = storyStrip.length * (w + gap),
      H = rows.length * (h + gap);
    const file = path.join(opts.out!, `mouth-${variant}-${from}-${to}.png`);
    await sharp({ create: { width: W, height: H, channels: 3, background: { r: 255, g: 255, b: 255 } } })
      .composite(
        rows.flatMap((row, r) =>
          row.map((b, k) => ({ input: b, raw: { width: w, height: h, channels: 3 as const }, left: k * (w + gap), top: r * (h + gap) })),
        ),
      )
      .png()
      .toFile(file);
    await sharp(file)
      .resize(W * 3, H * 3, { kernel: 'nearest' })
      .toFile(file.replace('.png', '-x3.png'));
    console.log(`strip: ${file} (rows: story, ${children.map((c) => c.name).join(', ')})`);
  }
}

const turnedInput = new Float32Array(LANDMARK_INPUT * LANDMARK_INPUT * 3);

/** A crop of `box` pixels centred on the mouth (landmarks 48–67), clipped to the frame (black outside). */
async function mouthCrop(rgb: RgbFrame, lm: ArrayLike<number>, box: { w: number; h: number }): Promise<Buffer> {
  let cx = 0,
    cy = 0;
  for (let k = 48; k < 68; k++) {
    cx += lm[2 * k] / 20;
    cy += lm[2 * k + 1] / 20;
  }
  const out = Buffer.alloc(box.w * box.h * 3);
  const left = Math.round(cx - box.w / 2),
    top = Math.round(cy - box.h / 2);
  for (let y = 0; y < box.h; y++)
    for (let x = 0; x < box.w; x++) {
      const sx = left + x,
        sy = top + y;
      if (sx < 0 || sy < 0 || sx >= rgb.width || sy >= rgb.height) continue;
      const s = 3 * (sy * rgb.width + sx),
        d = 3 * (y * box.w + x);
      out[d] = rgb.data[s];
      out[d + 1] = rgb.data[s + 1];
      out[d + 2] = rgb.data[s + 2];
    }
  return out;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
