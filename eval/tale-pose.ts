// Developer tool (not part of `npm run eval`): the tale's pose, split into what the compositor means and what
// the landmark net reads. Composites the tale's sampled hero frames in-process as tale-look does, each child
// under each config (a config may move the target by a known amount: dx, dy in eye distances, scale, roll in
// degrees — a known misplacement the pose must read back), runs the eval's instrument on the output (the
// detector, then the upright landmarks), and prints the pose both ways: all 68 points against the target (the
// s7–s11 metric) and the brows, eyes and nose against where the compositor puts the child's (the eval's now),
// plus the jaw's and the inner face's shift. --png frames: 1:1 crops (×--zoom) with the target (green), the
// compositor's points (blue) and the net's on the output (red).
// Usage: node dist/eval/tale-pose.js --seconds 10 --size 640x360 --every 6 --faces sample6.jpg
//        --configs '[{"name":"default"},{"name":"down10","move":{"dy":0.1}}]' --out /tmp/pose/p.json [--png 119 --zoom 3]
import { loadOrPrecompute, renderTarget } from './precomputed-story';
import 'reflect-metadata';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '@talecast/config';
import { sharp } from '@talecast/face/sharp-image';
import { landmarkCentre, RgbFrame } from './insertion-metrics';
import { FaceDetector, interOcularDistance, loadFaceModels, uprightLandmarks } from '@talecast/face';
import { CompositeOptions, FrameCompositor, prepareFace, PreparedFace } from '@talecast/compositor';
import { StorageCore } from '@talecast/storage';
import { sharedTale } from '@talecast/testing';
import { locateFfmpeg } from '@talecast/video';
import { FrameReader } from './frame-reader';
import { DETECT, pick, prepareChildFace } from './insertion-eval';
import { yuvToRgb, yuvView } from './insertion-metrics';
import { placedPose, poseDifference, POSE_POINTS } from './pose-metric';

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    size: { type: 'string', default: '640x360' },
    faces: { type: 'string', default: 'sample1.jpg,sample6.jpg' },
    every: { type: 'string', default: '3' },
    configs: { type: 'string', default: '[{"name":"default"},{"name":"bent","comp":{"childShape":0,"childMouthShape":0}}]' },
    out: { type: 'string', default: '/tmp/tale12/pose.json' },
    data: { type: 'string', default: '/tmp/talecast-look-data' },
    png: { type: 'string', default: '' },
    zoom: { type: 'string', default: '1' },
  },
});

/** Signed offset (along the eye line, down the face) of b's group centre from a's, in a's eye distances. */
function groupShift(a: ArrayLike<number>, b: ArrayLike<number>, from: number, to: number): [number, number] {
  let ax = 0,
    ay = 0,
    bx = 0,
    by = 0;
  for (let i = from; i < to; i++) {
    ax += a[2 * i];
    ay += a[2 * i + 1];
    bx += b[2 * i];
    by += b[2 * i + 1];
  }
  const n = to - from;
  const dx = (bx - ax) / n,
    dy = (by - ay) / n;
  const iod = interOcularDistance(a);
  // The eye line from a's points 36–41 (image left) to 42–47.
  let lx = 0,
    ly = 0,
    rx = 0,
    ry = 0;
  for (let i = 36; i < 42; i++) {
    lx += a[2 * i] / 6;
    ly += a[2 * i + 1] / 6;
  }
  for (let i = 42; i < 48; i++) {
    rx += a[2 * i] / 6;
    ry += a[2 * i + 1] / 6;
  }
  const ang = Math.atan2(ry - ly, rx - lx);
  const c = Math.cos(ang),
    s = Math.sin(ang);
  return [(c * dx + s * dy) / iod, (-s * dx + c * dy) / iod];
}

/** Square crop (3.6 eye distances) about the target, scaled by `zoom` (nearest), with point sets drawn as 1-px dots. */
async function crop(rgb: RgbFrame, lm: ArrayLike<number>, zoom: number, sets: [ArrayLike<number> | null, [number, number, number]][]) {
  const iod = interOcularDistance(lm);
  const [cx, cy] = landmarkCentre(lm);
  const side = Math.round(3.6 * iod);
  const x0 = Math.max(0, Math.min(rgb.width - side, Math.round(cx - side / 2))),
    y0 = Math.max(0, Math.min(rgb.height - side, Math.round(cy - 0.35 * iod - side / 2)));
  const W = side * zoom;
  const out = Buffer.alloc(W * W * 3);
  for (let y = 0; y < W; y++)
    for (let x = 0; x < W; x++) {
      const sx = x0 + Math.floor(x / zoom),
        sy = y0 + Math.floor(y / zoom);
      for (let c = 0; c < 3; c++) out[3 * (y * W + x) + c] = rgb.data[3 * (sy * rgb.width + sx) + c];
    }
  for (const [pts, c] of sets) {
    if (!pts) continue;
    for (let k = 0; k < 68; k++) {
      const x = Math.round((pts[2 * k] - x0) * zoom),
        y = Math.round((pts[2 * k + 1] - y0) * zoom);
      if (x < 0 || y < 0 || x >= W || y >= W) continue;
      out[3 * (y * W + x)] = c[0];
      out[3 * (y * W + x) + 1] = c[1];
      out[3 * (y * W + x) + 2] = c[2];
    }
  }
  return { buf: out, w: W, h: W };
}

/** The landmarks moved about their centre: dx, dy in eye distances, scale, roll in degrees (a known misplacement). */
function moved(lm: ArrayLike<number>, m: { dx?: number; dy?: number; scale?: number; deg?: number }): Float32Array {
  const iod = interOcularDistance(lm);
  const [cx, cy] = landmarkCentre(lm);
  const k = m.scale ?? 1,
    a = ((m.deg ?? 0) * Math.PI) / 180;
  const c = Math.cos(a) * k,
    s = Math.sin(a) * k;
  const out = new Float32Array(136);
  for (let i = 0; i < 68; i++) {
    const x = lm[2 * i] - cx,
      y = lm[2 * i + 1] - cy;
    out[2 * i] = cx + c * x - s * y + (m.dx ?? 0) * iod;
    out[2 * i + 1] = cy + s * x + c * y + (m.dy ?? 0) * iod;
  }
  return out;
}

async function main(): Promise<void> {
  const seconds = Number(opts.seconds);
  const [width0, height0] = opts.size!.split('x').map(Number);
  const ffmpeg = await locateFfmpeg();
  const models = await loadFaceModels('wasm');
  const detector = new FaceDetector(models);
  const config = loadConfig({ ...process.env, TALECAST_DATA_DIR: opts.data! });
  const storage = new StorageCore(config.roots);
  const tale = await sharedTale(seconds, { width: width0, height: height0 });
  const storyId = `look-tale-${width0}x${height0}-${seconds}s`;
  const story = await loadOrPrecompute(storage, storyId, tale, ffmpeg, config.encoder);
  const { manifest, frames } = story;
  const { width, height, matrix, range } = manifest.video;
  const role = frames.roleIndex('hero');
  const occluders = manifest.roles.find((x) => x.name === 'hero')?.occluders ?? [];
  const configs: { name: string; comp?: CompositeOptions; move?: { dx?: number; dy?: number; scale?: number; deg?: number } }[] = JSON.parse(opts.configs!);
  const runs: { face: string; cfg: string; comp?: CompositeOptions; move?: (typeof configs)[number]['move']; prepared: PreparedFace; child: Float32Array }[] =
    [];
  for (const f of opts.faces!.split(',')) {
    const c = await prepareChildFace(models, detector, f);
    const prepared = prepareFace({ rgba: c.render.rgba, size: c.render.size, landmarks: c.render.landmarks, matrix, range, style: manifest.story.style });
    for (const cfg of configs) runs.push({ face: c.name, cfg: cfg.name, comp: cfg.comp, move: cfg.move, prepared, child: c.render.landmarks });
  }
  const pngFrames = new Set(opts.png!.split(',').filter(Boolean).map(Number));
  const every = Number(opts.every);
  const present = Array.from({ length: manifest.video.frameCount }, (_, i) => frames.present(role, i));
  const heroFrames = present.flatMap((p, i) => (p ? [i] : []));
  const sampled = new Set(heroFrames.filter((_, k) => k % every === 0));
  const reader = new FrameReader(
    ffmpeg.ffmpeg,
    manifest.segments.map((s) => path.join(storage.storyDir(storyId), s.file)),
    width,
    height,
  );
  const compositor = new FrameCompositor();
  await fs.mkdir(path.dirname(opts.out!), { recursive: true });
  const rows: unknown[] = [];
  for (let i = 0; i < manifest.video.frameCount; i++) {
    const buf = await reader.next();
    if (!buf) break;
    if (!sampled.has(i) && !pngFrames.has(i)) continue;
    if (!present[i]) continue;
    const lm = frames.field(role, i, 'landmarks');
    const target = renderTarget(frames, role, i, manifest.video, occluders)!;
    const storyRgb = yuvToRgb(yuvView(buf, width, height), matrix, range);
    const sd = pick(await detector.detectAll(storyRgb, DETECT), lm);
    const storyPlaced = sd ? await uprightLandmarks(models, storyRgb, sd.landmarks) : null;
    const row: Record<string, unknown> = {
      i,
      yaw: target.yaw,
      iod: interOcularDistance(lm),
      story: storyPlaced ? Array.from(storyPlaced) : null,
      target: Array.from(lm),
    };
    const tiles: Buffer[] = [];
    let tw = 0,
      th = 0;
    const addTile = async (rgb: RgbFrame, sets: [ArrayLike<number> | null, [number, number, number]][]) => {
      const t = await crop(rgb, lm, Number(opts.zoom), sets);
      tiles.push(t.buf);
      tw = t.w;
      th = t.h;
    };
    if (pngFrames.has(i)) {
      await addTile(storyRgb, []);
      await addTile(storyRgb, [
        [lm, [0, 255, 0]],
        [storyPlaced, [255, 0, 0]],
      ]);
    }
    for (const r of runs) {
      const copy = Buffer.from(buf);
      const rep = compositor.composite(yuvView(copy, width, height), r.prepared, r.move ? { ...target, landmarks: moved(lm, r.move) } : target, r.comp);
      const intended = compositor.lastLandmarks ? Array.from(compositor.lastLandmarks) : null;
      const rgb = yuvToRgb(yuvView(copy, width, height), matrix, range);
      const d = pick(await detector.detectAll(rgb, DETECT), lm);
      const placed = d ? await uprightLandmarks(models, rgb, d.landmarks) : null;
      if (pngFrames.has(i)) {
        await addTile(rgb, []);
        await addTile(rgb, [
          [lm, [0, 255, 0]],
          [intended, [0, 128, 255]],
          [placed, [255, 0, 0]],
        ]);
      }
      row[`${r.face}/${r.cfg}`] = { fade: rep.yawFade, intended, placed: placed ? Array.from(placed) : null };
    }
    if (pngFrames.has(i)) {
      await sharp({ create: { width: (tw + 4) * tiles.length, height: th, channels: 3, background: { r: 255, g: 255, b: 255 } } })
        .composite(tiles.map((b, k) => ({ input: b, raw: { width: tw, height: th, channels: 3 as const }, left: k * (tw + 4), top: 0 })))
        .png()
        .toFile(path.join(path.dirname(opts.out!), `pose-${opts.size}-${String(i).padStart(4, '0')}.png`));
    }
    if (!sampled.has(i)) continue;
    rows.push(row);
  }
  reader.close();

  await fs.writeFile(opts.out!, JSON.stringify({ seconds, size: opts.size, runs: runs.map((r) => `${r.face}/${r.cfg}`), rows }));
  // Summary.
  const m = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  type Row = Record<string, { fade: number; intended: number[] | null; placed: number[] | null }> & { target: number[]; story: number[] | null };
  const floor = (rows as Row[]).filter((r) => r.story).map((r) => poseDifference(r.story!, r.target).centre);
  const floorNew = (rows as Row[]).filter((r) => r.story).map((r) => poseDifference(r.story!, r.target, POSE_POINTS));
  console.log(
    `${opts.size} ${seconds}s floor (net on the story vs target) centre ${(100 * m(floor)).toFixed(2)} % (${floor.length}); on brows/eyes/nose centre ${(100 * m(floorNew.map((p) => p.centre))).toFixed(2)} % ` +
      `scale ${(100 * m(floorNew.map((p) => Math.abs(p.scale)))).toFixed(2)} % roll ${m(floorNew.map((p) => Math.abs(p.rollDegrees))).toFixed(2)}°`,
  );
  for (const r of runs) {
    const k = `${r.face}/${r.cfg}`;
    const nw: ReturnType<typeof poseDifference>[] = [],
      old: ReturnType<typeof poseDifference>[] = [];
    const ev: number[] = [],
      perfect: number[] = [],
      vsIntended: number[] = [];
    const inner: [number, number][] = [],
      jaw: [number, number][] = [],
      innerInt: [number, number][] = [];
    for (const row of rows as Row[]) {
      const x = row[k];
      if (!x.placed) continue;
      ev.push(poseDifference(x.placed, row.target).centre);
      old.push(poseDifference(x.placed, row.target));
      nw.push(placedPose(x.placed, r.child, row.target, true));
      if (x.intended) {
        perfect.push(poseDifference(x.intended, row.target).centre);
        vsIntended.push(poseDifference(x.placed, x.intended).centre);
        innerInt.push(groupShift(row.target, x.intended, 17, 68));
      }
      inner.push(groupShift(row.target, x.placed, 17, 68));
      jaw.push(groupShift(row.target, x.placed, 0, 17));
    }
    const fp = (v: ReturnType<typeof poseDifference>[]) =>
      `centre ${(100 * m(v.map((p) => p.centre))).toFixed(2)} % scale ${(100 * m(v.map((p) => p.scale))).toFixed(2)} % (|${(100 * m(v.map((p) => Math.abs(p.scale)))).toFixed(2)}|) roll ${m(v.map((p) => p.rollDegrees)).toFixed(2)}° (|${m(v.map((p) => Math.abs(p.rollDegrees))).toFixed(2)}|)`;
    console.log(`${k}: OLD 68 vs target ${fp(old)}; NEW brows/eyes/nose vs intended ${fp(nw)}`);
    const f2 = (v: [number, number][]) => `(${(100 * m(v.map((a) => a[0]))).toFixed(1)}, ${(100 * m(v.map((a) => a[1]))).toFixed(1)})`;
    console.log(
      `${k}: eval centre ${(100 * m(ev)).toFixed(2)} % (${ev.length}); intended vs target ${(100 * m(perfect)).toFixed(2)} %; output vs intended ${(100 * m(vsIntended)).toFixed(2)} %; ` +
        `shift across/down in % iod: inner output ${f2(inner)} intended ${f2(innerInt)}, jaw output ${f2(jaw)}`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
