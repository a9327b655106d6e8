// The precompute measured on the animated tale "The Golden Key": the tale is generated (shared
// fixture), precomputed exactly as the app does, and the precomputed per-frame landmarks of each
// role are compared with the generator's truth (what it drew): how many of the frames where the
// face is visible the precompute has (coverage), how many it claims where there is none, and the
// landmark error over the inter-ocular distance — per role, per shot, and for the frames where
// the branch covers part of the face. Runs in a temporary data dir removed at the end.
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { loadConfig } from '@talecast/config';
import { TaleTruth } from '@talecast/fixtures';
import { precomputeStory } from '@talecast/precompute';
import { loadStory } from '@talecast/render';
import { StorageCore } from '@talecast/storage';
import { sharedTale, tempDir } from '@talecast/testing';
import { locateFfmpeg } from '@talecast/video';

export interface TaleShotResult {
  name: string;
  frames: number;
  visible: number;
  covered: number;
  /** Mean landmark error / inter-ocular distance over covered visible frames (NaN if none). */
  error: number;
}

export interface TaleRoleResult {
  role: string;
  visibleFrames: number;
  /** Share of visible frames the precompute has the face in. */
  coverage: number;
  /** Frames where the precompute has the face but the truth has it out of the frame or turned away past 60°. */
  extraFrames: number;
  error: { mean: number; median: number; p90: number };
  /** Error where the branch covers part of the face. */
  occludedError: number;
  occludedFrames: number;
  shots: TaleShotResult[];
}

export interface TaleEvaluation {
  story: string;
  seconds: number;
  width: number;
  height: number;
  precomputeSeconds: number;
  roles: TaleRoleResult[];
}

export async function evaluateTale(options: { seconds: number; width?: number; height?: number; log?: (line: string) => void }): Promise<TaleEvaluation> {
  const log = options.log ?? (() => undefined);
  const width = options.width ?? 1280,
    height = options.height ?? 720;
  const tale = await sharedTale(options.seconds, { width, height });
  const truth: TaleTruth = JSON.parse(await fs.readFile(tale.groundTruth, 'utf8'));
  const dir = await tempDir('talecast-tale-eval-');
  try {
    const config = loadConfig({ ...process.env, TALECAST_DATA_DIR: dir.path });
    const storage = new StorageCore(config.roots);
    const ffmpeg = await locateFfmpeg();
    const storyId = `eval-golden-key-${options.seconds}s`;
    const t0 = performance.now();
    await precomputeStory(
      { storyId, video: tale.video, masks: tale.masks, title: storyId },
      { storage, ffmpeg, threads: 2, faceBackend: 'wasm', encoder: { ...config.encoder, threads: 0 } },
    );
    const precomputeSeconds = (performance.now() - t0) / 1000;
    log(`${storyId} (${width}x${height}): precomputed in ${precomputeSeconds.toFixed(1)} s`);
    const { frames } = await loadStory(storage, storyId);
    const roles: TaleRoleResult[] = [];
    for (const role of ['hero', 'friend'] as const) {
      const r = frames.roleIndex(role);
      const errors: number[] = [];
      const occluded: number[] = [];
      let visible = 0,
        covered = 0,
        extra = 0;
      const shots: TaleShotResult[] = truth.shots.map((s) => ({ name: s.name, frames: s.endFrame - s.startFrame, visible: 0, covered: 0, error: 0 }));
      for (const f of truth.frames) {
        const t = f.roles[role];
        const has = r >= 0 && frames.present(r, f.i);
        const shot = shots[f.shot];
        if (!t?.visible) {
          if (has && (!t || t.inFrame < 0.5)) extra++;
          continue;
        }
        visible++;
        shot.visible++;
        if (!has) continue;
        covered++;
        shot.covered++;
        const lm = frames.field(r, f.i, 'landmarks');
        let e = 0;
        for (let k = 0; k < 68; k++) e += Math.hypot(lm[2 * k] - t.landmarks[2 * k], lm[2 * k + 1] - t.landmarks[2 * k + 1]);
        e /= 68 * t.interOcular;
        errors.push(e);
        shot.error += e;
        if (t.occluded > 0) occluded.push(e);
      }
      for (const s of shots) s.error = s.covered > 0 ? round(s.error / s.covered) : NaN;
      const sorted = errors.slice().sort((a, b) => a - b);
      const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN);
      roles.push({
        role,
        visibleFrames: visible,
        coverage: round(visible ? covered / visible : NaN),
        extraFrames: extra,
        error: { mean: round(avg(errors)), median: round(q(0.5)), p90: round(q(0.9)) },
        occludedError: round(avg(occluded)),
        occludedFrames: occluded.length,
        shots,
      });
    }
    return { story: path.relative(process.cwd(), tale.video), seconds: options.seconds, width, height, precomputeSeconds: round(precomputeSeconds), roles };
  } finally {
    await dir.cleanup();
  }
}

export function printTaleTable(e: TaleEvaluation, print: (line: string) => void = console.log): void {
  const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : 'n/a');
  print(`\nprecompute vs the tale's truth (${e.story}, ${e.seconds} s, ${e.width}x${e.height}; error = mean landmark distance / inter-ocular distance)`);
  for (const r of e.roles) {
    print(
      `  ${r.role.padEnd(7)} coverage ${pct(r.coverage)} of ${r.visibleFrames} visible frames, ${r.extraFrames} extra; error mean ${pct(r.error.mean)} median ${pct(r.error.median)} p90 ${pct(r.error.p90)}; behind the branch ${pct(r.occludedError)} (${r.occludedFrames} fr)`,
    );
    print(
      `          ${r.shots
        .filter((s) => s.visible > 0)
        .map((s) => `${s.name} ${s.covered}/${s.visible} ${pct(s.error)}`)
        .join(' · ')}`,
    );
  }
}

function avg(v: number[]): number {
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

function round(v: number): number {
  return Math.round(v * 10000) / 10000;
}
