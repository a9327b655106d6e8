// Analyses one contiguous range of a story's frames (runs inside a piscina worker): decodes the
// range with ffmpeg, finds shot cuts, detects faces at shot starts and at a regular interval,
// follows each role's face in between with the landmark network, and records per frame the raw
// landmarks, expression scores and skin colour statistics. Temporal state never leaves the range.
// It never writes files; smoothing and publishing happen in the main thread.
import { EXPRESSION_LABELS, LoadedFaceModels, Box, canonicalLandmarks, alignmentWeights, interOcularDistance, descriptorDistance, FaceDetector, landmarksForRegion } from '@talecast/face';
import { applyAffine, fitSimilarity, yuv420FrameBytes, yuv420View, yuvCoefficients, YuvMatrix, YuvRange } from '@talecast/geometry';
import { skinRegion } from '@talecast/compositor';
import { decodeRangeArgs, startFfmpeg } from '@talecast/video';
import { MasksFile, regionContaining, roleActiveAt } from './masks-file';
import { frameThumbnail, ShotCutDetector, thumbnailDifference, thumbnailSampleOffsets, THUMB_SIZE } from './shot-detector';
import { LazyRgbFrame } from './lazy-rgb-frame';
import { boundingBoxOf, cropFaceInput, cropFaceInputRect, eyeLineAngle, OrientedBox, orientedFromBox, predictOrientedBox, SSD_CALIBRATION, sameFaceScore } from './face-crop';
import { COLOUR_DIMS, skinColourStats } from './colour-stats';

export const LANDMARK_DIMS = 136;
export const EXPRESSION_DIMS = EXPRESSION_LABELS.length;

export interface RangeTask {
  ffmpeg: string;
  video: string;
  fps: number;
  width: number;
  height: number;
  /** First frame to analyse; decoding starts one frame earlier to judge a cut at it. */
  startFrame: number;
  /** Exclusive; Infinity-like large value for "to the end". */
  endFrame: number;
  masks: MasksFile;
  detectEvery: number;
  expressionEvery: number;
  matrix: YuvMatrix;
  range: YuvRange;
  /** Identity of the hero (descriptor of a reference photo), if given. */
  reference: { role: string; descriptor: number[] } | null;
}

export interface RoleTrackData {
  present: Uint8Array;
  landmarks: Float32Array;
  expressions: Float32Array;
  colour: Float32Array;
}

export interface RangeResult {
  startFrame: number;
  /** Frames actually analysed (the last range ends where the video ends). */
  frameCount: number;
  /** Frames within the range that start a new shot (may include startFrame). */
  cuts: number[];
  roles: Record<string, RoleTrackData>;
  timings: { decodeMs: number; detectMs: number; landmarkMs: number; expressionMs: number; colourMs: number; detections: number };
}

interface Track {
  /** Where the landmark network looks next: the predicted detector-style box, turned with the face. */
  region: OrientedBox;
  landmarks: Float32Array;
  /** Last frame where a detector confirmed the face. */
  verifiedAt: number;
  /** Frame (within the range) of the last landmark network answer, and the face centre's velocity (px per frame). */
  computedAt: number;
  vx: number;
  vy: number;
}

/** The track's region moved on by its velocity to frame k. */
function regionAt(track: Track, k: number): OrientedBox {
  const dt = k - track.computedAt;
  return { ...track.region, cx: track.region.cx + track.vx * dt, cy: track.region.cy + track.vy * dt };
}

const CANONICAL = canonicalLandmarks();
const WEIGHTS = alignmentWeights();
const INPUT = 112;
/** Full-frame detection runs on a copy this wide (the detector's own input size). */
const DETECT_WIDTH = 416;
const VERIFY_INPUT = 160;
/**
 * Average the landmark network's answers on the crop and its mirror image (see landmarksForRegion).
 * Off: it doubles the landmark network's cost and, against the fixtures' ground truth measured
 * with the face turned upright (generator version 5), it costs accuracy too (10 s fixtures,
 * smoothed: variant a 2.39% → 3.12% of IOD with it, variant b 4.64% → 6.06%).
 */
const MIRRORED_LANDMARKS = false;
/** Turn the network's input with the face's roll (from the previous frame's eyes). */
const ROTATE = true;
/**
 * Landmark passes at a track's start after the first (on the detector's box), each on the crop
 * the previous answer predicts with the fixed SSD_CALIBRATION — the same crops every later frame
 * and every upload use. This replaced an SSD detection per track start (~0.8 s each on WASM, 7 of
 * the 60 s story's 11 s of detection) and a per-track calibration from it; stored error vs ground
 * truth (precompute-eval): a 10 s 2.39 → 2.50%, b 10 s 4.64 → 4.31%, a 60 s 2.15 → 2.42%.
 * 1 or 3 passes measured the same (later frames converge anyway).
 */
const START_PASSES = 2;

export async function analyseRange(models: LoadedFaceModels, task: RangeTask, signal?: AbortSignal): Promise<RangeResult> {
  const { tf, faceapi } = models;
  const { width, height, fps } = task;
  // Frames arrive as yuv420p (half the bytes of RGB, no conversion in ffmpeg); RGB is made only
  // where the analysis reads it (LazyRgbFrame).
  const frameBytes = yuv420FrameBytes(width, height);
  const decodeFrom = Math.max(0, task.startFrame - 1);
  const wanted = Math.max(0, task.endFrame - decodeFrom);
  const proc = startFfmpeg(task.ffmpeg, decodeRangeArgs(task.video, { startFrame: decodeFrom, frameCount: wanted, fps, pixelFormat: 'yuv420p' }), { stdout: true, signal });
  const roleNames = Object.keys(task.masks.roles);
  const capacity = Math.max(1, Math.min(wanted, task.endFrame - task.startFrame));
  const roles: Record<string, RoleTrackData> = {};
  for (const name of roleNames) {
    roles[name] = {
      present: new Uint8Array(capacity),
      landmarks: new Float32Array(capacity * LANDMARK_DIMS),
      expressions: new Float32Array(capacity * EXPRESSION_DIMS).fill(NaN),
      colour: new Float32Array(capacity * COLOUR_DIMS).fill(NaN),
    };
  }
  const yuv = yuvCoefficients(task.matrix, task.range);
  const frameRgb = new LazyRgbFrame(width, height, yuv);
  const rgb = frameRgb.rgb;
  const thumbPixels = thumbnailSampleOffsets(width, height);
  const cuts: number[] = [];
  const cutDetector = new ShotCutDetector();
  const timings = { decodeMs: 0, detectMs: 0, landmarkMs: 0, expressionMs: 0, colourMs: 0, detections: 0 };
  const lastExpression: Record<string, number> = Object.fromEntries(roleNames.map((n) => [n, -Infinity]));
  const tracks = new Map<string, Track>();
  const verifyInput = new Float32Array(VERIFY_INPUT * VERIFY_INPUT * 3);
  const netInput = new Float32Array(INPUT * INPUT * 3);
  const small = { width: DETECT_WIDTH, height: Math.round((height / width) * DETECT_WIDTH), data: new Float32Array(DETECT_WIDTH * Math.round((height / width) * DETECT_WIDTH) * 3) };
  const detector = new FaceDetector(models);
  let previousThumb: Float32Array | null = null;
  let thumb: Float32Array = new Float32Array(THUMB_SIZE);
  let lastDetection = -Infinity;
  let frameIndex = decodeFrom;
  let analysed = 0;

  /** The landmark network on a region of the current frame (converted to RGB first). */
  const landmarksIn = (region: OrientedBox) => {
    frameRgb.ensure(boundingBoxOf(region));
    return landmarksForRegion(tf, faceapi, rgb, width, height, region, MIRRORED_LANDMARKS, netInput);
  };

  const processFrame = async (frame: Uint8Array) => {
    const i = frameIndex++;
    frameRgb.reset(yuv420View(frame, width, height));
    frameRgb.ensurePixels(thumbPixels);
    frameThumbnail(rgb, width, height, thumb);
    const isCut = previousThumb !== null && cutDetector.isCut(thumbnailDifference(previousThumb, thumb));
    const spare: Float32Array = previousThumb ?? new Float32Array(THUMB_SIZE);
    previousThumb = thumb;
    thumb = spare;
    if (i < task.startFrame) return;
    const k = i - task.startFrame;
    analysed = k + 1;
    if (isCut) {
      cuts.push(i);
      tracks.clear();
    }
    const t = i / fps;
    // Full-frame detection at shot starts, at the range start, and every detectEvery frames
    // while some role active now has no track; tracked roles are verified on a crop instead.
    const searching = roleNames.some((name) => !tracks.has(name) && roleActiveAt(task.masks.roles[name], t));
    let detections: { box: Box; score: number }[] | null = null;
    if (isCut || k === 0 || (searching && i - lastDetection >= task.detectEvery)) {
      const started = performance.now();
      frameRgb.ensureAll();
      detections = await detectFaces(tf, faceapi, rgb, width, height, small);
      timings.detectMs += performance.now() - started;
      timings.detections++;
      lastDetection = i;
    }
    for (const name of roleNames) {
      const role = task.masks.roles[name];
      let track = tracks.get(name);
      let detected: Box | undefined;
      if (detections) {
        const candidates = detections.filter((d) => regionContaining(role, t, (d.box.x + d.box.width / 2) / width, (d.box.y + d.box.height / 2) / height));
        let chosen: { box: Box; score: number } | undefined;
        if (track) {
          // Continue the role's track when a detection overlaps it; else it has been lost.
          const tracked = boundingBoxOf(regionAt(track, k));
          chosen = candidates.map((c) => ({ c, o: sameFaceScore(c.box, tracked) })).filter((x) => x.o > 0.3).sort((a, b) => b.o - a.o)[0]?.c;
          if (!chosen) track = undefined;
        }
        if (!chosen && candidates.length > 0) {
          chosen = await pickCandidate(detector, rgb, width, height, candidates, task.reference?.role === name ? task.reference.descriptor : null);
        }
        if (chosen && track) {
          track.verifiedAt = i; // the same face, confirmed; keep following it from its landmarks
        } else if (chosen) {
          // The landmark network expects SSD-style boxes; the tiny detector's are looser.
          detected = ssdStyleBox(chosen.box);
          track = { region: orientedFromBox(detected), vx: 0, vy: 0, computedAt: k, landmarks: new Float32Array(LANDMARK_DIMS), verifiedAt: i };
        }
      } else if (track && i - track.verifiedAt >= task.detectEvery) {
        const started = performance.now();
        const tracked = boundingBoxOf(regionAt(track, k));
        const found = await detectAround(tf, faceapi, frameRgb, tracked, verifyInput);
        timings.detectMs += performance.now() - started;
        const match = found.filter((b) => sameFaceScore(b, tracked) > 0.3).sort((a, b) => sameFaceScore(b, tracked) - sameFaceScore(a, tracked))[0];
        if (match) track.verifiedAt = i;
        else track = undefined;
      }
      if (!track) {
        tracks.delete(name);
        continue;
      }
      const started = performance.now();
      let { landmarks: lm, crop } = await landmarksIn(detected ? track.region : regionAt(track, k));
      if (detected) {
        // A track's start: the detector's box only roughly frames the face; look again on the
        // crop its landmarks predict (turned with the face), as every later frame does.
        for (let pass = 0; pass < START_PASSES; pass++) {
          crop.dispose();
          ({ landmarks: lm, crop } = await landmarksIn(predictOrientedBox(lm, SSD_CALIBRATION, ROTATE ? eyeLineAngle(lm) : 0)));
        }
      }
      timings.landmarkMs += performance.now() - started;
      if (!acceptable(role, t, lm)) {
        crop.dispose();
        tracks.delete(name);
        continue;
      }
      const next = predictOrientedBox(lm, SSD_CALIBRATION, ROTATE ? eyeLineAngle(lm) : 0);
      if (!detected) {
        // Velocity of the face's centre between the last two computed frames (smoothed).
        const gap = Math.max(1, k - track.computedAt);
        track.vx = (track.vx + (next.cx - track.region.cx) / gap) / 2;
        track.vy = (track.vy + (next.cy - track.region.cy) / gap) / 2;
      }
      track.landmarks = lm;
      track.region = next;
      track.computedAt = k;
      tracks.set(name, track);
      await record(name, k, lm, crop, detected !== undefined);
      crop.dispose();
    }
  };

  /** Stores a frame's landmarks, expressions (from the network input, when due) and colour. */
  const record = async (name: string, k: number, lm: Float32Array, crop: any, force: boolean) => {
    const data = roles[name];
    data.present[k] = 1;
    data.landmarks.set(lm, k * LANDMARK_DIMS);
    if (force || k - lastExpression[name] >= task.expressionEvery) {
      const t0 = performance.now();
      const expr = await expressionsFor(faceapi, crop);
      data.expressions.set(expr, k * EXPRESSION_DIMS);
      lastExpression[name] = k;
      timings.expressionMs += performance.now() - t0;
    }
    const t1 = performance.now();
    frameRgb.ensure(skinRegion(lm, width, height));
    const stats = skinColourStats(rgb, width, height, lm, yuv);
    timings.colourMs += performance.now() - t1;
    if (stats) data.colour.set(stats, k * COLOUR_DIMS);
  };

  const acceptable = (role: MasksFile['roles'][string], t: number, lm: Float32Array) => plausible(lm) && regionContaining(role, t, lm[2 * 30] / width, lm[2 * 30 + 1] / height);

  // Read exact frames from the pipe; analyse them one at a time (back-pressure by pausing).
  const stdout = proc.child.stdout!;
  // Two frame buffers in turn: the one filling and the one being analysed (the pipe is paused
  // until it is done). A fresh buffer per frame cost zeroing and garbage collection.
  const buffers = [new Uint8Array(frameBytes), new Uint8Array(frameBytes)];
  let next = 0;
  let frame = buffers[next];
  let filled = 0;
  let chain = Promise.resolve();
  let failure: unknown;
  const decodeStarted = performance.now();
  stdout.on('data', (chunk: Buffer) => {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(frameBytes - filled, chunk.length - offset);
      frame.set(chunk.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === frameBytes) {
        filled = 0;
        const full = frame;
        next = (next + 1) % buffers.length;
        frame = buffers[next];
        stdout.pause();
        chain = chain.then(() => processFrame(full)).catch((err) => { failure ??= err; }).finally(() => stdout.resume());
      }
    }
  });
  await proc.done;
  await chain;
  timings.decodeMs = performance.now() - decodeStarted - timings.detectMs - timings.landmarkMs - timings.expressionMs - timings.colourMs;
  if (failure) throw failure;
  const frameCount = Math.min(analysed, capacity);
  for (const name of roleNames) {
    const d = roles[name];
    roles[name] = {
      present: d.present.slice(0, frameCount),
      landmarks: d.landmarks.slice(0, frameCount * LANDMARK_DIMS),
      expressions: d.expressions.slice(0, frameCount * EXPRESSION_DIMS),
      colour: d.colour.slice(0, frameCount * COLOUR_DIMS),
    };
  }
  return { startFrame: task.startFrame, frameCount, cuts, roles, timings };
}

/** Tiny detector on a downscaled copy of the frame (no full-size tensor); boxes in frame pixels. */
async function detectFaces(tf: any, faceapi: any, rgb: Uint8Array, width: number, height: number, small: { width: number; height: number; data: Float32Array }): Promise<{ box: Box; score: number }[]> {
  const { scale: k, ox, oy } = cropFaceInputRect(rgb, width, height, { x: 0, y: 0, width, height }, small.width, small.height, small.data);
  const tensor = tf.tensor3d(small.data, [small.height, small.width, 3], 'float32');
  try {
    const found: any[] = await faceapi.nets.tinyFaceDetector.locateFaces(tensor, new faceapi.TinyFaceDetectorOptions({ inputSize: DETECT_WIDTH, scoreThreshold: 0.45 }));
    return found.map((d) => ({ box: { x: (d.box.x - ox) / k, y: (d.box.y - oy) / k, width: d.box.width / k, height: d.box.height / k }, score: d.score }));
  } finally {
    tensor.dispose();
  }
}

/**
 * The tiny detector's box made SSD-like: SSD boxes (the landmark network's training crops) are
 * on average 0.72 as wide and 0.85 as tall, 4% of the height higher (measured: 12 track starts on
 * the 5 s and 10 s fixtures, SSD on a crop around each tiny box; widths 0.67–0.77).
 */
export function ssdStyleBox(b: Box): Box {
  const w = b.width * 0.719, h = b.height * 0.854;
  const cx = b.x + b.width * (0.5 - 0.010), cy = b.y + b.height * (0.5 - 0.040);
  return { x: cx - w / 2, y: cy - h / 2, width: w, height: h };
}

/** Tiny detector on a square crop around a tracked box (cheap verification of a track). */
async function detectAround(tf: any, faceapi: any, frame: LazyRgbFrame, box: Box, input: Float32Array): Promise<Box[]> {
  const side = Math.max(box.width, box.height) * 1.8;
  const crop = { x: box.x + box.width / 2 - side / 2, y: box.y + box.height / 2 - side / 2, width: side, height: side };
  frame.ensure(crop);
  const { scale, ox, oy } = cropFaceInput(frame.rgb, frame.width, frame.height, crop, VERIFY_INPUT, input);
  const tensor = tf.tensor3d(input, [VERIFY_INPUT, VERIFY_INPUT, 3], 'float32');
  try {
    const found: any[] = await faceapi.nets.tinyFaceDetector.locateFaces(tensor, new faceapi.TinyFaceDetectorOptions({ inputSize: VERIFY_INPUT, scoreThreshold: 0.4 }));
    return found.map((d) => ({ x: crop.x + (d.box.x - ox) / scale, y: crop.y + (d.box.y - oy) / scale, width: d.box.width / scale, height: d.box.height / scale }));
  } finally {
    tensor.dispose();
  }
}

async function expressionsFor(faceapi: any, crop: any): Promise<Float32Array> {
  const probs = await faceapi.nets.faceExpressionNet.predictExpressions(crop);
  return Float32Array.from(EXPRESSION_LABELS, (label) => Number(probs[label] ?? 0));
}

/** Largest candidate, or the one closest to the reference identity (within 0.6). */
async function pickCandidate(detector: FaceDetector, rgb: Uint8Array, width: number, height: number, candidates: { box: Box; score: number }[], reference: number[] | null) {
  const bySize = [...candidates].sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
  if (!reference) return bySize[0];
  let best: { c: (typeof candidates)[number]; d: number } | undefined;
  for (const c of bySize.slice(0, 4)) {
    const face = await detector.analyseBox({ data: rgb, width, height }, c.box, { descriptor: true });
    const d = descriptorDistance(face.descriptor!, reference);
    if (d < 0.6 && (!best || d < best.d)) best = { c, d };
  }
  return best?.c;
}

/** A landmark set that fits the canonical face shape; a lost track produces a distorted one. */
function plausible(lm: Float32Array): boolean {
  const iod = interOcularDistance(lm);
  if (!(iod > 6)) return false;
  const m = fitSimilarity(CANONICAL, lm, WEIGHTS);
  const mapped = applyAffine(m, CANONICAL, new Float32Array(LANDMARK_DIMS));
  let sum = 0;
  for (let i = 0; i < 68; i++) sum += Math.hypot(mapped[2 * i] - lm[2 * i], mapped[2 * i + 1] - lm[2 * i + 1]);
  return sum / 68 / iod < 0.3;
}
