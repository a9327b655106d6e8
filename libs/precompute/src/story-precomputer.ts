// Precomputes one story, offline: validate → probe → analyse contiguous frame ranges in a piscina
// pool (cut where the expected work is equal, analysis-ranges.ts) → join, clean and smooth the
// tracks (track-cleaning.ts) → per-frame pose, transforms and colour (frame-records.ts) → segment
// plan → render-ready segment media + audio, HLS pieces,
// thumbnail (story-media.ts) → manifest, frame data, expressions, masks, written to a staging
// folder and renamed into place only when complete. Never publishes a half-made story; never
// touches another story's files.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import Piscina from 'piscina';
import { StorageCore, isStorySlug, writeFileAtomic } from '@talecast/storage';
import { FaceDetector } from '@talecast/face';
import { FfmpegInfo, MediaInfo, NotMediaError, probeMedia } from '@talecast/video';
import { InvalidMasksError, MasksFile, parseMasksFile } from './masks-file';
import { AnalysisWorkerTask } from './analysis.worker';
import { RangeResult } from './range-analyzer';
import { cleanRoleTrack, CleanTrack } from './track-cleaning';
import { ExpressionFrame, storyFrameRecords } from './frame-records';
import { planSegments } from './segment-planner';
import { analysisRangeStarts } from './analysis-ranges';
import { encodeStoryMedia, manifestSegments, writeHlsPieces } from './story-media';
import { chooseShowcase, writeShowcase } from './story-showcase';
import { PrecomputeError } from './precompute-error';
import { chooseStyle } from './style-choice';
import { FRAME_FIELDS, MANIFEST_VERSION, RECORD_FLOATS, StoryManifest } from './story-manifest';

export { PrecomputeError } from './precompute-error';
export type { PrecomputeErrorCode } from './precompute-error';

export interface PrecomputeRequest {
  storyId: string;
  video: string;
  masks: string;
  title?: string;
  reference?: string;
  style?: 'photo' | 'toon';
}

export interface PrecomputeDependencies {
  storage: StorageCore;
  ffmpeg: FfmpegInfo;
  threads: number;
  faceBackend: 'auto' | 'wasm' | 'tfjs-node';
  encoder: { preset: string; crf: number; threads: number; maxGopFrames: number };
  /** Used only to read the reference photo's identity. */
  detector?: FaceDetector;
  loadReference?: (file: string) => Promise<{ data: Uint8Array; width: number; height: number }>;
  onProgress?: (fraction: number, stage: string) => void;
  signal?: AbortSignal;
  /** Tests and evaluation: also return the unsmoothed landmarks per role. */
  collectRaw?: boolean;
}

export interface PrecomputeSummary {
  storyId: string;
  frames: number;
  faceFrames: Record<string, number>;
  segments: number;
  faceSegments: number;
  seconds: number;
  videoSeconds: number;
  speed: number;
  warnings: string[];
  manifest: StoryManifest;
  raw?: Record<string, { present: Uint8Array; landmarks: Float32Array; between?: Uint8Array }>;
  /** Where the time went (ms): the analysis (its parts summed over workers), then setup, encoding, publishing. */
  timings: AnalysisTimings & { setup: number; encode: number; finish: number };
}

/** The analysis's wall time (ms), its steps' times summed over the workers (ms) and its counts. */
export interface AnalysisTimings {
  analysisWall: number;
  decode: number;
  detect: number;
  landmarks: number;
  expressions: number;
  colour: number;
  eyes: number;
  detections: number;
  verifications: number;
  relocations: number;
  landmarkRuns: number;
  irisReads: number;
  /** Frames a face found late was followed back over (look-back.ts). */
  lookedBack: number;
}

/** Settings of the analysis (kept here so the benchmark and the tests share them). */
export const ANALYSIS = {
  /** Each range starts its tracks afresh (a full detection and three landmark passes per face). */
  rangeSeconds: 10,
  detectEverySeconds: 0.5,
  /**
   * Frames between expression network runs on a followed face (and at every track start). The
   * expression net costs as much as the landmark net (8.7 vs 9.3 ms on this machine's WASM); its
   * one consumer, the render's choice among a child's photos, switches only on a change sustained
   * for 12 frames, and the scores are held and smoothed (σ 3 frames) in between. Was 3.
   */
  expressionEvery: 6,
  landmarkSigma: 2.0,
  colourSigma: 8,
  expressionSigma: 3,
  minTrackSeconds: 0.3,
  maxGapFrames: 3,
  segmentTargetSeconds: 2,
  segmentMinSeconds: 0.5,
  /** The story's first segment: short, so the first frame plays sooner (render's quick start). */
  segmentFirstSeconds: 1,
  maxVideoSeconds: 20 * 60,
};

export async function precomputeStory(req: PrecomputeRequest, deps: PrecomputeDependencies): Promise<PrecomputeSummary> {
  const started = Date.now();
  const progress = deps.onProgress ?? (() => undefined);

  // 1. Validate the request, read the masks, probe the video.
  const input = await readStoryInput(req, deps);
  progress(0.01, 'probed');
  const reference = await referenceFor(req, input.masks, deps);

  // 2. Analysis over contiguous ranges in a pool; each worker decodes only its range.
  const analysis = await analyseStory(req, deps, input, reference, progress);
  const timings = { ...analysis.timings, setup: analysis.started - started, encode: 0, finish: 0 };
  const frameCount = analysis.results.reduce((n, r) => Math.max(n, r.startFrame + r.frameCount), 0);
  if (frameCount === 0) throw new PrecomputeError('NO_VIDEO_STREAM', 'no frame could be decoded from the video');

  // 3. Join ranges, clean and smooth tracks; per-frame records.
  const roleNames = Object.keys(input.masks.roles);
  const cuts = [...new Set(analysis.results.flatMap((r) => r.cuts).filter((c) => c > 0))].sort((a, b) => a - b);
  const cutSet = new Set(cuts);
  const tracks = roleNames.map((name) => cleanRoleTrack(analysis.results, name, frameCount, cutSet, { ...ANALYSIS, fps: input.fps }));
  const frames = storyFrameRecords(roleNames, tracks, frameCount);
  const warnings = roleNames
    .filter((name) => frames.faceFrames[name] === 0)
    .map((name) => `role "${name}" was never found in its regions; the story is usable but shows the original face`);
  progress(0.82, 'planning');

  // 4. Segments and render-ready media, HLS pieces and thumbnail, in a staging folder.
  const segments = planSegments(frames.anyFace, cuts, {
    fps: input.fps,
    targetSeconds: ANALYSIS.segmentTargetSeconds,
    minSeconds: ANALYSIS.segmentMinSeconds,
    firstSeconds: ANALYSIS.segmentFirstSeconds,
  });
  const staging = deps.storage.storyStagingDir(req.storyId);
  await fs.mkdir(path.join(staging, 'media'), { recursive: true });
  try {
    const media = { ffmpeg: deps.ffmpeg, video: req.video, info: input.info, staging, segments, matrix: input.matrix, range: input.range, signal: deps.signal };
    const encodeStarted = Date.now();
    // The story card's thumbnail (the hero large and frontal) and preview clip (story-showcase.ts)
    // are made from the source beside the render-ready encode (its x264 leaves part of the cores idle).
    const [audioFile] = await bothDone(
      encodeStoryMedia(media, deps.encoder),
      writeShowcase(
        { ffmpeg: deps.ffmpeg, video: req.video, staging, fps: input.fps, signal: deps.signal },
        chooseShowcase(frames.records, roleNames, frameCount, input.fps, cuts),
      ),
    );
    timings.encode = Date.now() - encodeStarted;
    const finishStarted = Date.now();
    progress(0.95, 'encoding');
    const published = manifestSegments(segments);
    await writeHlsPieces(media, published, audioFile, Math.max(2, deps.threads));

    // 5. Publish: frame data and manifest into the staging folder, side files (atomic each), then swap the folder in.
    const manifest = buildManifest(req, input, {
      styleSamples: analysis.results.flatMap((r) => r.styleSamples ?? []),
      frameCount,
      roleNames,
      faceFrames: frames.faceFrames,
      cuts,
      segments: published,
      audioFile,
      warnings,
      encoder: deps.encoder,
    });
    await publishStory(deps.storage, req.storyId, staging, {
      manifest,
      records: frames.records,
      expressionFrames: frames.expressionFrames,
      masks: input.masks,
    });
    progress(1, 'published');
    timings.finish = Date.now() - finishStarted;
    const seconds = (Date.now() - started) / 1000;
    return {
      storyId: req.storyId,
      frames: frameCount,
      faceFrames: frames.faceFrames,
      segments: segments.length,
      faceSegments: segments.filter((s) => s.hasFace).length,
      seconds,
      videoSeconds: frameCount / input.fps,
      speed: frameCount / input.fps / seconds,
      warnings,
      manifest,
      timings,
      ...(deps.collectRaw ? { raw: rawTracks(roleNames, tracks) } : {}),
    };
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/** What the precompute knows about its input once validated. */
interface StoryInput {
  masks: MasksFile;
  info: MediaInfo;
  video: NonNullable<MediaInfo['video']>;
  fps: number;
  estimatedFrames: number;
  matrix: 'bt601' | 'bt709';
  range: 'tv';
}

async function readStoryInput(req: PrecomputeRequest, deps: PrecomputeDependencies): Promise<StoryInput> {
  if (!isStorySlug(req.storyId))
    throw new PrecomputeError('INVALID_STORY_ID', `story id "${req.storyId}" is not a slug (lower-case letters, digits and dashes, at most 64)`);
  const masks = await readMasks(req.masks);
  const info = await probe(deps.ffmpeg, req.video);
  const video = info.video!;
  if (info.durationSeconds > ANALYSIS.maxVideoSeconds)
    throw new PrecomputeError('VIDEO_TOO_LONG', `the video is longer than ${ANALYSIS.maxVideoSeconds / 60} minutes`);
  const fps = video.fps;
  return {
    masks,
    info,
    video,
    fps,
    estimatedFrames: video.frameCount ?? Math.round(info.durationSeconds * fps),
    matrix: video.colorSpace === 'bt709' || (!video.colorSpace && video.height >= 720) ? 'bt709' : 'bt601',
    // Story media are always written as limited-range yuv420p (ffmpeg converts full-range sources).
    range: 'tv',
  };
}

async function referenceFor(req: PrecomputeRequest, masks: MasksFile, deps: PrecomputeDependencies): Promise<AnalysisWorkerTask['reference']> {
  if (!req.reference) return null;
  return { role: 'hero' in masks.roles ? 'hero' : Object.keys(masks.roles)[0], descriptor: await referenceDescriptor(req.reference, deps) };
}

interface StoryAnalysis {
  /** Range results in frame order. */
  results: RangeResult[];
  /** When the pool started (Date.now()). */
  started: number;
  timings: AnalysisTimings;
}

async function analyseStory(
  req: PrecomputeRequest,
  deps: PrecomputeDependencies,
  input: StoryInput,
  reference: AnalysisWorkerTask['reference'],
  progress: (fraction: number, stage: string) => void,
): Promise<StoryAnalysis> {
  const tasks = analysisTasks(req, deps, input, reference);
  const pool = new Piscina({
    filename: path.join(__dirname, 'analysis.worker.js'),
    maxThreads: deps.threads,
    minThreads: 1,
    idleTimeout: 1000,
    maxQueue: tasks.length + 1,
    // Ranges start in story order. Without it, piscina puts a task it could not hand out at once at
    // the back of its queue: on the 60 s tale the fourth range was analysed last, after the sixth,
    // and the two threads' shares of the work were no longer the ones the ranges were cut for.
    stricterFIFO: true,
  });
  let done = 0;
  let results: RangeResult[];
  const started = Date.now();
  // Ranges stop on a shared flag (at their next frame, cleaning up after themselves), not by
  // terminating their threads: on the first failure or an abort every range is stopped and
  // awaited before the pool goes.
  const cancel = new Int32Array(new SharedArrayBuffer(4));
  const stop = () => Atomics.store(cancel, 0, 1);
  let failure: unknown;
  deps.signal?.addEventListener('abort', stop, { once: true });
  try {
    const runs = tasks.map((t) =>
      pool.run({ ...t, cancel }).then(
        (r: RangeResult) => {
          done++;
          progress(0.02 + 0.78 * (done / tasks.length), 'analysing');
          return r;
        },
        (err: unknown) => {
          failure ??= err; // the first failure; the others are the ranges it stopped
          stop();
          throw err;
        },
      ),
    );
    const settled = await Promise.allSettled(runs);
    deps.signal?.throwIfAborted();
    if (failure !== undefined) throw failure;
    results = settled.map((r) => (r as PromiseFulfilledResult<RangeResult>).value);
  } finally {
    deps.signal?.removeEventListener('abort', stop);
    await pool.destroy();
  }
  results.sort((a, b) => a.startFrame - b.startFrame);
  const timings = {
    analysisWall: Date.now() - started,
    decode: sum(results.map((r) => r.timings.decodeMs)),
    detect: sum(results.map((r) => r.timings.detectMs)),
    landmarks: sum(results.map((r) => r.timings.landmarkMs)),
    expressions: sum(results.map((r) => r.timings.expressionMs)),
    colour: sum(results.map((r) => r.timings.colourMs)),
    eyes: sum(results.map((r) => r.timings.eyesMs)),
    detections: sum(results.map((r) => r.timings.detections)),
    verifications: sum(results.map((r) => r.timings.verifications)),
    relocations: sum(results.map((r) => r.timings.relocations)),
    landmarkRuns: sum(results.map((r) => r.timings.landmarkRuns)),
    irisReads: sum(results.map((r) => r.timings.irisReads)),
    lookedBack: sum(results.map((r) => r.timings.lookedBack)),
  };
  return { results, started, timings };
}

/**
 * One task per range, cut where the expected work is equal (analysis-ranges.ts); the last one
 * reads on past the estimate to the end of the video.
 */
function analysisTasks(
  req: PrecomputeRequest,
  deps: PrecomputeDependencies,
  input: StoryInput,
  reference: AnalysisWorkerTask['reference'],
): AnalysisWorkerTask[] {
  const { fps, video, estimatedFrames } = input;
  const rangeStarts = analysisRangeStarts(estimatedFrames, fps, Math.max(1, Math.round(ANALYSIS.rangeSeconds * fps)), deps.threads, input.masks);
  return rangeStarts.map((start, k) => ({
    ffmpeg: deps.ffmpeg.ffmpeg,
    video: req.video,
    fps,
    width: video.width,
    height: video.height,
    startFrame: start,
    endFrame: k + 1 < rangeStarts.length ? rangeStarts[k + 1] : start + 4 * Math.max(estimatedFrames - start, Math.round(ANALYSIS.rangeSeconds * fps)),
    masks: input.masks,
    detectEvery: Math.max(1, Math.round(ANALYSIS.detectEverySeconds * fps)),
    expressionEvery: ANALYSIS.expressionEvery,
    matrix: input.matrix,
    range: input.range,
    reference,
    faceBackend: deps.faceBackend,
  }));
}

/** Tests and evaluation: the landmarks per role before smoothing. */
function rawTracks(roleNames: string[], tracks: CleanTrack[]): Record<string, { present: Uint8Array; landmarks: Float32Array; between?: Uint8Array }> {
  return Object.fromEntries(
    roleNames.map((name, r) => [
      name,
      { present: tracks[r].present.slice(), landmarks: tracks[r].rawLandmarks.slice(), ...(tracks[r].between ? { between: tracks[r].between!.slice() } : {}) },
    ]),
  );
}

function buildManifest(
  req: PrecomputeRequest,
  input: StoryInput,
  story: {
    styleSamples: number[];
    frameCount: number;
    roleNames: string[];
    faceFrames: Record<string, number>;
    cuts: number[];
    segments: StoryManifest['segments'];
    audioFile: string | null;
    warnings: string[];
    encoder: PrecomputeDependencies['encoder'];
  },
): StoryManifest {
  const { video, fps, matrix, range, masks } = input;
  return {
    version: MANIFEST_VERSION,
    story: { id: req.storyId, title: req.title ?? req.storyId, ...chooseStyle(req.style, masks.style, story.styleSamples) },
    video: {
      width: video.width,
      height: video.height,
      fps,
      fpsNum: video.fpsNum,
      fpsDen: video.fpsDen,
      frameCount: story.frameCount,
      durationSeconds: story.frameCount / fps,
      matrix,
      range,
    },
    audio: story.audioFile ? { file: `media/${story.audioFile}`, codec: 'aac' } : null,
    encoder: { preset: story.encoder.preset, crf: story.encoder.crf, profile: 'high', pixelFormat: 'yuv420p' },
    roles: story.roleNames.map((name) => ({ name, faceFrames: story.faceFrames[name], occluders: masks.roles[name].occluders })),
    cuts: story.cuts,
    segments: story.segments,
    frameData: { file: 'frames.bin', recordFloats: RECORD_FLOATS, fields: FRAME_FIELDS, roles: story.roleNames },
    thumbnail: 'thumbnail.jpg',
    preview: 'preview.mp4',
    ...(masks.meta ? { meta: masks.meta } : {}),
    createdAt: new Date().toISOString(),
    warnings: story.warnings,
  };
}

/** Frame data and manifest into the staging folder, the expressions and masks side files (atomic each), then the folder swapped in. */
async function publishStory(
  storage: StorageCore,
  storyId: string,
  staging: string,
  story: { manifest: StoryManifest; records: Float32Array; expressionFrames: ExpressionFrame[]; masks: MasksFile },
): Promise<void> {
  const { manifest, records } = story;
  await fs.writeFile(path.join(staging, 'frames.bin'), Buffer.from(records.buffer, records.byteOffset, records.byteLength));
  await fs.writeFile(path.join(staging, 'manifest.json'), JSON.stringify(manifest, null, 1));
  await writeFileAtomic(
    storage.expressionsFile(storyId),
    JSON.stringify({ story: storyId, fps: manifest.video.fps, frameCount: manifest.video.frameCount, frames: story.expressionFrames }),
  );
  await writeFileAtomic(storage.masksFile(storyId), JSON.stringify(story.masks, null, 2));
  await swapFolder(staging, storage.storyDir(storyId));
}

async function readMasks(file: string): Promise<MasksFile> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new PrecomputeError('INVALID_MASKS', `cannot read the masks file: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parseMasksFile(text);
  } catch (err) {
    if (err instanceof InvalidMasksError) throw new PrecomputeError('INVALID_MASKS', err.message);
    throw err;
  }
}

async function probe(ffmpeg: FfmpegInfo, file: string): Promise<MediaInfo> {
  let info: MediaInfo;
  try {
    info = await probeMedia(ffmpeg.ffprobe, file);
  } catch (err) {
    if (err instanceof NotMediaError) throw new PrecomputeError('NOT_A_VIDEO', `not a video file: ${err.message}`);
    throw err;
  }
  if (!info.video || !(info.video.width > 0) || !(info.video.fps > 0)) throw new PrecomputeError('NO_VIDEO_STREAM', 'the file has no video stream');
  return info;
}

async function referenceDescriptor(file: string, deps: PrecomputeDependencies): Promise<number[]> {
  if (!deps.detector || !deps.loadReference) throw new Error('a reference image needs a detector');
  const image = await deps.loadReference(file).catch(() => {
    throw new PrecomputeError('REFERENCE_HAS_NO_FACE', 'the reference image cannot be read');
  });
  const [face] = await deps.detector.detectAll(image, { descriptors: true });
  if (!face?.descriptor) throw new PrecomputeError('REFERENCE_HAS_NO_FACE', 'no face in the reference image');
  return Array.from(face.descriptor);
}

/** Renames the staging folder over the published one (the old copy is removed afterwards). */
async function swapFolder(staging: string, target: string): Promise<void> {
  const old = `${target}.old-${process.pid}-${Date.now()}`;
  const hadOld = await fs.rename(target, old).then(
    () => true,
    () => false,
  );
  await fs.rename(staging, target);
  if (hadOld) await fs.rm(old, { recursive: true, force: true });
}

/** Both results once both have ended (the staging folder is removed only after neither writes into it); the first failure otherwise. */
async function bothDone<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
  const [ra, rb] = await Promise.allSettled([a, b]);
  if (ra.status === 'rejected') throw ra.reason;
  if (rb.status === 'rejected') throw rb.reason;
  return [ra.value, rb.value];
}

function sum(values: number[]): number {
  return Math.round(values.reduce((a, b) => a + b, 0));
}
