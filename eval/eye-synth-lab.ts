// Developer tool (not part of `npm run eval`): the eval's eye instrument on the tale (eval/eye-synthesis.ts) run on
// any rendered outputs of the look story in --data (e.g. renders whose lids are the drawn truth's or held open, the
// known cases it was validated on): per output r and blinks against the drawn lids, the frames under half, and
// --png frames: the eye band at 6x of the story, each output, and the open and shut renders (top to bottom).
// Usage: node dist/eval/eye-synth-lab.js --seconds 10 --size 640x360 --data <dir> --face sample6.jpg --outputs a.mp4,b.mp4 --out /tmp/x [--png 26,119]
import { loadOrPrecompute, renderTarget } from './precomputed-story';
import 'reflect-metadata';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@talecast/config';
import { sharp } from '@talecast/face/sharp-image';
import { yuvToRgb } from './insertion-metrics';
import { interOcularDistance } from '@talecast/geometry';
import { FaceDetector, loadFaceModels } from '@talecast/face';
import { FrameCompositor, FrameTarget, prepareFace } from '@talecast/compositor';
import { StorageCore } from '@talecast/storage';
import { sharedTale } from '@talecast/testing';
import { locateFfmpeg } from '@talecast/video';
import { FrameReader } from './frame-reader';
import { prepareChildFace } from './insertion-eval';
import { yuvView } from './insertion-metrics';
import { followMeasure } from './follow-metrics';
import { lidReading } from './eye-synthesis';

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    size: { type: 'string', default: '640x360' },
    face: { type: 'string', default: 'sample6.jpg' },
    outputs: { type: 'string', default: '' },
    data: { type: 'string', default: '/tmp/talecast-look-data' },
    out: { type: 'string', default: '' },
    png: { type: 'string', default: '' },
  },
});

async function main(): Promise<void> {
  const seconds = Number(opts.seconds);
  const [width0, height0] = opts.size!.split('x').map(Number);
  const ffmpeg = await locateFfmpeg();
  const models = await loadFaceModels('wasm');
  const detector = new FaceDetector(models);
  const config = loadConfig({ ...process.env, TALECAST_DATA_DIR: opts.data! });
  const storage = new StorageCore(config.roots);
  const tale = await sharedTale(seconds, { width: width0, height: height0 });
  const truth = JSON.parse(await fs.readFile(tale.groundTruth, 'utf8'));
  const storyId = `look-tale-${width0}x${height0}-${seconds}s`;
  const story = await loadOrPrecompute(storage, storyId, tale, ffmpeg, config.encoder);
  const { manifest, frames } = story;
  const { width, height, matrix, range } = manifest.video;
  const role = frames.roleIndex('hero');
  const occluders = manifest.roles.find((x) => x.name === 'hero')?.occluders ?? [];
  const c = await prepareChildFace(models, detector, opts.face!);
  const prepared = prepareFace({ rgba: c.render.rgba, size: c.render.size, landmarks: c.render.landmarks, matrix, range, style: manifest.story.style });
  const reader = new FrameReader(
    ffmpeg.ffmpeg,
    manifest.segments.map((s) => path.join(storage.storyDir(storyId), s.file)),
    width,
    height,
  );
  const outputs = opts.outputs!.split(',').filter(Boolean);
  const outReaders = outputs.map((f) => new FrameReader(ffmpeg.ffmpeg, [f], width, height));
  const compositor = new FrameCompositor();
  const n = manifest.video.frameCount;
  const storySeries = new Float64Array(n).fill(NaN);
  const series = outputs.map(() => [new Float64Array(n).fill(NaN), new Float64Array(n).fill(NaN)]);
  const ySize = width * height;
  for (let i = 0; i < n; i++) {
    const buf = await reader.next();
    const outs = await Promise.all(outReaders.map((r) => r.next()));
    if (!buf) break;
    const hero = truth.frames[i].roles.hero;
    if (!frames.present(role, i) || !frames.hasEyes(role, i) || !hero?.visible) continue;
    const target: FrameTarget = {
      ...renderTarget(frames, role, i, manifest.video, occluders)!,
      eyes: { open: Float32Array.of(1, 1), gaze: frames.field(role, i, 'gaze') },
    };
    const open = Buffer.from(buf);
    const rep = compositor.composite(yuvView(open, width, height), prepared, target);
    if (rep.yawFade < 0.5 || !compositor.lastLandmarks) continue;
    const placed = Float32Array.from(compositor.lastLandmarks);
    const shut = Buffer.from(buf);
    compositor.composite(yuvView(shut, width, height), prepared, { ...target, eyes: { open: Float32Array.of(0, 0), gaze: target.eyes!.gaze } });
    storySeries[i] = (hero.eyes[0].open + hero.eyes[1].open) / 2;
    if (opts.png!.split(',').filter(Boolean).map(Number).includes(i)) {
      const iod = interOcularDistance(placed);
      let cx = 0,
        cy = 0;
      for (let k = 36; k < 48; k++) {
        cx += placed[2 * k] / 12;
        cy += placed[2 * k + 1] / 12;
      }
      const bw = Math.round(2 * iod),
        bh = Math.round(0.8 * iod);
      const left = Math.max(0, Math.round(cx - bw / 2)),
        top = Math.max(0, Math.round(cy - bh / 2));
      const tiles = [buf, ...outs.map((o) => o!), open, shut];
      const zoom = 6;
      const crops = await Promise.all(
        tiles.map((b) =>
          sharp(yuvToRgb(yuvView(b, width, height), matrix, range).data, { raw: { width, height, channels: 3 } })
            .extract({ left, top, width: bw, height: bh })
            .resize(bw * zoom, bh * zoom, { kernel: 'nearest' })
            .png()
            .toBuffer(),
        ),
      );
      await sharp({ create: { width: bw * zoom, height: (bh * zoom + 4) * crops.length, channels: 3, background: { r: 255, g: 255, b: 255 } } })
        .composite(crops.map((input, k) => ({ input, left: 0, top: k * (bh * zoom + 4) })))
        .png()
        .toFile(`${opts.out}-f${i}.png`);
    }
    for (let k = 0; k < outputs.length; k++) {
      const o = outs[k]!;
      for (const e of [0, 1])
        series[k][e][i] = lidReading(o.subarray(0, ySize), open.subarray(0, ySize), shut.subarray(0, ySize), width, height, placed, e as 0 | 1);
    }
  }
  reader.close();
  for (const r of outReaders) r.close();
  const dump: Record<string, unknown> = { truth: Array.from(storySeries) };
  for (let k = 0; k < outputs.length; k++) {
    const mean = Float64Array.from(series[k][0], (v, i) => (v + series[k][1][i]) / 2);
    const f = followMeasure(storySeries, mean, true);
    const lows: string[] = [];
    for (let i = 0; i < n; i++) if (storySeries[i] < 0.5 || mean[i] < 0.5) lows.push(`${i}:${storySeries[i].toFixed(2)}/${mean[i].toFixed(2)}`);
    console.log(
      `${opts.face} ${outputs[k]}: r ${f.correlation.toFixed(3)} blinks ${f.blinksShown}/${f.blinks} missed ${JSON.stringify(f.missedBlinks)} (frames ${f.frames}); truth/reading where either < 0.5: ${lows.join(' ')}`,
    );
    dump[outputs[k]] = [Array.from(series[k][0]), Array.from(series[k][1])];
  }
  if (opts.out) await fs.writeFile(opts.out, JSON.stringify(dump));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
