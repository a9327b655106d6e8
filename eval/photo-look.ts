// Developer tool for looking at the mouth on the generated photo stories (not part of `npm run eval`):
// precomputes story a or b once into --data (kept between runs), prints per hero frame the ground
// truth's inner-lip gap (the fixture's hero is a rigid patch: its mouth never moves), the precomputed
// one and, with --measure, the landmark net's reading on the story and on each child's composite (the
// net on the crop turned with the face: the still-mouth instrument of sessions 11–12); composites the frames of --strip
// in-process as a render segment does and writes strips of the mouth at full size, consecutive
// frames side by side (story row, then one row per child), plus the same strip enlarged 3x. --pixels
// reads the eval's still-mouth instrument (eval/lip-line.ts) on the story and each child; --renders
// takes a child's frames from a real render (evaluate.js --keep-renders) instead of compositing them.
// Usage: node dist/eval/photo-look.js --variant b --faces sample1.jpg,sample6.jpg --strip 240-259 --measure --out /tmp/look
//        node dist/eval/photo-look.js --variant a --pixels --wobble 0.02
//        node dist/eval/photo-look.js --variant a --pixels --strip 240-251 --renders "sample1.jpg=/tmp/r/eval-a-10s × sample1.mp4"
import { loadOrPrecompute, renderTarget } from './precomputed-story';
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
import { deltaE, faceOutline, landmarkCentre, RgbFrame, SeamProbe, seamColours, seamProbes, yuvToRgb, yuvView } from './insertion-metrics';
import { profileStillness, stillnessMeasure } from './follow-metrics';
import { lipLineProfile, normalisedLipProfile, readLipLine } from './lip-line';

const { values: opts } = parseArgs({
  options: {
    variant: { type: 'string', default: 'a' },
    seconds: { type: 'string', default: '10' },
    faces: { type: 'string', default: 'sample1.jpg,sample6.jpg' },
    /** Frames whose mouths go side by side: "from-to" (inclusive). */
    strip: { type: 'string', default: '' },
    /** The landmark net's mouth reading on the story and the outputs, every hero frame. */
    measure: { type: 'boolean', default: false },
    /** The lip line's darkness (eval/lip-line.ts, the eval's still-mouth instrument) on the story and the outputs, every hero frame. */
    pixels: { type: 'boolean', default: false },
    /** With --pixels: a JSON file of every hero frame's lip line profile (story and children), to try measures offline. */
    dump: { type: 'string', default: '' },
    comp: { type: 'string', default: '{}' },
    /** The compositing time per hero frame with --comp against the same without the story's light (alternating, in-process). */
    time: { type: 'boolean', default: false },
    /** PrepareFaceInput overrides (JSON), as inspect's configs' `prep`. */
    prep: { type: 'string', default: '{}' },
    /** Validation of the stillness measure: the output's lips opened to wobble × (1 − cos(2π i / 20)) / 2 (0 = as rendered). */
    wobble: { type: 'string', default: '0' },
    /** The eval's seam measure per hero frame (every --every-th), split by where on the outline (forehead, sides, jaw, chin). */
    seam: { type: 'boolean', default: false },
    every: { type: 'string', default: '2' },
    /** Frames whose whole face goes out at full size: story | each child, plain and with the mask outline drawn. */
    crops: { type: 'string', default: '' },
    out: { type: 'string', default: '/tmp/photo-look' },
    /** Real renders in place of the in-process composites: "sample1.jpg=/path/render.mp4,…" (e.g. evaluate.js --keep-renders). */
    renders: { type: 'string', default: '' },
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
  const children: {
    name: string;
    prepared: PreparedFace;
    strip: Buffer[];
    gap: number[];
    dark: number[];
    profile: (Float64Array | null)[];
    render: FrameReader | null;
    frame: Buffer | null;
  }[] = [];
  const storyProfile: (Float64Array | null)[] = [];
  const renders = new Map(
    opts
      .renders!.split(',')
      .filter(Boolean)
      .map((spec) => spec.split('=') as [string, string]),
  );
  const storyGap: number[] = [],
    storyDark: number[] = [],
    shotOf: number[] = [];
  for (const f of opts.faces!.split(',').filter(Boolean)) {
    const c = await prepareChildFace(models, detector, f);
    const prepared = prepareFace({
      rgba: c.render.rgba,
      size: c.render.size,
      landmarks: c.render.landmarks,
      matrix,
      range,
      style: manifest.story.style,
      ...JSON.parse(opts.prep!),
    });
    console.log(`${c.name}: the photo's own inner-lip gap ${mouthOpenness(c.render.landmarks).toFixed(3)}`);
    const render = renders.get(f);
    children.push({
      name: c.name,
      prepared,
      strip: [],
      gap: [],
      dark: [],
      profile: [],
      render: render ? new FrameReader(ffmpeg.ffmpeg, render, width, height) : null,
      frame: null,
    });
    if (render) console.log(`${c.name}: frames from the render ${render}`);
  }
  const storyStrip: Buffer[] = [];
  const dump: { i: number; shot: number; iod: number; story: number[] | null; truth: number[] | null; children: (number[] | null)[] }[] = [];
  const profileOf = (rgb: RgbFrame, lm: ArrayLike<number>) => {
    const p = lipLineProfile(rgb, lm);
    return p ? Array.from(p.profile, (v) => Math.round(v * 100) / 100) : null;
  };
  const reader = new FrameReader(
    ffmpeg.ffmpeg,
    manifest.segments.map((s) => path.join(storage.storyDir(storyId), s.file)),
    width,
    height,
  );
  const compositor = new FrameCompositor();
  let mouthBox: { w: number; h: number } | null = null;
  let heroCount = 0;
  const timing = { with: 0, without: 0, frames: 0 };
  const cropFrames = new Set(opts.crops!.split(',').filter(Boolean).map(Number));
  const seamStory = new SeamTally();
  const seamChild = children.map(() => new SeamTally());
  console.log(
    'frame  truth  precomputed  iod' +
      (opts.measure ? `  net:story  ${children.map((c) => `net:${c.name}`).join('  ')}` : '') +
      (opts.pixels ? `  lip line: story  ${children.map((c) => c.name).join('  ')}` : ''),
  );
  for (let i = 0; i < manifest.video.frameCount; i++) {
    const buf = await reader.next();
    if (!buf) break;
    for (const ch of children) if (ch.render) ch.frame = await ch.render.next();
    const gt = truth.frames[i].hero;
    if (!frames.present(role, i)) continue;
    const seamHere = opts.seam && heroCount++ % Number(opts.every) === 0;
    if (!opts.measure && !opts.pixels && !inStrip(i) && !seamHere && !cropFrames.has(i) && !opts.time) continue;
    const lm = frames.field(role, i, 'landmarks');
    const target = renderTarget(frames, role, i, manifest.video, [])!;
    const storyRgb = yuvToRgb(yuvView(buf, width, height), matrix, range);
    const iod = interOcularDistance(lm);
    mouthBox ??= { w: Math.round(2.2 * iod) & ~1, h: Math.round(1.4 * iod) & ~1 };
    const cells = [`${i}`.padStart(5), (gt ? mouthOpenness(gt) : NaN).toFixed(3), target.mouthOpen.toFixed(3), iod.toFixed(1)];
    if (opts.measure) {
      const read = await turnedLandmarks(models, storyRgb, lm, turnedInput);
      cells.push(`${mouthOpenness(read).toFixed(3)} (${signedLipGap(read).toFixed(3)})`);
      storyGap[i] = signedLipGap(read);
    }
    shotOf[i] = truth.shots.findIndex((s) => i >= s.startFrame && i < s.endFrame);
    if (opts.pixels) {
      storyDark[i] = readLipLine(storyRgb, lm);
      storyProfile[i] = normalisedLipProfile(storyRgb, lm);
      cells.push(`lip ${storyDark[i].toFixed(4)}`);
      if (opts.dump) dump.push({ i, shot: shotOf[i], iod, story: profileOf(storyRgb, lm), truth: gt ? profileOf(storyRgb, gt) : null, children: [] });
    }
    if (wobble > 0) target.landmarks = openMouthTo(Float32Array.from(lm), (wobble * (1 - Math.cos((2 * Math.PI * i) / 20))) / 2);
    if (inStrip(i)) storyStrip.push(await mouthCrop(storyRgb, lm, mouthBox));
    const crops: RgbFrame[] = [storyRgb];
    if (opts.time) for (const ch of children) timeComposite(compositor, buf, width, height, ch.prepared, target, comp, timing);
    if (seamHere) cells.push(`seam story ${seamStory.add(storyRgb, storyRgb, lm).toFixed(1)}`);
    for (const [k, ch] of children.entries()) {
      const copy = ch.frame ? Buffer.from(ch.frame) : Buffer.from(buf);
      if (!ch.frame) compositor.composite(yuvView(copy, width, height), ch.prepared, target, comp);
      const rgb = yuvToRgb(yuvView(copy, width, height), matrix, range);
      if (seamHere) cells.push(`${ch.name} ${seamChild[k].add(rgb, storyRgb, lm).toFixed(1)}`);
      crops.push(rgb);
      if (opts.measure) {
        const read = await turnedLandmarks(models, rgb, lm, turnedInput);
        cells.push(`${mouthOpenness(read).toFixed(3)} (${signedLipGap(read).toFixed(3)})`);
        ch.gap[i] = signedLipGap(read);
      }
      if (opts.pixels) {
        ch.dark[i] = readLipLine(rgb, lm);
        ch.profile[i] = normalisedLipProfile(rgb, lm);
        cells.push(`lip ${ch.dark[i].toFixed(4)}`);
        if (opts.dump) dump[dump.length - 1].children.push(profileOf(rgb, lm));
      }
      if (inStrip(i)) ch.strip.push(await mouthCrop(rgb, lm, mouthBox));
    }
    console.log(cells.join('  '));
    if (cropFrames.has(i)) await writeFaceCrops(crops, lm, path.join(opts.out!, `face-${variant}-${i}.png`));
  }
  reader.close();
  if (opts.dump) await fs.writeFile(opts.dump, JSON.stringify({ variant, wobble, children: children.map((c) => c.name), frames: dump }));
  for (const ch of children) ch.render?.close();
  if (opts.time)
    console.log(
      `compositing per hero frame and child: ${(timing.with / timing.frames).toFixed(3)} ms as given, ${(timing.without / timing.frames).toFixed(3)} ms without the story's light (${timing.frames} composites each)`,
    );
  if (opts.seam) {
    console.log(`seam by place on the outline (ΔE inner ring vs outer ring; L step; inner ring Lab; outer ring Lab):`);
    seamStory.print('story');
    children.forEach((ch, k) => seamChild[k].print(ch.name));
  }
  for (const ch of children) {
    const fill = (v: number[]) => Float64Array.from({ length: manifest.video.frameCount }, (_, i) => v[i] ?? NaN);
    const shots = Float64Array.from({ length: manifest.video.frameCount }, (_, i) => shotOf[i] ?? -1);
    const s = stillnessMeasure(fill(storyGap), fill(ch.gap), shots);
    if (opts.measure)
      console.log(
        `${ch.name}: signed lip gap spread within shots: story ${s.storySpread.toFixed(4)}, output ${s.outputSpread.toFixed(4)}, ratio ${s.ratio.toFixed(2)} (${s.frames} frames)`,
      );
    const p = stillnessMeasure(fill(storyDark), fill(ch.dark), shots);
    const frameCount = manifest.video.frameCount;
    const q = profileStillness(
      Array.from({ length: frameCount }, (_, i) => storyProfile[i] ?? null),
      Array.from({ length: frameCount }, (_, i) => ch.profile[i] ?? null),
      shots,
    );
    if (opts.pixels)
      console.log(
        `${ch.name}: lip line pixels' change within shots (the eval's still mouth): story ${q.storySpread.toFixed(4)}, output ${q.outputSpread.toFixed(4)}, ratio ${q.ratio.toFixed(2)} (${q.frames} frames)`,
      );
    if (opts.pixels)
      console.log(
        `${ch.name}: lip line darkness spread within shots: story ${p.storySpread.toFixed(5)}, output ${p.outputSpread.toFixed(5)}, ratio ${p.ratio.toFixed(2)} (${p.frames} frames; means story ${meanOf(storyDark).toFixed(4)}, output ${meanOf(ch.dark).toFixed(4)})`,
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

/** Composites one frame REPEAT times each way, alternating, adding the milliseconds to `timing`. */
function timeComposite(
  compositor: FrameCompositor,
  buf: Buffer,
  width: number,
  height: number,
  face: PreparedFace,
  target: FrameTarget,
  comp: CompositeOptions,
  timing: { with: number; without: number; frames: number },
): void {
  const REPEAT = 5;
  const unlit = { ...comp, shading: false };
  const copy = Buffer.alloc(buf.length);
  for (let r = 0; r < REPEAT; r++) {
    for (const [opt, key] of [
      [comp, 'with'],
      [unlit, 'without'],
    ] as const) {
      buf.copy(copy);
      const t0 = performance.now();
      compositor.composite(yuvView(copy, width, height), face, target, opt);
      timing[key] += performance.now() - t0;
    }
    timing.frames++;
  }
}

/** Where on the outline a probe sits, by its angle about the face's centre from the face's up direction. */
const SEAM_PLACES = ['forehead', 'temples', 'cheeks', 'jaw', 'chin'] as const;
function seamPlace(p: SeamProbe, lm: ArrayLike<number>): number {
  const [cx, cy] = landmarkCentre(lm);
  const ux = lm[2 * 45] - lm[2 * 36],
    uy = lm[2 * 45 + 1] - lm[2 * 36 + 1];
  const len = Math.hypot(ux, uy) || 1;
  const across = ((p.x - cx) * ux + (p.y - cy) * uy) / len,
    down = ((p.y - cy) * ux - (p.x - cx) * uy) / len;
  const fromUp = (Math.atan2(Math.abs(across), -down) * 180) / Math.PI;
  return fromUp < 45 ? 0 : fromUp < 80 ? 1 : fromUp < 115 ? 2 : fromUp < 150 ? 3 : 4;
}

/** The eval's seam (insertion-eval's seam: Lab ΔE between the rings inside and outside the target's outline), kept per place. */
class SeamTally {
  private readonly sums = SEAM_PLACES.map(() => ({ n: 0, dE: 0, dL: 0, inner: [0, 0, 0], outer: [0, 0, 0] }));
  private frames: number[] = [];
  /** Adds one frame; returns its mean ΔE. `reference` is unused by the measure (the story's own ring is measured from `rgb`). */
  add(rgb: RgbFrame, _reference: RgbFrame, lm: ArrayLike<number>): number {
    const iod = interOcularDistance(lm);
    const outline = faceOutline(lm);
    const probes = seamProbes(outline, Math.max(2, 0.04 * iod));
    const rings = seamColours(rgb, outline, probes, iod);
    let sum = 0,
      n = 0;
    rings.forEach((r, k) => {
      if (!r) return;
      const t = this.sums[seamPlace(probes[k], lm)];
      const dE = deltaE(r.inside, r.outside);
      t.n++;
      t.dE += dE;
      t.dL += Math.abs(r.inside[0] - r.outside[0]);
      for (let c = 0; c < 3; c++) {
        t.inner[c] += r.inside[c];
        t.outer[c] += r.outside[c];
      }
      sum += dE;
      n++;
    });
    this.frames.push(sum / n);
    return sum / n;
  }
  print(name: string): void {
    const f = (v: number[], n: number) => v.map((x) => (x / n).toFixed(1)).join(' ');
    const all = this.frames.reduce((a, b) => a + b, 0) / this.frames.length;
    console.log(`${name}: mean over ${this.frames.length} frames ${all.toFixed(2)}`);
    this.sums.forEach((t, k) => {
      if (t.n)
        console.log(
          `  ${SEAM_PLACES[k].padEnd(9)} n ${String(t.n).padStart(5)}  ΔE ${(t.dE / t.n).toFixed(1)}  L step ${(t.dL / t.n).toFixed(1)}  in [${f(t.inner, t.n)}]  out [${f(t.outer, t.n)}]`,
        );
    });
  }
}

/** Story and outputs side by side at full size (4.2 eye distances square), then the same with the target's outline drawn. */
async function writeFaceCrops(frames: RgbFrame[], lm: ArrayLike<number>, file: string): Promise<void> {
  const iod = interOcularDistance(lm);
  const [cx, cy] = landmarkCentre(lm);
  const side = Math.round(4.2 * iod);
  const left = Math.round(cx - side / 2),
    top = Math.round(cy - 0.3 * iod - side / 2);
  const outline = faceOutline(lm);
  const gap = 4;
  const out = Buffer.alloc(frames.length * (side + gap) * (2 * side + gap) * 3, 255);
  const W = frames.length * (side + gap);
  frames.forEach((rgb, k) => {
    for (let row = 0; row < 2; row++)
      for (let y = 0; y < side; y++)
        for (let x = 0; x < side; x++) {
          const sx = left + x,
            sy = top + y;
          if (sx < 0 || sy < 0 || sx >= rgb.width || sy >= rgb.height) continue;
          const s = 3 * (sy * rgb.width + sx),
            d = 3 * ((row * (side + gap) + y) * W + k * (side + gap) + x);
          out[d] = rgb.data[s];
          out[d + 1] = rgb.data[s + 1];
          out[d + 2] = rgb.data[s + 2];
        }
    // The outline, one pixel, on the second row.
    const n = outline.length >> 1;
    for (let q = 0; q < n; q++) {
      const ax = outline[2 * q],
        ay = outline[2 * q + 1],
        bx = outline[2 * ((q + 1) % n)],
        by = outline[2 * ((q + 1) % n) + 1];
      const steps = Math.ceil(Math.hypot(bx - ax, by - ay) * 2);
      for (let t = 0; t <= steps; t++) {
        const x = Math.round(ax + ((bx - ax) * t) / steps - 0.5) - left,
          y = Math.round(ay + ((by - ay) * t) / steps - 0.5) - top;
        if (x < 0 || y < 0 || x >= side || y >= side) continue;
        out.set([255, 0, 255], 3 * ((side + gap + y) * W + k * (side + gap) + x));
      }
    }
  });
  await sharp(out, { raw: { width: W, height: 2 * side + gap, channels: 3 } })
    .png()
    .toFile(file);
  console.log(`crops: ${file} (story, then each child; second row with the eval's outline)`);
}

function meanOf(v: number[]): number {
  const known = v.filter(Number.isFinite);
  return known.reduce((a, b) => a + b, 0) / known.length;
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
