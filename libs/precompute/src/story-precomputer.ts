// Precomputes one story, offline: validate → probe → analyse contiguous frame ranges in a piscina
// pool → join, clean and smooth the tracks → per-frame pose, transforms and colour → segment plan
// → render-ready segment media + audio → manifest, frame data, expressions, masks, thumbnail,
// written to a staging folder and renamed into place only when complete. Never publishes a
// half-made story; never touches another story's files.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import Piscina from 'piscina';
import { StorageCore, isStorySlug, writeFileAtomic } from '@talecast/storage';
import { canonicalLandmarks, alignmentWeights, EXPRESSION_LABELS, FaceDetector, dominantExpression, ExpressionScores } from '@talecast/face';
import { estimateRoll, estimateYaw, eyeOpenness, fitSimilarity, mouthOpenness } from '@talecast/geometry';
import { FfmpegInfo, hlsSegmentsArgs, MediaInfo, NotMediaError, parseSegmentList, probeMedia, renderReadySegmentsArgs, runFfmpeg, thumbnailArgs } from '@talecast/video';
import { InvalidMasksError, MasksFile, parseMasksFile } from './masks-file';
import { AnalysisWorkerTask } from './analysis.worker';
import { EXPRESSION_DIMS, LANDMARK_DIMS, RangeResult } from './range-analyzer';
import { COLOUR_DIMS } from './colour-stats';
import { smoothTracks } from './landmark-smoother';
import { planSegments } from './segment-planner';
import { FRAME_FIELDS, MANIFEST_VERSION, RECORD_FLOATS, StoryManifest } from './story-manifest';

export type PrecomputeErrorCode = 'INVALID_STORY_ID' | 'NOT_A_VIDEO' | 'NO_VIDEO_STREAM' | 'INVALID_MASKS' | 'REFERENCE_HAS_NO_FACE' | 'FRAME_COUNT_MISMATCH' | 'VIDEO_TOO_LONG';

export class PrecomputeError extends Error {
  constructor(readonly code: PrecomputeErrorCode, message: string) {
    super(message);
    this.name = 'PrecomputeError';
  }
}

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
  /** Where the time went (ms): analysis wall time and its parts summed over workers, encoding. */
  raw?: Record<string, { present: Uint8Array; landmarks: Float32Array }>;
  timings: { analysisWall: number; decode: number; detect: number; landmarks: number; expressions: number; colour: number; detections: number; setup: number; encode: number; finish: number };
}

/** HLS pieces muxed by one ffmpeg at the end of a precompute. */
const HLS_PIECES_PER_FFMPEG = 8;

/** Settings of the analysis (kept here so the benchmark and the tests share them). */
export const ANALYSIS = {
  /** Each range starts its tracks afresh (a full detection and three landmark passes per face). */
  rangeSeconds: 10,
  detectEverySeconds: 0.5,
  expressionEvery: 3,
  landmarkSigma: 2.0,
  colourSigma: 8,
  expressionSigma: 3,
  minTrackSeconds: 0.3,
  maxGapFrames: 3,
  segmentTargetSeconds: 2,
  segmentMinSeconds: 0.5,
  maxVideoSeconds: 20 * 60,
};

export async function precomputeStory(req: PrecomputeRequest, deps: PrecomputeDependencies): Promise<PrecomputeSummary> {
  const started = Date.now();
  const progress = deps.onProgress ?? (() => undefined);
  if (!isStorySlug(req.storyId)) throw new PrecomputeError('INVALID_STORY_ID', `story id "${req.storyId}" is not a slug (lower-case letters, digits and dashes, at most 64)`);
  const masks = await readMasks(req.masks);
  const info = await probe(deps.ffmpeg, req.video);
  const video = info.video!;
  if (info.durationSeconds > ANALYSIS.maxVideoSeconds) throw new PrecomputeError('VIDEO_TOO_LONG', `the video is longer than ${ANALYSIS.maxVideoSeconds / 60} minutes`);
  const fps = video.fps;
  const estimatedFrames = video.frameCount ?? Math.round(info.durationSeconds * fps);
  const matrix = video.colorSpace === 'bt709' || (!video.colorSpace && video.height >= 720) ? 'bt709' : 'bt601';
  // Story media are always written as limited-range yuv420p (ffmpeg converts full-range sources).
  const range = 'tv' as const;
  const warnings: string[] = [];
  progress(0.01, 'probed');

  let reference: AnalysisWorkerTask['reference'] = null;
  if (req.reference) reference = { role: 'hero' in masks.roles ? 'hero' : Object.keys(masks.roles)[0], descriptor: await referenceDescriptor(req.reference, deps) };

  // 1. Analysis over contiguous ranges in a pool; each worker decodes only its range.
  const rangeFrames = Math.max(1, Math.round(ANALYSIS.rangeSeconds * fps));
  const tasks: AnalysisWorkerTask[] = [];
  for (let start = 0; start < estimatedFrames; start += rangeFrames) {
    const last = start + rangeFrames >= estimatedFrames;
    tasks.push({
      ffmpeg: deps.ffmpeg.ffmpeg, video: req.video, fps, width: video.width, height: video.height,
      startFrame: start, endFrame: last ? start + rangeFrames * 4 : start + rangeFrames,
      masks, detectEvery: Math.max(1, Math.round(ANALYSIS.detectEverySeconds * fps)), expressionEvery: ANALYSIS.expressionEvery,
      matrix, range, reference, faceBackend: deps.faceBackend,
    });
  }
  const pool = new Piscina({
    filename: path.join(__dirname, 'analysis.worker.js'),
    maxThreads: deps.threads,
    minThreads: 1,
    idleTimeout: 1000,
    maxQueue: tasks.length + 1,
  });
  let done = 0;
  let results: RangeResult[];
  const analysisStarted = Date.now();
  try {
    results = await Promise.all(tasks.map((t) => pool.run(t, { signal: deps.signal }).then((r: RangeResult) => {
      done++;
      progress(0.02 + 0.78 * (done / tasks.length), 'analysing');
      return r;
    })));
  } finally {
    await pool.destroy();
  }
  results.sort((a, b) => a.startFrame - b.startFrame);
  const timings = {
    analysisWall: Date.now() - analysisStarted,
    decode: sum(results.map((r) => r.timings.decodeMs)),
    detect: sum(results.map((r) => r.timings.detectMs)),
    landmarks: sum(results.map((r) => r.timings.landmarkMs)),
    expressions: sum(results.map((r) => r.timings.expressionMs)),
    colour: sum(results.map((r) => r.timings.colourMs)),
    detections: sum(results.map((r) => r.timings.detections)),
    setup: analysisStarted - started,
    encode: 0,
    finish: 0,
  };
  const frameCount = results.reduce((n, r) => Math.max(n, r.startFrame + r.frameCount), 0);
  if (frameCount === 0) throw new PrecomputeError('NO_VIDEO_STREAM', 'no frame could be decoded from the video');

  // 2. Join ranges, clean and smooth tracks.
  const roleNames = Object.keys(masks.roles);
  const cuts = [...new Set(results.flatMap((r) => r.cuts).filter((c) => c > 0))].sort((a, b) => a - b);
  const cutSet = new Set(cuts);
  const records = new Float32Array(roleNames.length * frameCount * RECORD_FLOATS);
  const faceFrames: Record<string, number> = {};
  const anyFace = new Uint8Array(frameCount);
  const canonical = canonicalLandmarks();
  const weights = alignmentWeights();
  const raw: Record<string, { present: Uint8Array; landmarks: Float32Array }> = {};
  const expressionFrames: { i: number; role: string; expression: string; scores: Record<string, number>; mouthOpen: number; eyesOpen: number; yaw: number }[] = [];
  for (const [r, name] of roleNames.entries()) {
    const joined = joinRole(results, name, frameCount);
    fillShortGaps(joined, cutSet, ANALYSIS.maxGapFrames);
    dropShortRuns(joined.present, cutSet, Math.round(ANALYSIS.minTrackSeconds * fps));
    const landmarks = smoothTracks(joined.landmarks, LANDMARK_DIMS, joined.present, cutSet, ANALYSIS.landmarkSigma);
    if (deps.collectRaw) raw[name] = { present: joined.present.slice(), landmarks: joined.landmarks.slice() };
    fillMissing(joined.colour, COLOUR_DIMS, joined.present, cutSet);
    const colour = smoothTracks(joined.colour, COLOUR_DIMS, joined.present, cutSet, ANALYSIS.colourSigma);
    fillMissing(joined.expressions, EXPRESSION_DIMS, joined.present, cutSet);
    const expressions = smoothTracks(joined.expressions, EXPRESSION_DIMS, joined.present, cutSet, ANALYSIS.expressionSigma);
    let count = 0;
    for (let i = 0; i < frameCount; i++) {
      if (!joined.present[i]) continue;
      count++;
      anyFace[i] = 1;
      const lm = landmarks.subarray(i * LANDMARK_DIMS, (i + 1) * LANDMARK_DIMS);
      const o = (r * frameCount + i) * RECORD_FLOATS;
      records[o] = 1;
      records.set(lm, o + FRAME_FIELDS.landmarks[0]);
      records.set(fitSimilarity(canonical, lm, weights), o + FRAME_FIELDS.transform[0]);
      const yaw = estimateYaw(lm);
      records[o + FRAME_FIELDS.yaw[0]] = yaw;
      records[o + FRAME_FIELDS.roll[0]] = estimateRoll(lm);
      const mouth = mouthOpenness(lm);
      const eyes = eyeOpenness(lm);
      records[o + FRAME_FIELDS.mouthOpen[0]] = mouth;
      records[o + FRAME_FIELDS.eyesOpen[0]] = eyes;
      records.set(colour.subarray(i * COLOUR_DIMS, i * COLOUR_DIMS + 6), o + FRAME_FIELDS.colourLab[0]);
      records.set(colour.subarray(i * COLOUR_DIMS + 6, (i + 1) * COLOUR_DIMS), o + FRAME_FIELDS.colourYuv[0]);
      const e = expressions.subarray(i * EXPRESSION_DIMS, (i + 1) * EXPRESSION_DIMS);
      records.set(e, o + FRAME_FIELDS.expressions[0]);
      const scores = Object.fromEntries(EXPRESSION_LABELS.map((l, k) => [l, round(e[k], 4)])) as ExpressionScores;
      expressionFrames.push({ i, role: name, expression: dominantExpression(scores), scores, mouthOpen: round(mouth, 3), eyesOpen: round(eyes, 3), yaw: round(yaw, 1) });
    }
    faceFrames[name] = count;
    if (count === 0) warnings.push(`role "${name}" was never found in its regions; the story is usable but shows the original face`);
  }
  expressionFrames.sort((a, b) => a.i - b.i || a.role.localeCompare(b.role));
  progress(0.82, 'planning');

  // 3. Segments and render-ready media.
  const segments = planSegments(anyFace, cuts, { fps, targetSeconds: ANALYSIS.segmentTargetSeconds, minSeconds: ANALYSIS.segmentMinSeconds });
  const staging = deps.storage.storyStagingDir(req.storyId);
  const mediaDir = path.join(staging, 'media');
  await fs.mkdir(mediaDir, { recursive: true });
  try {
    const audioFile = info.audio ? 'audio.m4a' : null;
    const encodeStarted = Date.now();
    await runFfmpeg(deps.ffmpeg.ffmpeg, renderReadySegmentsArgs({
      input: req.video, fpsNum: video.fpsNum, fpsDen: video.fpsDen,
      segmentStarts: segments.map((s) => s.start), segmentPattern: path.join(mediaDir, 'seg-%04d.mp4'), segmentList: path.join(staging, 'segments.csv'),
      audioOut: audioFile ? path.join(mediaDir, audioFile) : null, audioCodec: info.audio?.codec ?? null,
      encoder: { preset: deps.encoder.preset, crf: deps.encoder.crf, threads: deps.encoder.threads, maxGopFrames: Math.max(deps.encoder.maxGopFrames, 1) },
      fpsModeOption: deps.ffmpeg.fpsModeOption,
      matrix, range,
    }), deps.signal);
    timings.encode = Date.now() - encodeStarted;
    const finishStarted = Date.now();
    progress(0.95, 'encoding');
    // Every segment must hold exactly its planned frames (a variable frame rate could shift a cut):
    // checked against the times the segment muxer listed, without probing each file.
    const listFile = path.join(staging, 'segments.csv');
    const listed = parseSegmentList(await fs.readFile(listFile, 'utf8'));
    await fs.rm(listFile);
    if (listed.length !== segments.length) throw new PrecomputeError('FRAME_COUNT_MISMATCH', `the encoder produced ${listed.length} segments, ${segments.length} were planned`);
    for (const [i, seg] of segments.entries()) {
      const first = Math.round(listed[i].start * fps), end = Math.round(listed[i].end * fps);
      if (first !== seg.start || end !== seg.end) {
        throw new PrecomputeError('FRAME_COUNT_MISMATCH', `segment ${seg.index} has frames ${first}..${end}, expected ${seg.start}..${seg.end}: is the video variable frame rate? Convert it to a constant frame rate first`);
      }
    }
    // Write each segment's HLS piece (face-free ones are served as they are by every render): a
    // few runners, each muxing a batch of pieces per ffmpeg (a process start costs about as much
    // as muxing a piece).
    const manifestSegments = segments.map((seg) => {
      const file = `seg-${String(seg.index).padStart(4, '0')}.mp4`;
      return { ...seg, file: `media/${file}`, hlsFile: `media/${file.replace(/\.mp4$/, '.ts')}`, bytes: 0 };
    });
    const runners = Math.max(2, deps.threads);
    const batchSize = Math.max(1, Math.min(HLS_PIECES_PER_FFMPEG, Math.ceil(manifestSegments.length / runners)));
    const queue = [...manifestSegments];
    await Promise.all(Array.from({ length: runners }, async () => {
      for (let batch = queue.splice(0, batchSize); batch.length > 0; batch = queue.splice(0, batchSize)) {
        const fail = (err: unknown) => {
          queue.length = 0; // the other runners stop after their current batch
          throw err;
        };
        for (const seg of batch) seg.bytes = (await fs.stat(path.join(staging, seg.file))).size;
        await runFfmpeg(deps.ffmpeg.ffmpeg, hlsSegmentsArgs(batch.map((seg) => ({
          video: path.join(staging, seg.file), audio: audioFile ? path.join(mediaDir, audioFile) : null,
          startSeconds: seg.start / fps, durationSeconds: (seg.end - seg.start) / fps, out: path.join(staging, seg.hlsFile),
        }))), deps.signal).catch(fail);
      }
    }));

    // 4. Thumbnail: the middle of the first segment with a face (else of the video).
    const thumbSeg = segments.find((s) => s.hasFace) ?? segments[0];
    await runFfmpeg(deps.ffmpeg.ffmpeg, thumbnailArgs(req.video, ((thumbSeg.start + thumbSeg.end) / 2) / fps, 480, path.join(staging, 'thumbnail.jpg')), deps.signal);

    const manifest: StoryManifest = {
      version: MANIFEST_VERSION,
      story: { id: req.storyId, title: req.title ?? req.storyId, style: req.style ?? masks.style ?? 'photo' },
      video: { width: video.width, height: video.height, fps, fpsNum: video.fpsNum, fpsDen: video.fpsDen, frameCount, durationSeconds: frameCount / fps, matrix, range },
      audio: audioFile ? { file: `media/${audioFile}`, codec: 'aac' } : null,
      encoder: { preset: deps.encoder.preset, crf: deps.encoder.crf, profile: 'high', pixelFormat: 'yuv420p' },
      roles: roleNames.map((name) => ({ name, faceFrames: faceFrames[name], occluders: masks.roles[name].occluders })),
      cuts,
      segments: manifestSegments,
      frameData: { file: 'frames.bin', recordFloats: RECORD_FLOATS, fields: FRAME_FIELDS, roles: roleNames },
      thumbnail: 'thumbnail.jpg',
      createdAt: new Date().toISOString(),
      warnings,
    };
    await fs.writeFile(path.join(staging, 'frames.bin'), Buffer.from(records.buffer, records.byteOffset, records.byteLength));
    await fs.writeFile(path.join(staging, 'manifest.json'), JSON.stringify(manifest, null, 1));

    // 5. Publish: side files first (atomic each), then swap the folder in.
    await writeFileAtomic(deps.storage.expressionsFile(req.storyId), JSON.stringify({ story: req.storyId, fps, frameCount, frames: expressionFrames }));
    await writeFileAtomic(deps.storage.masksFile(req.storyId), JSON.stringify(masks, null, 2));
    await publish(staging, deps.storage.storyDir(req.storyId));
    progress(1, 'published');
    timings.finish = Date.now() - finishStarted;
    const seconds = (Date.now() - started) / 1000;
    return {
      storyId: req.storyId, frames: frameCount, faceFrames, segments: segments.length, faceSegments: segments.filter((s) => s.hasFace).length,
      seconds, videoSeconds: frameCount / fps, speed: frameCount / fps / seconds, warnings, manifest, timings, ...(deps.collectRaw ? { raw } : {}),
    };
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
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
async function publish(staging: string, target: string): Promise<void> {
  const old = `${target}.old-${process.pid}-${Date.now()}`;
  const hadOld = await fs.rename(target, old).then(() => true, () => false);
  await fs.rename(staging, target);
  if (hadOld) await fs.rm(old, { recursive: true, force: true });
}

interface JoinedRole {
  present: Uint8Array;
  landmarks: Float32Array;
  expressions: Float32Array;
  colour: Float32Array;
}

function joinRole(results: RangeResult[], name: string, frameCount: number): JoinedRole {
  const out: JoinedRole = {
    present: new Uint8Array(frameCount),
    landmarks: new Float32Array(frameCount * LANDMARK_DIMS),
    expressions: new Float32Array(frameCount * EXPRESSION_DIMS).fill(NaN),
    colour: new Float32Array(frameCount * COLOUR_DIMS).fill(NaN),
  };
  for (const r of results) {
    const d = r.roles[name];
    const n = Math.min(r.frameCount, frameCount - r.startFrame);
    out.present.set(d.present.subarray(0, n), r.startFrame);
    out.landmarks.set(d.landmarks.subarray(0, n * LANDMARK_DIMS), r.startFrame * LANDMARK_DIMS);
    out.expressions.set(d.expressions.subarray(0, n * EXPRESSION_DIMS), r.startFrame * EXPRESSION_DIMS);
    out.colour.set(d.colour.subarray(0, n * COLOUR_DIMS), r.startFrame * COLOUR_DIMS);
  }
  return out;
}

/** Gaps of a few frames inside one shot are filled by linear interpolation. */
function fillShortGaps(d: JoinedRole, cuts: ReadonlySet<number>, maxGap: number): void {
  const n = d.present.length;
  let i = 0;
  while (i < n) {
    if (d.present[i] || i === 0 || !d.present[i - 1]) { i++; continue; }
    let j = i;
    while (j < n && !d.present[j]) j++;
    const gap = j - i;
    let crossesCut = false;
    for (let k = i; k <= j && k < n; k++) if (cuts.has(k)) crossesCut = true;
    if (j < n && gap <= maxGap && !crossesCut) {
      for (let k = i; k < j; k++) {
        const t = (k - (i - 1)) / (j - (i - 1));
        for (let c = 0; c < LANDMARK_DIMS; c++) d.landmarks[k * LANDMARK_DIMS + c] = lerp(d.landmarks[(i - 1) * LANDMARK_DIMS + c], d.landmarks[j * LANDMARK_DIMS + c], t);
        d.present[k] = 1;
      }
    }
    i = j;
  }
}

/** Runs shorter than `min` frames (spurious detections) are removed. */
function dropShortRuns(present: Uint8Array, cuts: ReadonlySet<number>, min: number): void {
  let start = -1;
  for (let i = 0; i <= present.length; i++) {
    const on = i < present.length && present[i] === 1 && !(start >= 0 && cuts.has(i));
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      if (i - start < min) present.fill(0, start, i);
      start = i < present.length && present[i] === 1 ? i : -1;
    }
  }
}

/** NaN samples of present frames take the nearest known value in the same run. */
function fillMissing(values: Float32Array, dims: number, present: Uint8Array, cuts: ReadonlySet<number>): void {
  const n = present.length;
  for (let d = 0; d < dims; d++) {
    let last = NaN;
    for (let i = 0; i < n; i++) {
      if (!present[i] || cuts.has(i)) last = NaN;
      if (!present[i]) continue;
      const v = values[i * dims + d];
      if (Number.isNaN(v)) values[i * dims + d] = last;
      else last = v;
    }
    let next = NaN;
    for (let i = n - 1; i >= 0; i--) {
      if (!present[i]) { next = NaN; continue; }
      const v = values[i * dims + d];
      if (Number.isNaN(v)) values[i * dims + d] = next;
      else next = v;
      if (cuts.has(i)) next = NaN;
    }
    for (let i = 0; i < n; i++) if (present[i] && Number.isNaN(values[i * dims + d])) values[i * dims + d] = 0;
  }
}

function sum(values: number[]): number {
  return Math.round(values.reduce((a, b) => a + b, 0));
}

function lerp(a: number, b: number, t: number): number {
  return a + (b - a) * t;
}

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
