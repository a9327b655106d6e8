// The insertion-quality evaluation: generated stories (shared fixtures with ground truth) are
// precomputed, rendered with children's faces from the sample photos, and the rendered frames
// are measured with the face model against the child's photo, the story's frames and the
// precomputed targets (identity, placement, stability, seam, untouched pixels). Everything runs
// in a temporary data dir that is removed at the end; only the report (and an optional contact
// sheet) leaves it. Must never change what it measures: the libs are used exactly as the app does.
import { CoverageReport, coverageFailures, formatCoverage, storyCoverage } from './coverage-metric';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharp } from '@talecast/face/sharp-image';
import { loadConfig } from '@talecast/config';
import {
  Box,
  DetectedFace,
  descriptorDistance,
  FaceDetector,
  interOcularDistance,
  IrisModel,
  lidOpennessByIrisModel,
  LoadedFaceModels,
  loadFaceModels,
  loadIrisModel,
  samplePhotoDirectory,
  turnedLandmarks,
  uprightLandmarks,
  LANDMARK_INPUT,
} from '@talecast/face';
import { FixtureVariant, GroundTruth, TaleTruth } from '@talecast/fixtures';
import { decodePhoto, workingCopy, alignFace, measureFace, ALIGNED_SIZE } from '@talecast/face-upload';
import { FrameData, precomputeStory, StoryManifest } from '@talecast/precompute';
import { closeRenderPool, loadStory, RenderFace, renderPool, renderVideo } from '@talecast/render';
import { FrameTarget, prepareFace, PreparedFace, yawFade } from '@talecast/compositor';
import { LidSynthesis } from './eye-synthesis';
import { newId, StorageCore } from '@talecast/storage';
import { sharedFixture, sharedTale, tempDir } from '@talecast/testing';
import { FfmpegInfo, locateFfmpeg } from '@talecast/video';
import { FrameReader } from './frame-reader';
import { identityDescriptor } from './identity-descriptor';
import {
  deltaE,
  faceOutline,
  generousFaceBox,
  landmarkCentre,
  landmarkDifference,
  landmarkError,
  landmarkGroupError,
  landmarkJitter,
  mean,
  percentile,
  PsnrAccumulator,
  RgbFrame,
  seamColours,
  seamProbes,
  yuvToRgb,
  yuvView,
} from './insertion-metrics';
import { renderTarget } from './precomputed-story';
import { CONTACT_TILE, ContactSheetBlock, writeContactSheet } from './contact-sheet';
import { normalisedLipProfile, readLipLine } from './lip-line';
import { followMeasure, FollowResult, MIN_VARIATION, pearson, profileStillness, STILL_MOUTH_RATIO, StillnessResult, stillnessMeasure } from './follow-metrics';
import { placedPose, POSE_POINTS, PoseDifference, poseDifference } from './pose-metric';
import { centroid, eyeOpening, LEFT_EYE, mouthOpenness, openMouthTo, RIGHT_EYE, signedLipGap } from '@talecast/geometry';

/** The fade weight (yawFade) at or above which the render counts as showing the child on a frame. */
const SHOWN_FADE = 0.5;

export const TARGETS = {
  /** Share of sampled hero frames whose output face is the child's. */
  identityShare: 0.95,
  /** A face is the child's when its descriptor is under this distance from the child's photo (and closer than to the story's face). */
  identityDistance: 0.5,
  /** Mean landmark error of the output face vs the precomputed target, over the inter-ocular distance. */
  placement: 0.05,
  /** PSNR outside the face (dB). */
  untouchedPsnr: 45,
  /**
   * On a drawn story (style 'toon') the child keeps its own inner proportions by design, so placement is
   * judged as a pose there (eval/pose-metric.ts): centre over the eye distance, size, roll.
   */
  pose: { centre: 0.05, scale: 0.05, rollDegrees: 3 },
  /** Correlation of the output's eye / mouth openness with the story character's (same instrument on both). */
  eyesCorrelation: 0.6,
  mouthCorrelation: 0.6,
} as const;

export interface EvaluationOptions {
  /** Length of each generated story. */
  seconds: number;
  variants: FixtureVariant[];
  /**
   * Further stories without ground truth (e.g. the animated fairy tale): video + masks file. Their
   * "truth" is the precomputed hero track (so the vs-truth figures say nothing there), their shots
   * the precompute's cuts, and there is no hero photo to calibrate identity against.
   */
  external?: { name: string; video: string; masks: string; seconds?: number }[];
  /** The generated animated fairy tale ("The Golden Key", with its drawn ground truth): its length (0 = not run) and size. */
  taleSeconds?: number;
  taleSize?: { width: number; height: number };
  /** Children's photos: file names in face-api's sample folder, or paths. */
  faces: string[];
  /** Identity and placement on every n-th hero frame. */
  sampleEvery?: number;
  /** Consecutive frames per hero shot for the jitter measure (0 = no stability measure). */
  windowFrames?: number;
  /** Frames per story on the contact sheet (0 = none). */
  sheetFrames?: number;
  /** Where the contact sheet PNG goes (null = not written). */
  contactSheet?: string | null;
  threads?: number;
  log?: (line: string) => void;
  /**
   * Validation of the instruments only (0 = off): the renders' hero mouth is made to open 0 → `mouthWobble` of its
   * width and close again every 20 frames (openMouthTo on the stored track before rendering; the measures keep the
   * precomputed target), so the still-mouth figure judges a render whose lips move on purpose.
   */
  mouthWobble?: number;
  /** Where each render's video.mp4 is copied (`<story> × <face>.mp4`) before its folder is removed (null = not kept). */
  keepRenders?: string | null;
}

export interface ChildFace {
  name: string;
  file: string;
  render: RenderFace;
  /** Identity descriptor of the photo (pose-normalised chip, see identity-descriptor.ts). */
  descriptor: Float32Array;
}

export interface RunResult {
  story: string;
  variant: FixtureVariant | 'external' | 'tale';
  face: string;
  renderSeconds: number;
  analysisSeconds: number;
  identity: {
    share: number;
    frames: number;
    passed: number;
    outputDetected: number;
    meanToChild: number;
    meanToStoryFace: number;
    worstToChild: number;
    /** Calibration: the child's photo vs the story hero's source photo. */
    childToStoryHeroPhoto: number;
    /** Calibration: the story's own face in its frames vs its source photo (what rendering into a frame costs). */
    storyFaceToHeroPhoto: number;
    failures: { frame: number; toChild: number | null; toStoryFace: number | null }[];
    /** Diagnostic: the share over frames whose precomputed target is within the placement target of
     *  the ground truth (where the story's data is right), and their count. */
    wherePrecomputeRight: number;
    wherePrecomputeRightFrames: number;
  };
  placement: {
    mean: number;
    inner: number;
    /** The jaw line alone (0–16): on a drawn story the character gives the outline and the pose, the
     *  child keeps its own inner proportions (TOON_CHILD_SHAPE), so the inner points are off by design. */
    jaw: number;
    p95: number;
    max: number;
    frames: number;
    /** The same instrument on the story's own face vs the precomputed target, and vs the ground truth. */
    detectorOnStoryFace: number;
    detectorVsTruth: number;
    precomputedVsTruth: number;
    /** The same figures with face-api's own landmarks (upright crop of its box) as the instrument. */
    uprightDetector: { mean: number; onStoryFace: number; vsTruth: number; outputVsTruth: number };
    /** The output face's detected landmarks vs the fixture's ground truth (where the story's face really is). */
    vsTruth: number;
    /** Diagnostic: vs the target, only over frames whose precomputed target is within the placement
     *  target of the ground truth (how the insertion does where the story's data is right), and their count. */
    wherePrecomputeRight: number;
    wherePrecomputeRightFrames: number;
    /** Worst sampled frames vs the target: [frame, error]. */
    worst: [number, number][];
    /**
     * The output face's pose (similarity fit on the brows, eyes and nose, eval/pose-metric.ts) against where the
     * compositor puts the child's own brows, eyes and nose on the target, mean over the sampled frames: centre
     * distance over the eye distance, |size − 1|, |roll| in degrees; `floor` = the same instrument on the story's
     * own face against the target. What placement is judged by on a drawn story.
     */
    pose: {
      centre: number;
      scale: number;
      rollDegrees: number;
      frames: number;
      floor: { centre: number; scale: number; rollDegrees: number };
      /** Diagnostic (what s7–s11 judged): the centre of all 68 points, jaw included, against the target's. */
      allPointsCentre: number;
    };
    /** What the pass is judged on: every landmark (photo stories) or the pose (drawn stories). */
    judgedBy: 'landmarks' | 'pose';
  };
  stability: {
    output: number;
    precomputed: number;
    detectorNoise: number;
    bound: number;
    ratio: number;
    storyFace: number;
    truth: number;
    outputResidual: number;
    frames: number;
    /** Output landmarks found in the story face's turned region vs measured from a full detection (same frames). */
    boxCheck: number | null;
  };
  seam: { output: number; original: number; excess: number; outputLightness: number; originalLightness: number; skinShift: number; frames: number };
  untouched: {
    copiedFrames: number;
    copiedIdentical: number;
    faceFrames: number;
    psnrOutsideFace: number;
    psnrOutsideFaceY: number;
    worstFramePsnr: number;
    worstFrame: number;
    faceFreeRenderedFrames: number;
    psnrFaceFreeRendered: number | null;
  };
  /**
   * Does the output face do what the story's does, per hero frame at the precomputed points: the eyes by the eye model
   * (libs/face iris-model.ts: lid gap over eye width, mean of both eyes) on the story's frame and the output (there at the
   * output face's own eye points, the landmark net's on the crop turned with the story's face) — on the drawn tale
   * the story's side is the character's drawn lids (the truth), and the output's side the child's lids read against the
   * same frame composited with them held open and held shut (eval/eye-synthesis.ts; `eyesIrisModel` keeps the iris model's
   * reading of the output, which misses the 640x360 far-shot blinks even on a render drawing the truth's lids); the mouth by the landmark net on the crop turned with the
   * story's face (inner-lip gap). Correlations and blinks; `applicable` is false where the story's openness hardly varies
   * (nothing to follow: no pass/fail then). `eyesLandmarkNet`: the eyes as the landmark net reads them on both (lid gap
   * over nose length; the figure before the eye model: it moved 7% for a shut eye on the tale's outputs). The mouth's
   * story side on the drawn tale is the character's drawn mouth opening too (the truth): the net's reading of the drawn
   * mouth follows it only at r 0.79 (1280x720), the output's mouth follows the truth at 0.70/0.78 but the net's story
   * reading at 0.44/0.39 — two instruments' noise, not the render's (docs/notes/2026-12-07-s8/blinks.md);
   * `mouthLandmarkNet` keeps the net-on-both figure.
   */
  follow: {
    eyes: FollowResult & { applicable: boolean; story: 'truth' | 'instrument' };
    eyesLandmarkNet: FollowResult & { applicable: boolean };
    eyesIrisModel: FollowResult & { applicable: boolean };
    mouth: FollowResult & { applicable: boolean; story: 'truth' | 'instrument' };
    /**
     * Where the truth says the story's mouth never moves (the photo fixtures' rigid hero), judged: how much the lip line's
     * pixels change within shots on the output against the same on the story (eval/lip-line.ts normalisedLipProfile: the
     * luma profile across the lip line in a window laid on the frame's target mouth, turned with the eye line and sized
     * by the eye distance; eval/follow-metrics.ts profileStillness); null where the story's mouth moves or has no truth.
     */
    mouthStill: StillnessResult | null;
    /**
     * The same judged by the landmark net's signed lip gap (signedLipGap, on the crop turned with the story's face): the
     * judged figure of sessions 11–12, kept to compare (not judged: on a relit child's closed mouth it reads the net's
     * noise, 1.53–1.57 on story a with the lips still by eye, docs/notes/2026-12-08-s13/mouth13.md).
     */
    mouthStillLandmarkNet: StillnessResult | null;
    mouthLandmarkNet: FollowResult & { applicable: boolean };
    /**
     * The lip line's darkness on the output against the story's mouth (the truth where there is one; `storyVsTruth`: the
     * same instrument on the story's own frames against the truth), a diagnostic that the pixel instrument follows a
     * moving mouth (the drawn tale); NaN correlations where the story's mouth is still.
     */
    mouthLipLine: FollowResult & { applicable: boolean; storyVsTruth: number };
  };
  pass: Record<'identity' | 'placement' | 'stability' | 'untouched' | 'seam' | 'eyes' | 'mouth', boolean>;
}

export interface StoryResult {
  story: string;
  variant: FixtureVariant | 'external' | 'tale';
  seconds: number;
  frames: number;
  heroFrames: number;
  precomputedHeroFrames: number;
  segments: { total: number; withFace: number };
  precomputeSeconds: number;
  /** The hero found where its face is visible (eval/coverage-metric.ts); null without ground truth. */
  coverage: CoverageReport | null;
  runs: RunResult[];
  /**
   * The precompute's per-frame eye data against the drawn truth (the tale only): lid openness
   * correlation and blinks (truth under half) found within ±1 frame, over both eyes; mean gaze error
   * (eye units) where the truth's eye is at least half open.
   */
  eyeData: { openCorrelation: number; blinks: number; blinksFound: number; gazeError: number; frames: number } | null;
}

export interface EvaluationReport {
  date: string;
  machine: { cores: number; node: string };
  faceBackend: string;
  ffmpeg: string;
  options: { seconds: number; variants: FixtureVariant[]; faces: string[]; sampleEvery: number; windowFrames: number };
  targets: typeof TARGETS;
  stories: StoryResult[];
  pass: boolean;
  failures: string[];
  seconds: number;
}

/** Same detector settings as the fixture's ground-truth check: a face is looked for everywhere. */
export const DETECT = { minConfidence: 0.3 } as const;

export async function evaluateInsertion(options: EvaluationOptions): Promise<EvaluationReport> {
  const started = performance.now();
  const log = options.log ?? (() => undefined);
  const sampleEvery = options.sampleEvery ?? 3;
  const windowFrames = options.windowFrames ?? 15;
  const sheetFrames = options.sheetFrames ?? 8;
  const threads = options.threads ?? 2;
  const ffmpeg = await locateFfmpeg();
  const models = await loadFaceModels('wasm');
  const eyeModel = await loadIrisModel(models);
  const detector = new FaceDetector(models);
  const dir = await tempDir('talecast-eval-');
  // The encoder the app is configured with (TALECAST_X264_PRESET / _CRF), so the eval measures what parents get.
  const config = loadConfig({ ...process.env, TALECAST_DATA_DIR: dir.path });
  const storage = new StorageCore(config.roots);
  const encoder = { ...config.encoder, threads: 0 };
  const pool = renderPool(threads);
  const stories: StoryResult[] = [];
  const sheet: ContactSheetBlock[] = [];
  try {
    const faces: ChildFace[] = [];
    for (const f of options.faces) faces.push(await prepareChildFace(models, detector, f));
    log(`children: ${faces.map((f) => f.name).join(', ')}`);

    const inputs: { variant: FixtureVariant | 'external' | 'tale'; name?: string; video?: string; masks?: string }[] = [
      ...options.variants.map((variant) => ({ variant })),
      ...(options.taleSeconds ? [{ variant: 'tale' as const }] : []),
      ...(options.external ?? []).map((e) => ({ variant: 'external' as const, ...e })),
    ];
    for (const input of inputs) {
      const variant = input.variant;
      const fixture = variant === 'external' || variant === 'tale' ? null : await sharedFixture(options.seconds, variant);
      const tale = variant === 'tale' ? await sharedTale(options.taleSeconds!, options.taleSize ?? { width: 640, height: 360 }) : null;
      if (tale) {
        input.name = `golden-key-${tale.width}x${tale.height}-${tale.seconds}s`;
        input.video = tale.video;
        input.masks = tale.masks;
      }
      const storyId = fixture ? `eval-${variant}-${options.seconds}s` : `eval-${input.name}`;
      const t0 = performance.now();
      const pre = await precomputeStory(
        { storyId, video: fixture?.video ?? input.video!, masks: fixture?.masks ?? input.masks!, title: storyId },
        { storage, ffmpeg, threads, faceBackend: 'wasm', encoder },
      );
      const precomputeSeconds = (performance.now() - t0) / 1000;
      log(`${storyId}: precomputed in ${precomputeSeconds.toFixed(1)} s (${pre.faceFrames.hero} hero frames, ${pre.segments} segments)`);
      const { manifest, frames } = await loadStory(storage, storyId);
      const role = frames.roleIndex('hero');
      const truthFile = fixture?.groundTruth ?? tale?.groundTruth;
      const truth: GroundTruth = truthFile
        ? JSON.parse(await fs.readFile(truthFile, 'utf8'))
        : precomputedTruth(manifest, (i) => (frames.present(role, i) ? frames.field(role, i, 'landmarks') : null));
      let heroPhotoDescriptor: Float32Array | null = null;
      if (fixture) {
        const heroPhoto = await photoFace(detector, fixture.heroPhoto);
        heroPhotoDescriptor = await identityDescriptor(models, heroPhoto.image, heroPhoto.landmarks);
      }

      const plan = framePlan(truth, sampleEvery, windowFrames, sheetFrames, (i) => frames.present(role, i));
      const story: StoryResult = {
        story: storyId,
        variant,
        seconds: fixture ? options.seconds : round(truth.frameCount / truth.fps),
        frames: truth.frameCount,
        heroFrames: truth.frames.filter((f) => f.hero).length,
        precomputedHeroFrames: pre.faceFrames.hero,
        segments: { total: manifest.segments.length, withFace: manifest.segments.filter((s) => s.hasFace).length },
        precomputeSeconds: round(precomputeSeconds),
        runs: [],
        eyeData: eyeDataVsTruth(truth as GroundTruth & Partial<TaleTruth>, frames, role),
        coverage: truthFile
          ? storyCoverage(
              truth,
              (i) => frames.present(role, i),
              (i) => frames.field(role, i, 'landmarks'),
              interOcularDistance,
            )
          : null,
      };
      if (story.coverage) log(`${storyId}: coverage ${formatCoverage(story.coverage)}`);
      const block: ContactSheetBlock = {
        title: fixture ? `story ${variant} (${fixture.seconds} s)` : `${input.name} (${story.seconds} s)`,
        frames: plan.sheet,
        rows: [],
      };
      const storyFaces = new Map<number, StoryFace | null>();
      const occluders = manifest.roles.find((x) => x.name === 'hero')?.occluders ?? [];
      const storyOpenness = new Map<number, [number, number, number, number] | null>();

      for (const face of faces) {
        const r0 = performance.now();
        const renderId = newId();
        const restore = options.mouthWobble ? await wobbleStoredMouth(storage, storyId, manifest, frames, role, options.mouthWobble) : null;
        try {
          await renderVideo({ renderId, storyId, faces: { hero: [face.render] } }, { storage, ffmpeg, pool, encoder });
        } finally {
          await restore?.();
        }
        const renderSeconds = (performance.now() - r0) / 1000;
        if (options.keepRenders) {
          await fs.mkdir(options.keepRenders, { recursive: true });
          await fs.copyFile(
            storage.renderFile(renderId, 'video.mp4'),
            path.join(options.keepRenders, `${storyId} × ${face.name.replace(/\.[a-z]+$/i, '')}.mp4`),
          );
        }
        const a0 = performance.now();
        const measured = await measureRun({
          ffmpeg,
          models,
          detector,
          truth,
          fixtureTruth: !!truthFile,
          plan,
          face,
          heroPhotoDescriptor,
          storyFaces,
          storyOpenness,
          eyeModel,
          output: storage.renderFile(renderId, 'video.mp4'),
          readyMedia: manifest.segments.map((s) => path.join(storage.storyDir(storyId), s.file)),
          storyVideo: fixture?.video ?? input.video!,
          manifest: {
            width: manifest.video.width,
            height: manifest.video.height,
            matrix: manifest.video.matrix,
            range: manifest.video.range,
            segments: manifest.segments,
            style: manifest.story.style,
          },
          target: (i) => (frames.present(role, i) ? frames.field(role, i, 'landmarks') : null),
          frameTarget: (i) => renderTarget(frames, role, i, manifest.video, occluders),
          prepared: prepareFace({
            rgba: face.render.rgba,
            size: face.render.size,
            landmarks: face.render.landmarks,
            matrix: manifest.video.matrix,
            range: manifest.video.range,
            style: manifest.story.style,
          }),
          childShown: (i) => frames.present(role, i) && yawFade(frames.field(role, i, 'yaw')[0]) >= SHOWN_FADE,
          sheetRow: block,
        });
        const run: RunResult = {
          story: storyId,
          variant,
          face: face.name,
          renderSeconds: round(renderSeconds),
          analysisSeconds: round((performance.now() - a0) / 1000),
          ...measured,
        };
        story.runs.push(run);
        log(`${storyId} × ${face.name}: rendered in ${renderSeconds.toFixed(1)} s, measured in ${run.analysisSeconds} s`);
        await fs.rm(storage.renderDir(renderId), { recursive: true, force: true });
      }
      stories.push(story);
      if (block.frames.length) sheet.push(block);
    }
    if (options.contactSheet && sheet.length) {
      await writeContactSheet(options.contactSheet, sheet, ['original', 'original: eyes', ...faces.flatMap((f) => [`output: ${f.name}`, `eyes: ${f.name}`])]);
    }
  } finally {
    await closeRenderPool();
    await dir.cleanup();
  }

  const failures: string[] = stories.flatMap((s) => (s.coverage ? coverageFailures(s.story, s.coverage) : []));
  for (const s of stories) {
    for (const r of s.runs) {
      for (const [k, ok] of Object.entries(r.pass)) if (!ok) failures.push(`${s.story} × ${r.face}: ${k}`);
    }
  }
  return {
    date: new Date().toISOString(),
    machine: { cores: os.availableParallelism(), node: process.version },
    faceBackend: detector.backend,
    ffmpeg: ffmpeg.version,
    options: { seconds: options.seconds, variants: options.variants, faces: options.faces, sampleEvery, windowFrames },
    targets: TARGETS,
    stories,
    pass: failures.length === 0,
    failures,
    seconds: round((performance.now() - started) / 1000),
  };
}

/** A photo's largest face, found and measured as the upload service does (on a working copy ≤ 1280 px). */
async function photoFace(detector: FaceDetector, file: string): Promise<{ image: RgbFrame; landmarks: Float32Array; face: DetectedFace }> {
  const photo = await decodePhoto(await fs.readFile(file), 50_000_000);
  const working = await workingCopy(photo, 1280);
  const [face] = await detector.detectAll(working, { expressions: true, minConfidence: 0.5 });
  if (!face?.expressions) throw new Error(`no usable face in ${file}`);
  const landmarks = await detector.refineLandmarks(working, face.landmarks);
  return { image: { data: photo.data, width: photo.width, height: photo.height }, landmarks: Float32Array.from(landmarks, (v) => v / working.scale), face };
}

/** The child's photo as the upload service makes it (largest face, aligned), plus its identity. */
export async function prepareChildFace(models: LoadedFaceModels, detector: FaceDetector, file: string): Promise<ChildFace> {
  const full = path.isAbsolute(file) ? file : path.join(samplePhotoDirectory(), file);
  const { image, landmarks, face } = await photoFace(detector, full);
  const aligned = alignFace(image.data, image.width, image.height, landmarks, ALIGNED_SIZE);
  return {
    name: path.basename(file),
    file: full,
    descriptor: await identityDescriptor(models, image, landmarks),
    render: {
      id: newId(),
      size: ALIGNED_SIZE,
      rgba: aligned.rgba,
      landmarks: aligned.landmarks,
      expressionScores: face.expressions!,
      yaw: measureFace(landmarks, 0, 0).yaw,
    },
  };
}

/** The precomputed eye fields against the tale's drawn eyes (null for stories without eye truth). */
function eyeDataVsTruth(truth: GroundTruth & Partial<TaleTruth>, frames: FrameData, role: number): StoryResult['eyeData'] {
  if (truth.kind !== 'tale' || role < 0) return null;
  const t = truth as unknown as TaleTruth;
  const pre: number[][] = [[], []],
    gt: number[][] = [[], []];
  const gazeErr: number[] = [];
  for (const f of t.frames) {
    const hero = f.roles.hero;
    const has = frames.present(role, f.i) && frames.hasEyes(role, f.i);
    for (const e of [0, 1]) {
      pre[e].push(has ? frames.field(role, f.i, 'eyeOpen')[e] : NaN);
      gt[e].push(hero?.visible ? hero.eyes[e].open : NaN);
      if (has && hero?.visible && hero.eyes[e].open >= 0.5) {
        const g = frames.field(role, f.i, 'gaze');
        gazeErr.push(Math.hypot(g[2 * e] - hero.eyes[e].gaze[0], g[2 * e + 1] - hero.eyes[e].gaze[1]));
      }
    }
  }
  // Both eyes as one series: the truth is already in "this character's" units, so no normalisation.
  const a = [...gt[0], ...gt[1]],
    b = [...pre[0], ...pre[1]];
  const blinks = followMeasure(gt[0], pre[0], true),
    blinksLeft = followMeasure(gt[1], pre[1], true);
  const { r, n } = pearson(a, b);
  return {
    openCorrelation: round(r, 3),
    frames: n,
    blinks: blinks.blinks + blinksLeft.blinks,
    blinksFound: blinks.blinksShown + blinksLeft.blinksShown,
    gazeError: round(mean(gazeErr), 3),
  };
}

/**
 * A stand-in ground truth for a story that has none: the hero is where the precompute put it
 * (so placement "vs truth" equals vs target there), shots run between the precompute's cuts.
 */
function precomputedTruth(manifest: StoryManifest, target: (i: number) => Float32Array | null): GroundTruth {
  const n = manifest.video.frameCount;
  const frames = Array.from({ length: n }, (_, i) => {
    const t = target(i);
    return { i, hero: t ? Array.from(t) : null, distractor: null };
  });
  const bounds = [0, ...manifest.cuts.filter((c) => c > 0 && c < n), n];
  const shots = bounds.slice(0, -1).map((start, k) => {
    const end = bounds[k + 1];
    const hero = frames.slice(start, end).some((f) => f.hero);
    return { kind: (hero ? 'hero' : 'empty') as 'hero' | 'empty', startFrame: start, endFrame: end };
  });
  return { version: 1, width: manifest.video.width, height: manifest.video.height, fps: manifest.video.fps, frameCount: n, shots, cuts: manifest.cuts, frames };
}

export interface FramePlan {
  /** Every n-th hero frame (ground truth): identity and placement. */
  sampled: Set<number>;
  /** Runs of consecutive hero frames, one per hero shot: jitter. */
  windows: number[][];
  inWindow: Set<number>;
  /** Frames on the contact sheet. */
  sheet: number[];
}

export function framePlan(truth: GroundTruth, every: number, window: number, sheetCount: number, present: (i: number) => boolean): FramePlan {
  const hero = truth.frames.filter((f) => f.hero).map((f) => f.i);
  const sampled = hero.filter((_, k) => k % every === 0);
  const sampledSet = new Set(sampled);
  const windows: number[][] = [];
  for (const shot of truth.shots) {
    if (shot.kind === 'empty' || window < 3) continue;
    const len = Math.min(window, shot.endFrame - shot.startFrame);
    const start = shot.startFrame + Math.floor((shot.endFrame - shot.startFrame - len) / 2);
    windows.push(Array.from({ length: len }, (_, k) => start + k));
  }
  const candidates = sampled.filter(present);
  const sheet: number[] = [];
  for (let k = 0; k < sheetCount && candidates.length; k++) {
    const i = candidates[Math.min(candidates.length - 1, Math.round(((k + 0.5) / sheetCount) * candidates.length - 0.5))];
    if (!sheet.includes(i)) sheet.push(i);
  }
  // The first hero frame after each cut (up to 4): where a shot's first frames go wrong.
  let afterCuts = 0;
  for (const c of truth.cuts) {
    if (afterCuts >= 4 || sheetCount === 0) break;
    const first = hero.find((i) => i >= c && i < c + 3 && present(i));
    if (first !== undefined && !sheet.includes(first)) {
      sheet.push(first);
      afterCuts++;
    }
  }
  sheet.sort((a, b) => a - b);
  // Those frames are measured (the sheet reads them in the measuring pass).
  for (const i of sheet) sampledSet.add(i);
  return { sampled: sampledSet, windows, inWindow: new Set(windows.flat()), sheet };
}

/** The story's own hero face in one frame (shared by the story's runs). */
interface StoryFace {
  box: Box;
  /** Full detection's landmarks. */
  landmarks: Float32Array;
  /** Measured again on a crop turned with the face (the placement instrument, see uprightLandmarks). */
  placed?: Float32Array;
  /** Landmarks found in the region turned with this face, as the output's are in window frames (same crop, same net). */
  tracked?: Float32Array;
  descriptor?: Float32Array;
}

interface RunInput {
  ffmpeg: FfmpegInfo;
  models: LoadedFaceModels;
  detector: FaceDetector;
  truth: GroundTruth;
  /** The truth is a fixture's (photo fixture or tale), not the precomputed track standing in for it (external stories). */
  fixtureTruth: boolean;
  plan: FramePlan;
  face: ChildFace;
  heroPhotoDescriptor: Float32Array | null;
  storyFaces: Map<number, StoryFace | null>;
  /** The story face's [eye opening by the landmark net, mouth openness, eye openness by the eye model, signed lip gap] per frame (shared by the story's runs; null = not measured). */
  storyOpenness: Map<number, [number, number, number, number] | null>;
  eyeModel: IrisModel;
  output: string;
  readyMedia: string[];
  storyVideo: string;
  manifest: {
    width: number;
    height: number;
    matrix: 'bt601' | 'bt709';
    range: 'tv' | 'pc';
    segments: { start: number; end: number; hasFace: boolean }[];
    style: 'photo' | 'toon';
  };
  target: (i: number) => Float32Array | null;
  /** The render's whole target on frame i (landmarks, colour, yaw, mouth, occluders, eyes), for the eye instrument's open and shut renders. */
  frameTarget: (i: number) => FrameTarget | null;
  /** The child's face as the render prepares it. */
  prepared: PreparedFace;
  /** Whether the render shows the child on frame i at all: a head turned towards profile fades it out (yawFade). */
  childShown: (i: number) => boolean;
  sheetRow: ContactSheetBlock;
}

interface OutputFace {
  /** Full detection (sampled frames). */
  detected: DetectedFace | null;
  /** The detection's landmarks measured again on a crop turned with the face (placement). */
  placed: Float32Array | null;
  descriptor: Float32Array | null;
  /** Landmarks found in the region turned with the story's face (window frames). */
  tracked: Float32Array | null;
  seam: { output: number; original: number; outL: number; origL: number; skinShift: number } | null;
}

type Measured = Omit<RunResult, 'story' | 'variant' | 'face' | 'renderSeconds' | 'analysisSeconds'>;

async function measureRun(input: RunInput): Promise<Measured> {
  const { width, height, matrix, range, segments } = input.manifest;
  const { plan, detector, models, truth } = input;
  const out = new FrameReader(input.ffmpeg.ffmpeg, input.output, width, height);
  const ready = new FrameReader(input.ffmpeg.ffmpeg, input.readyMedia, width, height);
  const story = new FrameReader(input.ffmpeg.ffmpeg, input.storyVideo, width, height);
  const outside = new PsnrAccumulator();
  const outsideY = new PsnrAccumulator();
  const faceFree = new PsnrAccumulator();
  let copiedFrames = 0,
    copiedIdentical = 0,
    faceFrames = 0,
    faceFreeRendered = 0;
  const measures = new Map<number, OutputFace>();
  // The story's own frames go on the sheet once, with the story's first run.
  const needOriginals = input.sheetRow.rows.length === 0;
  const sheetOriginals: Buffer[] = [],
    sheetOutputs: Buffer[] = [],
    sheetOriginalEyes: Buffer[] = [],
    sheetOutputEyes: Buffer[] = [];
  const opennessStory = { eyes: new Float64Array(truth.frameCount).fill(NaN), mouth: new Float64Array(truth.frameCount).fill(NaN) };
  const opennessOut = { eyes: new Float64Array(truth.frameCount).fill(NaN), mouth: new Float64Array(truth.frameCount).fill(NaN) };
  const opennessOutIris = new Float64Array(truth.frameCount).fill(NaN);
  const lidSynthesis = new LidSynthesis();
  const opennessStoryNet = new Float64Array(truth.frameCount).fill(NaN),
    opennessOutNet = new Float64Array(truth.frameCount).fill(NaN);
  const storyEyes = drawnEyeOpenness(truth);
  const storyMouth = input.fixtureTruth ? drawnMouthOpenness(truth) : null;
  const mouthStoryNet = new Float64Array(truth.frameCount).fill(NaN);
  const lipGap = { story: new Float64Array(truth.frameCount).fill(NaN), output: new Float64Array(truth.frameCount).fill(NaN) };
  const lipLine = { story: new Float64Array(truth.frameCount).fill(NaN), output: new Float64Array(truth.frameCount).fill(NaN) };
  const lipProfile = {
    story: new Array<Float64Array | null>(truth.frameCount).fill(null),
    output: new Array<Float64Array | null>(truth.frameCount).fill(null),
  };
  try {
    for (let i = 0; i < truth.frameCount; i++) {
      const [o, r, s] = await Promise.all([out.next(), ready.next(), story.next()]);
      if (!o || !r || !s) throw new Error(`frame ${i}: a video ended early (output ${!!o}, render-ready ${!!r}, story ${!!s})`);
      const seg = segments.find((x) => i >= x.start && i < x.end)!;
      const target = input.target(i);
      const ov = yuvView(o, width, height),
        rv = yuvView(r, width, height);
      // Untouched: copied segments must be the story's media bit for bit; composited frames must
      // match the render's input outside the face (re-encoding is the only other change).
      if (!seg.hasFace) {
        copiedFrames++;
        if (o.equals(r)) copiedIdentical++;
      } else if (target) {
        faceFrames++;
        const box = generousFaceBox(target, width, height);
        outside.frame(i, ov, rv, box, 'yuv');
        outsideY.frame(i, ov, rv, box, 'y');
      } else {
        faceFreeRendered++;
        faceFree.frame(i, ov, rv, null, 'yuv');
      }
      const sampled = plan.sampled.has(i),
        inWindow = plan.inWindow.has(i);
      if (!sampled && !inWindow && !target) continue;

      const outRgb = yuvToRgb(ov, matrix, range);
      const storyRgb = yuvToRgb(yuvView(s, width, height), matrix, range);
      if (target) {
        let so = input.storyOpenness.get(i);
        if (so === undefined) {
          const net = openness(await turnedLandmarks(models, storyRgb, target, turnedInput));
          so = net ? [net[0], net[1], meanOf(await lidOpennessByIrisModel(input.eyeModel, storyRgb, target)), net[2]] : null;
          input.storyOpenness.set(i, so);
        }
        const outNet = await turnedLandmarks(models, outRgb, target, turnedInput);
        const oo = openness(outNet);
        // The lip line's pixels in the window on the target mouth (where the render puts the child's), on both frames.
        if (input.childShown(i)) {
          lipLine.story[i] = readLipLine(storyRgb, target);
          lipLine.output[i] = readLipLine(outRgb, target);
          lipProfile.story[i] = normalisedLipProfile(storyRgb, target);
          lipProfile.output[i] = normalisedLipProfile(outRgb, target);
        }
        // The child's eyes and mouth are measured where the child is shown: on a head turned far
        // towards profile the render fades the child out, and the instruments read the drawn head there.
        if (so && oo && input.childShown(i)) {
          // Eyes: the eye model on both (the character's drawn lids from the truth where known); the landmark net on both beside it.
          // On the output the model's crops sit on the output face's own eyes (the net's points): with the child's own
          // proportions kept, the child's eye is neither where nor as large as the drawn one the target points describe
          // (a crop sized for the drawn eye read the child's shut eye at 0.5 of open, an eyeless skin patch at 0.63).
          opennessStory.eyes[i] = storyEyes ? storyEyes[i] : so[2];
          // Against the drawn truth, the child's lids are read by analysis by synthesis (eval/eye-synthesis.ts): the
          // iris model cannot read a far shot's ~7 px child eye even where the render draws the truth's lids (kept
          // beside it as a diagnostic). Against a story read by the iris model, the output is read by it too.
          opennessOutIris[i] = meanOf(await lidOpennessByIrisModel(input.eyeModel, outRgb, outNet));
          const ft = storyEyes ? input.frameTarget(i) : null;
          const lids = ft ? lidSynthesis.read(o, r, width, height, input.prepared, ft) : null;
          opennessOut.eyes[i] = storyEyes ? (lids ? meanOf(lids) : NaN) : opennessOutIris[i];
          opennessStoryNet[i] = so[0];
          opennessOutNet[i] = oo[0];
          opennessStory.mouth[i] = storyMouth ? storyMouth[i] : so[1];
          mouthStoryNet[i] = so[1];
          opennessOut.mouth[i] = oo[1];
          lipGap.story[i] = so[3];
          lipGap.output[i] = oo[2];
        }
      }
      if (!sampled && !inWindow) continue;
      const reference = target ?? truth.frames[i].hero;
      let sf = input.storyFaces.get(i);
      if (sf === undefined) {
        const d = pick(await detector.detectAll(storyRgb, DETECT), reference);
        sf = d ? { box: d.box, landmarks: d.landmarks } : null;
        input.storyFaces.set(i, sf);
      }
      if (sf && inWindow && !sf.tracked) sf.tracked = await turnedLandmarks(models, storyRgb, sf.landmarks, turnedInput);
      if (sf && sampled && !sf.descriptor) sf.descriptor = await identityDescriptor(models, storyRgb, sf.landmarks);
      if (sf && sampled && !sf.placed) sf.placed = await uprightLandmarks(models, storyRgb, sf.landmarks);

      const m: OutputFace = { detected: null, placed: null, descriptor: null, tracked: null, seam: null };
      if (sampled) {
        m.detected = pick(await detector.detectAll(outRgb, DETECT), reference);
        if (m.detected) {
          m.descriptor = await identityDescriptor(models, outRgb, m.detected.landmarks);
          m.placed = await uprightLandmarks(models, outRgb, m.detected.landmarks);
        }
      }
      if (inWindow && sf) m.tracked = await turnedLandmarks(models, outRgb, sf.landmarks, turnedInput);
      if (target) m.seam = seam(outRgb, storyRgb, target);
      measures.set(i, m);
      if (plan.sheet.includes(i) && reference) {
        if (needOriginals) {
          sheetOriginals.push(await faceTile(storyRgb, reference));
          sheetOriginalEyes.push(await faceTile(storyRgb, reference, 'eyes'));
        }
        sheetOutputs.push(await faceTile(outRgb, reference));
        sheetOutputEyes.push(await faceTile(outRgb, reference, 'eyes'));
      }
    }
    if (await out.next()) throw new Error('the output has more frames than the story');
  } finally {
    out.close();
    ready.close();
    story.close();
  }
  if (sheetOriginals.length) input.sheetRow.rows.push(sheetOriginals, sheetOriginalEyes);
  if (sheetOutputs.length) input.sheetRow.rows.push(sheetOutputs, sheetOutputEyes);

  // Identity: the output face is the child's, not the story's.
  const failures: RunResult['identity']['failures'] = [];
  const toChild: number[] = [],
    toStory: number[] = [],
    storyToHero: number[] = [];
  let passed = 0,
    detected = 0,
    rightFrames = 0,
    rightPassed = 0;
  for (const i of plan.sampled) {
    const m = measures.get(i)!;
    const sf = input.storyFaces.get(i);
    if (sf?.descriptor && input.heroPhotoDescriptor) storyToHero.push(descriptorDistance(sf.descriptor, input.heroPhotoDescriptor));
    const dc = m.descriptor ? descriptorDistance(m.descriptor, input.face.descriptor) : null;
    const ds = m.descriptor && sf?.descriptor ? descriptorDistance(m.descriptor, sf.descriptor) : null;
    if (dc !== null) {
      detected++;
      toChild.push(dc);
    }
    if (ds !== null) toStory.push(ds);
    const ok = dc !== null && dc < TARGETS.identityDistance && (ds === null || dc < ds);
    const target = input.target(i),
      gt = truth.frames[i].hero;
    const right = !!target && !!gt && landmarkError(target, gt) <= TARGETS.placement;
    if (right) rightFrames++;
    if (ok && right) rightPassed++;
    if (ok) passed++;
    else failures.push({ frame: i, toChild: dc === null ? null : round(dc, 3), toStoryFace: ds === null ? null : round(ds, 3) });
  }
  const share = plan.sampled.size ? passed / plan.sampled.size : 0;

  // Placement: the output face's landmarks (found by the detector, measured on a crop turned with
  // the face) against the precomputed target; face-api's own upright-crop landmarks for comparison.
  const errors: number[] = [],
    inner: number[] = [],
    jaw: number[] = [],
    onStory: number[] = [],
    storyVsTruth: number[] = [],
    preVsTruth: number[] = [];
  const outVsTruth: number[] = [],
    perFrame: [number, number][] = [],
    whereRight: number[] = [];
  const upright = { errors: [] as number[], onStory: [] as number[], storyVsTruth: [] as number[], outVsTruth: [] as number[] };
  const poses: PoseDifference[] = [],
    storyPoses: PoseDifference[] = [],
    allPointCentres: number[] = [];
  const drawn = input.manifest.style === 'toon';
  for (const i of plan.sampled) {
    const target = input.target(i);
    const m = measures.get(i)!;
    const sf = input.storyFaces.get(i);
    const gt = truth.frames[i].hero;
    if (sf?.placed && gt) storyVsTruth.push(landmarkError(sf.placed, gt));
    if (sf && gt) upright.storyVsTruth.push(landmarkError(sf.landmarks, gt));
    if (!target) continue;
    if (m.detected && m.placed) {
      errors.push(landmarkError(m.placed, target));
      inner.push(innerError(m.placed, target));
      jaw.push(landmarkGroupError(m.placed, target, 0, 17));
      perFrame.push([i, round(errors[errors.length - 1], 4)]);
      if (gt) outVsTruth.push(landmarkError(m.placed, gt));
      if (gt && landmarkError(target, gt) <= TARGETS.placement) whereRight.push(errors[errors.length - 1]);
      poses.push(placedPose(m.placed, input.face.render.landmarks, target, drawn));
      allPointCentres.push(poseDifference(m.placed, target).centre);
      upright.errors.push(landmarkError(m.detected.landmarks, target));
      if (gt) upright.outVsTruth.push(landmarkError(m.detected.landmarks, gt));
    }
    if (sf?.placed) {
      onStory.push(landmarkError(sf.placed, target));
      storyPoses.push(poseDifference(sf.placed, target, POSE_POINTS));
    }
    if (sf) upright.onStory.push(landmarkError(sf.landmarks, target));
    if (gt) preVsTruth.push(landmarkError(target, gt));
  }

  // Stability: jitter of the output face vs the precomputed track, the detector's own noise
  // (its landmarks on the story's frames minus the ground truth) and the truth itself.
  const acc = { output: [0, 0], pre: [0, 0], noise: [0, 0], story: [0, 0], truth: [0, 0], residual: [0, 0] };
  const add = (k: keyof typeof acc, j: { value: number; terms: number }) => {
    acc[k][0] += j.value * j.terms;
    acc[k][1] += j.terms;
  };
  let windowFrames = 0;
  const boxCheck: number[] = [];
  for (const w of plan.windows) {
    // A window needs the face in every frame (a drawn story's hero can leave a shot's middle).
    if (w.some((i) => !input.target(i) && !truth.frames[i].hero)) continue;
    const iod = w.map((i) => interOcularDistance(input.target(i) ?? truth.frames[i].hero!));
    const outLm = w.map((i) => measures.get(i)?.tracked ?? null);
    const storyLm = w.map((i) => input.storyFaces.get(i)?.tracked ?? null);
    const pre = w.map((i) => input.target(i));
    const gt = w.map((i) => truth.frames[i].hero);
    add('output', landmarkJitter(outLm, iod));
    add('pre', landmarkJitter(pre, iod));
    add('story', landmarkJitter(storyLm, iod));
    add('truth', landmarkJitter(gt, iod));
    add(
      'noise',
      landmarkJitter(
        w.map((_, k) => landmarkDifference(storyLm[k], gt[k])),
        iod,
      ),
    );
    add(
      'residual',
      landmarkJitter(
        w.map((_, k) => landmarkDifference(outLm[k], pre[k])),
        iod,
      ),
    );
    windowFrames += w.length;
    for (const i of w) {
      const m = measures.get(i);
      if (m?.placed && m.tracked) boxCheck.push(landmarkError(m.tracked, m.placed));
    }
  }
  const j = (k: keyof typeof acc) => (acc[k][1] ? acc[k][0] / acc[k][1] : NaN);
  const bound = j('pre') + j('noise');

  // Seam: colour contrast across the mask's edge, output vs the story's own frame.
  const seams = [...measures.values()].map((m) => m.seam).filter((x): x is NonNullable<OutputFace['seam']> => x !== null);
  const seamOut = mean(seams.map((x) => x.output)),
    seamOrig = mean(seams.map((x) => x.original));

  const placementMean = mean(errors);
  const pose = meanPose(poses),
    poseFloor = meanPose(storyPoses);
  const judgedBy = input.manifest.style === 'toon' ? ('pose' as const) : ('landmarks' as const);
  const eyes = followMeasure(opennessStory.eyes, opennessOut.eyes, true),
    mouth = followMeasure(opennessStory.mouth, opennessOut.mouth, false);
  const sameInstrument = followMeasure(opennessStoryNet, opennessOutNet, true);
  const eyesIris = followMeasure(opennessStory.eyes, opennessOutIris, true);
  const mouthNet = followMeasure(mouthStoryNet, opennessOut.mouth, false);
  const mouthPixels = followMeasure(storyMouth ?? opennessStory.mouth, lipLine.output, false);
  const mouthFollowed = mouth.storyVariation >= MIN_VARIATION;
  const shotOf = Float64Array.from({ length: truth.frameCount }, (_, i) => truth.shots.findIndex((x) => i >= x.startFrame && i < x.endFrame));
  const follow = {
    eyes: { ...roundFollow(eyes), applicable: eyes.storyVariation >= MIN_VARIATION, story: storyEyes ? ('truth' as const) : ('instrument' as const) },
    eyesLandmarkNet: { ...roundFollow(sameInstrument), applicable: sameInstrument.storyVariation >= MIN_VARIATION },
    /** Diagnostic: the output's eyes read by the iris model (what s7–s11 judged) instead of the open/shut renders. */
    eyesIrisModel: { ...roundFollow(eyesIris), applicable: eyesIris.storyVariation >= MIN_VARIATION },
    mouth: { ...roundFollow(mouth), applicable: mouthFollowed, story: storyMouth ? ('truth' as const) : ('instrument' as const) },
    // The truth says the story's mouth never moves: the output's must hold still (the instrument: the net's signed lip gap).
    mouthStill: storyMouth && !mouthFollowed ? roundStillness(profileStillness(lipProfile.story, lipProfile.output, shotOf), 5) : null,
    mouthStillLandmarkNet: storyMouth && !mouthFollowed ? roundStillness(stillnessMeasure(lipGap.story, lipGap.output, shotOf), 4) : null,
    mouthLandmarkNet: { ...roundFollow(mouthNet), applicable: mouthNet.storyVariation >= MIN_VARIATION },
    mouthLipLine: {
      ...roundFollow(mouthPixels),
      applicable: mouthPixels.storyVariation >= MIN_VARIATION,
      // Only where the story's mouth moves: against a still truth a correlation reads noise.
      storyVsTruth: storyMouth && mouthFollowed ? round(pearson(storyMouth, lipLine.story).r, 3) : NaN,
    },
  };
  return {
    identity: {
      share: round(share, 4),
      frames: plan.sampled.size,
      passed,
      outputDetected: detected,
      meanToChild: round(mean(toChild), 3),
      meanToStoryFace: round(mean(toStory), 3),
      worstToChild: round(Math.max(...toChild), 3),
      childToStoryHeroPhoto: input.heroPhotoDescriptor ? round(descriptorDistance(input.face.descriptor, input.heroPhotoDescriptor), 3) : NaN,
      storyFaceToHeroPhoto: round(mean(storyToHero), 3),
      failures: failures.slice(0, 20),
      wherePrecomputeRight: rightFrames ? round(rightPassed / rightFrames, 4) : NaN,
      wherePrecomputeRightFrames: rightFrames,
    },
    placement: {
      mean: round(placementMean, 4),
      inner: round(mean(inner), 4),
      jaw: round(mean(jaw), 4),
      p95: round(percentile(errors, 95), 4),
      max: round(Math.max(...errors), 4),
      frames: errors.length,
      detectorOnStoryFace: round(mean(onStory), 4),
      detectorVsTruth: round(mean(storyVsTruth), 4),
      precomputedVsTruth: round(mean(preVsTruth), 4),
      vsTruth: round(mean(outVsTruth), 4),
      uprightDetector: {
        mean: round(mean(upright.errors), 4),
        onStoryFace: round(mean(upright.onStory), 4),
        vsTruth: round(mean(upright.storyVsTruth), 4),
        outputVsTruth: round(mean(upright.outVsTruth), 4),
      },
      wherePrecomputeRight: round(mean(whereRight), 4),
      wherePrecomputeRightFrames: whereRight.length,
      worst: perFrame.sort((x, y) => y[1] - x[1]).slice(0, 8),
      pose: { ...pose, frames: poses.length, floor: poseFloor, allPointsCentre: round(mean(allPointCentres), 4) },
      judgedBy,
    },
    stability: {
      output: round(j('output'), 5),
      precomputed: round(j('pre'), 5),
      detectorNoise: round(j('noise'), 5),
      bound: round(bound, 5),
      ratio: round(j('output') / bound, 3),
      storyFace: round(j('story'), 5),
      truth: round(j('truth'), 5),
      outputResidual: round(j('residual'), 5),
      frames: windowFrames,
      boxCheck: boxCheck.length ? round(mean(boxCheck), 4) : null,
    },
    seam: {
      output: round(seamOut, 2),
      original: round(seamOrig, 2),
      excess: round(seamOut - seamOrig, 2),
      outputLightness: round(mean(seams.map((x) => x.outL)), 2),
      originalLightness: round(mean(seams.map((x) => x.origL)), 2),
      skinShift: round(mean(seams.map((x) => x.skinShift)), 2),
      frames: seams.length,
    },
    untouched: {
      copiedFrames,
      copiedIdentical,
      faceFrames,
      psnrOutsideFace: round(outside.value),
      psnrOutsideFaceY: round(outsideY.value),
      worstFramePsnr: round(outside.worst),
      worstFrame: outside.worstFrame,
      faceFreeRenderedFrames: faceFreeRendered,
      psnrFaceFreeRendered: faceFree.frames ? round(faceFree.value) : null,
    },
    follow,
    pass: {
      // The colour step across the mask's edge no larger than the story's own at the same ring.
      seam: !(seamOut > seamOrig),
      // Where the story's face hardly moves its eyes / mouth there is nothing to follow: not failed.
      eyes: !follow.eyes.applicable || (eyes.correlation >= TARGETS.eyesCorrelation && eyes.blinksShown === eyes.blinks),
      // A still story mouth (by the truth): the output's readings no more spread than the story's own, times STILL_MOUTH_RATIO.
      mouth: follow.mouth.applicable ? mouth.correlation >= TARGETS.mouthCorrelation : !follow.mouthStill || !(follow.mouthStill.ratio > STILL_MOUTH_RATIO),
      identity: share >= TARGETS.identityShare,
      placement:
        judgedBy === 'pose'
          ? pose.centre <= TARGETS.pose.centre && pose.scale <= TARGETS.pose.scale && pose.rollDegrees <= TARGETS.pose.rollDegrees
          : placementMean <= TARGETS.placement,
      // Not measured (no windows) counts as not failed.
      stability: plan.windows.length === 0 || j('output') <= bound,
      untouched:
        copiedIdentical === copiedFrames &&
        outside.value >= TARGETS.untouchedPsnr &&
        outsideY.value >= TARGETS.untouchedPsnr &&
        (!faceFree.frames || faceFree.value >= TARGETS.untouchedPsnr),
    },
  };
}

/** Mean centre distance, |size − 1| and |roll| over frames (rounded for the report). */
function meanPose(poses: PoseDifference[]): { centre: number; scale: number; rollDegrees: number } {
  return {
    centre: round(mean(poses.map((p) => p.centre)), 4),
    scale: round(mean(poses.map((p) => Math.abs(p.scale))), 4),
    rollDegrees: round(mean(poses.map((p) => Math.abs(p.rollDegrees))), 2),
  };
}

function meanOf(v: [number, number]): number {
  return (v[0] + v[1]) / 2;
}

/** The drawn character's lid openness per frame (mean of both eyes; NaN where not visible), or null when the truth has none (photo stories). */
function drawnEyeOpenness(truth: GroundTruth): Float64Array | null {
  const t = truth as GroundTruth & Partial<TaleTruth>;
  if (t.kind !== 'tale') return null;
  return Float64Array.from((t as unknown as TaleTruth).frames, (f) => {
    const hero = f.roles.hero;
    return hero?.visible ? (hero.eyes[0].open + hero.eyes[1].open) / 2 : NaN;
  });
}

/**
 * The story character's true mouth opening per frame (NaN where not visible): the drawn one on the tale, the inner-lip gap
 * of the photo fixtures' true landmarks (a rigid face patch: it never changes); null when the truth has none.
 */
function drawnMouthOpenness(truth: GroundTruth): Float64Array | null {
  const t = truth as GroundTruth & Partial<TaleTruth>;
  if (t.kind !== 'tale') return truth.frames?.length ? Float64Array.from(truth.frames, (f) => (f.hero ? mouthOpenness(f.hero) : NaN)) : null;
  return Float64Array.from((t as unknown as TaleTruth).frames, (f) => {
    const hero = f.roles.hero;
    return hero?.visible ? hero.mouthOpen : NaN;
  });
}

/**
 * Writes the story's stored track with the hero's lips opened to amplitude × (1 − cos(2π i / 20)) / 2 of the mouth's width
 * on every frame (openMouthTo; mouthOpen to match), for the render that follows; returns the function that puts the
 * stored file back. `frames` (the eval's own copy, the measures' target) is not changed.
 */
async function wobbleStoredMouth(
  storage: StorageCore,
  storyId: string,
  manifest: StoryManifest,
  frames: FrameData,
  role: number,
  amplitude: number,
): Promise<() => Promise<void>> {
  const file = storage.storyFile(storyId, manifest.frameData.file);
  const original = await fs.readFile(file);
  const wobbled = FrameData.fromBuffer(manifest, original);
  for (let i = 0; i < manifest.video.frameCount; i++) {
    if (!wobbled.present(role, i)) continue;
    const lm = wobbled.field(role, i, 'landmarks');
    openMouthTo(lm, (amplitude * (1 - Math.cos((2 * Math.PI * i) / 20))) / 2);
    wobbled.field(role, i, 'mouthOpen')[0] = mouthOpenness(lm);
  }
  if (frames.records.length !== wobbled.records.length) throw new Error('wobbleStoredMouth: the stored track is not the loaded one');
  await fs.writeFile(file, Buffer.from(wobbled.records.buffer, wobbled.records.byteOffset, wobbled.records.byteLength));
  return () => fs.writeFile(file, original);
}

/** [mean eye opening of both eyes (see eyeOpening), mouth openness, signed lip gap] of one measurement, or null when it failed. */
function openness(lm: Float32Array | null): [number, number, number] | null {
  if (!lm || lm.length < 136) return null;
  return [(eyeOpening(lm, 0) + eyeOpening(lm, 1)) / 2, mouthOpenness(lm), signedLipGap(lm)];
}

function roundStillness(s: StillnessResult, digits: number): StillnessResult {
  return { ...s, storySpread: round(s.storySpread, digits), outputSpread: round(s.outputSpread, digits), ratio: round(s.ratio, 2) };
}

function roundFollow(f: FollowResult): FollowResult {
  return { ...f, correlation: round(f.correlation, 3), storyVariation: round(f.storyVariation, 3), missedBlinks: f.missedBlinks.slice(0, 20) };
}

/** Landmark error without the jaw (brows, eyes, nose, mouth: 17–67), where the detector is surest. */
function innerError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return landmarkGroupError(a, b, 17, 68);
}

/**
 * Scratch for the jitter measure's instrument: one inference in the region turned with the story's
 * face in that frame (turnedLandmarks from the story face's points, so nothing but the pixels
 * changes between the story's frame and the output's).
 */
const turnedInput = new Float32Array(LANDMARK_INPUT * LANDMARK_INPUT * 3);

/** The detected face that belongs to the reference landmarks (nearest centre, within half an eye distance). */
export function pick(faces: DetectedFace[], reference: ArrayLike<number> | null): DetectedFace | null {
  if (!reference) return null;
  const [cx, cy] = landmarkCentre(reference);
  const limit = 0.5 * interOcularDistance(reference);
  let best: DetectedFace | null = null,
    bestD = Infinity;
  for (const f of faces) {
    const [x, y] = landmarkCentre(f.landmarks);
    const d = Math.hypot(x - cx, y - cy);
    if (d < bestD) {
      best = f;
      bestD = d;
    }
  }
  return bestD <= limit ? best : null;
}

/** Colour contrast across the face outline (Lab ΔE, inner ring vs outer ring), output and original. */
export function seam(outRgb: RgbFrame, storyRgb: RgbFrame, target: Float32Array): OutputFace['seam'] {
  const iod = interOcularDistance(target);
  const outline = faceOutline(target);
  const probes = seamProbes(outline, Math.max(2, 0.04 * iod));
  const a = seamColours(outRgb, outline, probes, iod);
  const b = seamColours(storyRgb, outline, probes, iod);
  const o: number[] = [],
    g: number[] = [],
    ol: number[] = [],
    gl: number[] = [],
    shift: number[] = [];
  for (let k = 0; k < probes.length; k++) {
    const x = a[k],
      y = b[k];
    if (!x || !y) continue;
    o.push(deltaE(x.inside, x.outside));
    g.push(deltaE(y.inside, y.outside));
    ol.push(Math.abs(x.inside[0] - x.outside[0]));
    gl.push(Math.abs(y.inside[0] - y.outside[0]));
    shift.push(deltaE(x.inside, y.inside));
  }
  if (!o.length) return null;
  return { output: mean(o), original: mean(g), outL: mean(ol), origL: mean(gl), skinShift: mean(shift) };
}

/**
 * A square crop, CONTACT_TILE², as raw RGB: around the face (forehead and chin included) or, with
 * 'eyes', a close-up of the eyes and brows (1.9 eye distances wide).
 */
async function faceTile(rgb: RgbFrame, landmarks: ArrayLike<number>, what: 'face' | 'eyes' = 'face'): Promise<Buffer> {
  const iod = interOcularDistance(landmarks);
  const [fx, fy] = landmarkCentre(landmarks);
  let cx = fx,
    cy = fy - 0.3 * iod;
  if (what === 'eyes') {
    const [rx, ry] = centroid(landmarks, RIGHT_EYE),
      [lx, ly] = centroid(landmarks, LEFT_EYE);
    cx = (rx + lx) / 2;
    cy = (ry + ly) / 2 - 0.2 * iod;
  }
  const side = Math.max(8, Math.round((what === 'eyes' ? 1.9 : 4.2) * iod));
  const left = Math.round(cx - side / 2),
    top = Math.round(cy - side / 2);
  const x0 = Math.max(0, left),
    y0 = Math.max(0, top);
  const x1 = Math.min(rgb.width, left + side),
    y1 = Math.min(rgb.height, top + side);
  return sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .extract({ left: x0, top: y0, width: x1 - x0, height: y1 - y0 })
    .extend({ left: x0 - left, top: y0 - top, right: left + side - x1, bottom: top + side - y1, background: { r: 0, g: 0, b: 0 } })
    .resize(CONTACT_TILE, CONTACT_TILE)
    .raw()
    .toBuffer();
}

function round(v: number, digits = 2): number {
  if (!Number.isFinite(v)) return v;
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
