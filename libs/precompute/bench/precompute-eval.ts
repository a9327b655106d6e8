// Precompute-only timing and accuracy: runs precomputeStory on fixture folders and prints speed,
// the analysis timings, and the landmark error against the generator's ground truth (mean over
// hero frames, relative to the inter-ocular distance) per shot, raw and smoothed.
// Usage (build first; run inside the CPU lock):
//   flock /tmp/talecast-cpu.lock node dist/libs/precompute/bench/precompute-eval.js fixtures/tale-b-10s [fixtures/tale-a-10s …] [--threads 2] [--json out.json]
import { promises as fs } from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { loadConfig } from '@talecast/config';
import { interOcularDistance } from '@talecast/face';
import type { GroundTruth } from '@talecast/fixtures';
import { StorageCore } from '@talecast/storage';
import { locateFfmpeg } from '@talecast/video';
import { FrameData, precomputeStory, secondDifference } from '../src';
import { coverageTruthOfFixture, formatCoverage, measureCoverage } from '../../../eval/coverage-metric';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string) => {
    const k = args.indexOf(name);
    if (k < 0) return undefined;
    const v = args[k + 1];
    args.splice(k, 2);
    return v;
  };
  const threads = Number(opt('--threads') ?? 2);
  const jsonOut = opt('--json');
  const ffmpeg = await locateFfmpeg();
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'talecast-pre-eval-'));
  const report: unknown[] = [];
  try {
    // The encoder the app is configured with, as the precompute service uses it.
    const config = loadConfig({ ...process.env, TALECAST_DATA_DIR: tmp });
    const storage = new StorageCore(config.roots);
    for (const dir of args) {
      const truth: GroundTruth = JSON.parse(await fs.readFile(path.join(dir, 'ground-truth.json'), 'utf8'));
      const storyId = path.basename(dir).replace(/[^a-z0-9-]/g, '-');
      const summary = await precomputeStory(
        { storyId, video: path.join(dir, 'story.mp4'), masks: path.join(dir, 'masks.json') },
        { storage, ffmpeg, threads, faceBackend: 'wasm', encoder: config.encoder, collectRaw: true },
      );
      const frames = FrameData.fromBuffer(summary.manifest, await fs.readFile(storage.storyFile(storyId, 'frames.bin')));
      const raw = summary.raw!.hero;
      const perShot: Record<string, { n: number; truthFrames: number; smooth: number; raw: number; max: number }> = {};
      const all = { n: 0, smooth: 0, raw: 0 };
      const n = summary.frames;
      const smoothAll = new Float32Array(n * 136);
      for (let i = 0; i < n; i++) if (frames.present(0, i)) smoothAll.set(frames.field(0, i, 'landmarks'), i * 136);
      for (const f of truth.frames) {
        const shot = truth.shots.findIndex((s) => f.i >= s.startFrame && f.i < s.endFrame);
        const key = `${shot}:${truth.shots[shot].kind}`;
        const entry = (perShot[key] ??= { n: 0, truthFrames: 0, smooth: 0, raw: 0, max: 0 });
        if (f.hero) entry.truthFrames++;
        if (!f.hero || !frames.present(0, f.i)) continue;
        const iod = interOcularDistance(f.hero);
        const es = err(smoothAll.subarray(f.i * 136, f.i * 136 + 136), f.hero) / iod;
        const er = raw.present[f.i] ? err(raw.landmarks.subarray(f.i * 136, f.i * 136 + 136), f.hero) / iod : es;
        entry.n++;
        entry.smooth += es;
        entry.raw += er;
        entry.max = Math.max(entry.max, es);
        all.n++;
        all.smooth += es;
        all.raw += er;
      }
      const cuts = new Set(summary.manifest.cuts);
      const jitter = secondDifference(raw.landmarks, 136, raw.present, cuts) / Math.max(1e-9, secondDifference(smoothAll, 136, raw.present, cuts));
      const heroFrames = truth.frames.filter((f) => f.hero).length;
      const coverage = measureCoverage({
        truth: coverageTruthOfFixture(truth),
        cuts: truth.cuts,
        shortShotFrames: Math.round(truth.fps),
        present: (i) => frames.present(0, i),
        nose: (i) => {
          const lm = frames.field(0, i, 'landmarks');
          return [lm[60], lm[61]];
        },
        interOcular: (i) => (truth.frames[i].hero ? interOcularDistance(truth.frames[i].hero!) : 1),
      });
      const line = {
        fixture: dir,
        frames: summary.frames,
        seconds: round(summary.seconds, 2),
        speed: round(summary.speed, 3),
        heroFound: `${all.n}/${heroFrames}`,
        coverage: formatCoverage(coverage),
        missed: coverage.missedRuns.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(' '),
        errSmooth: pct(all.smooth / all.n),
        errRaw: pct(all.raw / all.n),
        jitterRatio: round(jitter, 2),
        shots: Object.fromEntries(
          Object.entries(perShot).map(([k, v]) => [
            k,
            v.n ? `${v.n}/${v.truthFrames} mean ${pct(v.smooth / v.n)} raw ${pct(v.raw / v.n)} max ${pct(v.max)}` : `0/${v.truthFrames}`,
          ]),
        ),
        timings: summary.timings,
      };
      report.push(line);
      console.log(JSON.stringify(line, null, 1));
    }
    if (jsonOut) await fs.writeFile(jsonOut, JSON.stringify(report, null, 1));
  } finally {
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

function err(lm: ArrayLike<number>, truth: number[]): number {
  let e = 0;
  for (let k = 0; k < 68; k++) e += Math.hypot(lm[2 * k] - truth[2 * k], lm[2 * k + 1] - truth[2 * k + 1]);
  return e / 68;
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const round = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
