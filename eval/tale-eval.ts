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
import { FaceDetector, loadFaceModels } from '@talecast/face';
import { CompositeOptions, FrameCompositor, prepareFace } from '@talecast/compositor';
import { pointInPolygon } from '@talecast/geometry';
import { FrameData, precomputeStory, StoryManifest } from '@talecast/precompute';
import { loadStory } from '@talecast/render';
import { StorageCore } from '@talecast/storage';
import { sharedTale, tempDir } from '@talecast/testing';
import { FfmpegInfo, locateFfmpeg } from '@talecast/video';
import { FrameReader } from './frame-reader';
import { prepareChildFace } from './insertion-eval';
import { featureCover, featurePointName, yuvView } from './insertion-metrics';
import { renderTarget } from './precomputed-story';

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

/**
 * The drawn features under the insertion (issue 18: the character's eyes, brows, nose and mouth never show): per hero
 * frame composited in full (the yaw fade at 1), every drawn feature point of the truth and FEATURE_COVER.margin eye
 * distances outwards from it must lie where the insertion's alpha is at least FEATURE_COVER.alpha.
 */
export const FEATURE_COVER = { alpha: 0.5, margin: 0.1, share: 1 };

export interface TaleFeatureCoverResult {
  face: string;
  /** Hero frames checked: visible by the truth, in the precomputed track, composited without the yaw fade. */
  frames: number;
  /** Of those, frames where every feature point met FEATURE_COVER. */
  covered: number;
  share: number;
  /** The frame with the lowest alpha on a feature (null if no frame was checked). */
  worst: { frame: number; minAlpha: number; point: string; yaw: number } | null;
  /** The frames that missed (all of them). */
  missed: number[];
  /** Per missed frame: the lowest alpha, where, and the truth's yaw. */
  missedDetail: { frame: number; minAlpha: number; point: string; yaw: number }[];
  pass: boolean;
}

export interface TaleEvaluation {
  story: string;
  seconds: number;
  width: number;
  height: number;
  precomputeSeconds: number;
  roles: TaleRoleResult[];
  /** Per child face: the drawn features under the insertion (see FEATURE_COVER). */
  features: TaleFeatureCoverResult[];
  pass: boolean;
  failures: string[];
}

export async function evaluateTale(options: {
  seconds: number;
  width?: number;
  height?: number;
  /** The children's photos composited for the feature check (default sample1.jpg and sample6.jpg). */
  faces?: string[];
  log?: (line: string) => void;
}): Promise<TaleEvaluation> {
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
    const { manifest, frames } = await loadStory(storage, storyId);
    const features = await taleFeatureCover(storage, storyId, manifest, frames, truth, ffmpeg, options.faces ?? ['sample1.jpg', 'sample6.jpg']);
    for (const f of features) log(formatFeatureCover(f));
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
    const failures = features.filter((f) => !f.pass).map((f) => `tale features under the insertion × ${f.face}: ${formatFeatureCover(f)}`);
    return {
      story: path.relative(process.cwd(), tale.video),
      seconds: options.seconds,
      width,
      height,
      precomputeSeconds: round(precomputeSeconds),
      roles,
      features,
      pass: failures.length === 0,
      failures,
    };
  } finally {
    await dir.cleanup();
  }
}

/**
 * Composites each child's face into every hero frame of the precomputed tale `storyId` (in-process, as a render
 * segment does, with `options`: none in the eval) and checks the truth's drawn features against the insertion's alpha
 * (see FEATURE_COVER).
 */
export async function taleFeatureCover(
  storage: StorageCore,
  storyId: string,
  manifest: StoryManifest,
  frames: FrameData,
  truth: TaleTruth,
  ffmpeg: FfmpegInfo,
  faces: string[],
  options?: CompositeOptions,
): Promise<TaleFeatureCoverResult[]> {
  const { width, height, matrix, range } = manifest.video;
  const role = frames.roleIndex('hero');
  const occluders = manifest.roles.find((x) => x.name === 'hero')?.occluders ?? [];
  const models = await loadFaceModels('wasm');
  const detector = new FaceDetector(models);
  const children = [];
  for (const file of faces) {
    const c = await prepareChildFace(models, detector, file);
    const prepared = prepareFace({ rgba: c.render.rgba, size: c.render.size, landmarks: c.render.landmarks, matrix, range, style: manifest.story.style });
    children.push({
      name: c.name,
      prepared,
      frames: 0,
      covered: 0,
      missed: [] as TaleFeatureCoverResult['missedDetail'],
      worst: null as TaleFeatureCoverResult['worst'],
    });
  }
  const compositor = new FrameCompositor();
  const reader = new FrameReader(
    ffmpeg.ffmpeg,
    manifest.segments.map((s) => path.join(storage.storyDir(storyId), s.file)),
    width,
    height,
  );
  try {
    for (let i = 0; i < manifest.video.frameCount; i++) {
      const buf = await reader.next();
      if (!buf) break;
      const t = truth.frames[i]?.roles.hero;
      const target = role >= 0 ? renderTarget(frames, role, i, manifest.video, occluders) : null;
      if (!t?.visible || !target) continue;
      // Not checked: outside the frame, behind the drawn branch (the truth's) or inside the story's occluders (the
      // masks' "never paint over" polygons, where the character's own pixels stay by design).
      const branch = truth.frames[i].occluder?.flat() ?? null;
      const skip = (x: number, y: number) =>
        x < 0 ||
        y < 0 ||
        x >= width ||
        y >= height ||
        (branch !== null && pointInPolygon(branch, x, y)) ||
        target.occluders.some((o) => pointInPolygon(o, x, y));
      for (const ch of children) {
        const copy = Buffer.from(buf);
        const report = compositor.composite(yuvView(copy, width, height), ch.prepared, target, options);
        if (report.yawFade < 1) continue;
        const cover = featureCover(compositor.lastAlpha, report.bbox, t.landmarks, FEATURE_COVER.margin, skip);
        if (!cover.points) continue;
        ch.frames++;
        const here = { frame: i, minAlpha: round(cover.minAlpha), point: featurePointName(cover.worst), yaw: round(t.yaw) };
        if (cover.minAlpha >= FEATURE_COVER.alpha) ch.covered++;
        else ch.missed.push(here);
        if (!ch.worst || cover.minAlpha < ch.worst.minAlpha) ch.worst = here;
      }
    }
  } finally {
    reader.close();
  }
  return children.map((ch) => {
    const share = ch.frames ? ch.covered / ch.frames : NaN;
    return {
      face: ch.name,
      frames: ch.frames,
      covered: ch.covered,
      share: round(share),
      worst: ch.worst,
      missed: ch.missed.map((m) => m.frame),
      missedDetail: ch.missed,
      pass: ch.frames > 0 && share >= FEATURE_COVER.share,
    };
  });
}

/** One line for a feature-cover result. */
export function formatFeatureCover(f: TaleFeatureCoverResult): string {
  const w = f.worst ? `; worst frame ${f.worst.frame} (truth yaw ${f.worst.yaw}°): alpha ${f.worst.minAlpha} at ${f.worst.point}` : '';
  const missed = f.missed.length ? `; missed ${compactFrames(f.missed)}` : '';
  return `${f.face}: drawn features under the insertion in ${f.covered}/${f.frames} hero frames (${(100 * f.share).toFixed(1)}%)${w}${missed} ${f.pass ? 'ok' : 'MISSED'}`;
}

/** Frame numbers as runs: 20-27, 31. */
export function compactFrames(list: number[]): string {
  const out: string[] = [];
  for (let k = 0; k < list.length;) {
    let e = k;
    while (e + 1 < list.length && list[e + 1] === list[e] + 1) e++;
    out.push(e > k ? `${list[k]}-${list[e]}` : `${list[k]}`);
    k = e + 1;
  }
  return out.join(', ');
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
  print(
    `  drawn features (brows, nose, eyes with their corners, outer lips; +${FEATURE_COVER.margin} eye distances outwards) under insertion alpha ≥ ${FEATURE_COVER.alpha}, target ${(100 * FEATURE_COVER.share).toFixed(0)}% of the hero frames composited in full:`,
  );
  for (const f of e.features) print(`    ${formatFeatureCover(f)}`);
  if (!e.pass) print(`  MISSED: ${e.failures.join('; ')}`);
}

function avg(v: number[]): number {
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

function round(v: number): number {
  return Math.round(v * 10000) / 10000;
}
