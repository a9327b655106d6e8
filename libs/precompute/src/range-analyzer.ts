// Analyses one contiguous range of a story's frames (runs inside a piscina worker): decodes the
// range with ffmpeg, finds shot cuts, detects faces at shot starts and at a regular interval,
// follows each role's face in between with the landmark network, and records per frame the raw
// landmarks, expression scores and skin colour statistics. Temporal state never leaves the range.
// It never writes files; smoothing and publishing happen in the main thread.
import {
  EXPRESSION_LABELS,
  expressionNetScores,
  FaceApi,
  FaceApiResult,
  FaceApiTensor,
  Tfjs,
  LoadedFaceModels,
  Box,
  canonicalLandmarks,
  alignmentWeights,
  interOcularDistance,
  descriptorDistance,
  FaceDetector,
  irisCropArea,
  IrisModel,
  landmarksForRegion,
  lidOpennessByIrisModel,
} from '@talecast/face';
import { applyAffine, fitSimilarity, Plane, yuv420FrameBytes, yuv420View, Yuv420, yuvCoefficients, YuvMatrix, YuvRange } from '@talecast/geometry';
import { skinRegion } from '@talecast/compositor';
import { createFramePipe, decodeRangeArgs, readFramesFromPipe, startFfmpeg } from '@talecast/video';
import { MasksFile, regionActive, regionContaining, roleActiveAt } from './masks-file';
import { DetectionArea, detectionAreas } from './detection-area';
import { frameThumbnail, ShotCutDetector, thumbnailDifference, thumbnailSampleOffsets, THUMB_SIZE } from './shot-detector';
import { LazyRgbFrame } from './lazy-rgb-frame';
import {
  boundingBoxOf,
  cropFaceInput,
  cropFaceInputRect,
  eyeLineAngle,
  OrientedBox,
  orientedFromBox,
  predictOrientedBox,
  SSD_CALIBRATION,
  sameFaceScore,
  holdsFace,
} from './face-crop';
import { COLOUR_DIMS, skinColourStats } from './colour-stats';
import { KeyedTrack, keyedLandmarksAt } from './keyed-faces';
import { edgeSparsity, faceStyleBox } from './style-proposal';
import { eyeWhiteArea, heldFrom, IrisReading, irisReadingDue, measureGaze } from './eye-measure';
import { LastSeen, lastSeenAfter, plausibleRestart } from './last-seen';
import { largestShift, midLandmarks, plausibleScale, plausibleStep, RecentFrames, regionBefore } from './look-back';

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
  /**
   * Set (to non-zero, by another thread) to stop the analysis at the next frame: it then fails with
   * AnalysisCancelled after stopping its decoder and removing its FIFO. A worker thread terminated
   * from outside could do neither (its decoder would wait on the FIFO for ever).
   */
  cancel?: Int32Array;
}

export class AnalysisCancelled extends Error {
  constructor() {
    super('the analysis was cancelled');
    this.name = 'AnalysisCancelled';
  }
}

export interface RoleTrackData {
  present: Uint8Array;
  landmarks: Float32Array;
  expressions: Float32Array;
  colour: Float32Array;
  /** Roles with authored keyframes: the posed face wherever the keyframes give one (face-keyframes.ts). */
  keyed?: KeyedTrack;
  /** Per frame [rx, ry, lx, ly]: each eye's gaze from the frame's pixels (see eye-measure); NaN where unknown. */
  gaze: Float32Array;
  /** Per frame [right, left]: how much eye white each eye shows (see eye-measure's eyeWhiteArea); NaN where unknown. */
  eyeWhite: Float32Array;
  /** Per frame [right, left]: each eye's lid gap by the iris model where it was read or held (see eye-measure's irisReadingDue); NaN elsewhere. */
  eyeIris?: Float32Array;
  /** Per frame: 1 where the landmarks are the mean of the neighbouring frames' runs, not a run of their own (LANDMARK_SKIP). */
  between?: Uint8Array;
}

export interface RangeResult {
  startFrame: number;
  /** Frames actually analysed (the last range ends where the video ends). */
  frameCount: number;
  /** Frames within the range that start a new shot (may include startFrame). */
  cuts: number[];
  roles: Record<string, RoleTrackData>;
  /** Edge sparsity of the hero's face on some frames (style-proposal.ts). */
  styleSamples?: number[];
  timings: {
    decodeMs: number;
    detectMs: number;
    landmarkMs: number;
    expressionMs: number;
    colourMs: number;
    eyesMs: number;
    /** Full detections (whole frame or the regions' area), track verifications and relocations on a crop, landmark network runs. */
    detections: number;
    verifications: number;
    relocations: number;
    landmarkRuns: number;
    /** Followed frames recorded with the mean of their neighbours' landmark answers instead of a run (LANDMARK_SKIP). */
    skipped?: number;
    /** Eyes (frames × roles × eyes) whose lids the iris model read (eye-measure's irisReadingDue). */
    irisReads: number;
    /** Frames a face found late was followed back over (look-back.ts). */
    lookedBack: number;
  };
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
  /** Whether the velocity has been measured yet (the first measurement is taken whole). */
  moved?: boolean;
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

export async function analyseRange(models: LoadedFaceModels, task: RangeTask, signal?: AbortSignal, iris: IrisModel | null = null): Promise<RangeResult> {
  // Frames arrive as yuv420p (half the bytes of RGB, no conversion in ffmpeg); RGB is made only
  // where the analysis reads it (LazyRgbFrame).
  if (task.cancel && Atomics.load(task.cancel, 0) !== 0) throw new AnalysisCancelled();
  const decodeFrom = Math.max(0, task.startFrame - 1);
  const wanted = Math.max(0, task.endFrame - decodeFrom);
  const analysis = new RangeAnalysis(models, task, decodeFrom, Math.max(1, Math.min(wanted, task.endFrame - task.startFrame)), iris);
  const decodeStarted = performance.now();
  const pipe = await createFramePipe();
  try {
    const args = decodeRangeArgs(task.video, { startFrame: decodeFrom, frameCount: wanted, fps: task.fps, pixelFormat: 'yuv420p', output: pipe.path });
    const proc = startFfmpeg(task.ffmpeg, args, { signal });
    const exited = proc.done.catch(() => undefined);
    await readFramesFromPipe(
      pipe,
      yuv420FrameBytes(task.width, task.height),
      FRAMES_AHEAD,
      exited,
      () => proc.child.kill('SIGKILL'),
      (frame) => analysis.processFrame(frame),
    ).finally(() => exited);
    await proc.done;
    await analysis.settlePending();
  } finally {
    await pipe.remove();
  }
  return analysis.result(performance.now() - decodeStarted);
}

/**
 * Decoded frames read ahead of the analysis: the decoder (its own process) and the reads (the
 * thread pool) go on while this thread analyses. With a single frame buffered, the decoder
 * started on the next frame only once the analysis was done with this one.
 */
const FRAMES_AHEAD = 4;

type Detection = { box: Box; score: number };
type HeldFrame = { i: number; frame: Uint8Array | null; rgb: LazyRgbFrame };
type PendingFrame = { i: number; k: number; t: number };

/**
 * Landmark runs on every other frame of a steady track: frame i's run waits for frame i + 1's,
 * and when that lands within SKIP_MAX_SHIFT of frame i − 1's answer, frame i gets the mean of
 * the two (its gaze, lids, colour and style are still read from its own pixels). Otherwise frame i
 * is run after all, before frame i + 1. Only while the face moves less than SKIP_MAX_SPEED eye
 * distances per frame: fast moves and turns are followed frame by frame as before.
 *
 * Off (session 13 lead): on the 12 s 1280x720 tale's close-up (frames 248–252, eye distance ~130 px)
 * the track with the skip drifted, the far eye's outer corner 0.6 and the far jaw 1.0 eye distances
 * inside the drawn ones (0.3 without), and the child's face was composited small and to one side
 * with the character's drawn far eye and lips showing below and beside it. The 60 s bench row read
 * 1.48x with it in the final bench (1.5x needed), so the trade was not made. With false the analysis
 * is bit-for-bit the session's start.
 */
const LANDMARK_SKIP = false;
const SKIP_MAX_SPEED = 0.08;
const SKIP_MAX_SHIFT = 0.15;

/** The state of one range's analysis: frame by frame, shot cuts, each role's track and what was recorded. */
class RangeAnalysis {
  private readonly tf: Tfjs;
  private readonly faceapi: FaceApi;
  private readonly width: number;
  private readonly height: number;
  private readonly roleNames: string[];
  private readonly roles: Record<string, RoleTrackData> = {};
  private readonly yuv: ReturnType<typeof yuvCoefficients>;
  /** The frame the analysis reads now (the current frame, or a held one while its landmarks are settled). */
  private frameRgb: LazyRgbFrame;
  private rgb: Uint8Array;
  private readonly currentRgb: LazyRgbFrame;
  /** Frames whose landmark run some role deferred (see LANDMARK_SKIP), by frame parity: one frame old at most. */
  private readonly held: HeldFrame[];
  /** Per role, the frame it deferred (recorded on the next frame, interpolated or run after all). */
  private readonly pending = new Map<string, PendingFrame>();
  private readonly thumbPixels: ReturnType<typeof thumbnailSampleOffsets>;
  private readonly cuts: number[] = [];
  private readonly cutDetector = new ShotCutDetector();
  private readonly timings = {
    decodeMs: 0,
    detectMs: 0,
    landmarkMs: 0,
    expressionMs: 0,
    colourMs: 0,
    eyesMs: 0,
    detections: 0,
    skipped: 0,
    verifications: 0,
    relocations: 0,
    landmarkRuns: 0,
    irisReads: 0,
    lookedBack: 0,
  };
  /** The current frame's luma (for the eyes' gaze). */
  private luma: Plane | null = null;
  private readonly gaze = new Float32Array(4);
  private readonly white = new Float32Array(2);
  private readonly irisDue: IrisReading[] = ['none', 'none'];
  /** The current frame (for the eyes' white). */
  private frameYuv: Yuv420 | null = null;
  /** The frame being analysed (the reader's buffer) and copies of the last ones while a role searches. */
  private currentFrame: Uint8Array | null = null;
  private readonly recent: RecentFrames;
  private readonly lastExpression: Record<string, number>;
  private readonly tracks = new Map<string, Track>();
  /** This frame's faces, by the role that holds each (a face belongs to one role at a time). */
  private readonly claims = new Map<string, Box>();
  /**
   * Where each role's live track predicts its face this frame, set before any role is followed: a
   * role that starts or relocates never takes a face another role is following, whichever role
   * happens to be looked at first (a lost hero's search once took the friend walking into its place).
   */
  private readonly following = new Map<string, Box>();
  /** Where each role's face was last recorded in this shot: a restart must be plausible from it (last-seen.ts). */
  private readonly lastSeen = new Map<string, LastSeen>();
  private readonly verifyInput = new Float32Array(VERIFY_INPUT * VERIFY_INPUT * 3);
  private readonly netInput = new Float32Array(INPUT * INPUT * 3);
  private readonly small: { width: number; height: number; data: Float32Array };
  private readonly areaInputs = new Map<number, Float32Array>();
  private readonly detector: FaceDetector;
  private previousThumb: Float32Array | null = null;
  private thumb: Float32Array = new Float32Array(THUMB_SIZE);
  private lastDetection = -Infinity;
  /** Frame where the current search began (a cut, the range start, a lost track). */
  private searchStart = 0;
  /** The role whose face proposes the story's style (the hero), its samples and the last sampled frame. */
  private readonly styleRole: string;
  private readonly styleSamples: number[] = [];
  private lastStyleSample = -Infinity;
  private frameIndex: number;
  private analysed = 0;

  constructor(
    models: LoadedFaceModels,
    private readonly task: RangeTask,
    decodeFrom: number,
    private readonly capacity: number,
    private readonly iris: IrisModel | null = null,
  ) {
    this.tf = models.tf;
    this.faceapi = models.faceapi;
    this.width = task.width;
    this.height = task.height;
    this.roleNames = Object.keys(task.masks.roles);
    this.styleRole = task.reference?.role ?? ('hero' in task.masks.roles ? 'hero' : this.roleNames[0]);
    for (const name of this.roleNames) {
      this.roles[name] = {
        present: new Uint8Array(capacity),
        landmarks: new Float32Array(capacity * LANDMARK_DIMS),
        expressions: new Float32Array(capacity * EXPRESSION_DIMS).fill(NaN),
        colour: new Float32Array(capacity * COLOUR_DIMS).fill(NaN),
        ...(task.masks.roles[name].keyframes ? { keyed: { present: new Uint8Array(capacity), landmarks: new Float32Array(capacity * LANDMARK_DIMS) } } : {}),
        gaze: new Float32Array(capacity * 4).fill(NaN),
        eyeWhite: new Float32Array(capacity * 2).fill(NaN),
        eyeIris: new Float32Array(capacity * 2).fill(NaN),
        between: new Uint8Array(capacity),
      };
    }
    this.yuv = yuvCoefficients(task.matrix, task.range);
    this.frameRgb = this.currentRgb = new LazyRgbFrame(this.width, this.height, this.yuv);
    this.rgb = this.frameRgb.rgb;
    this.held = [0, 1].map(() => ({ i: -1, frame: null, rgb: new LazyRgbFrame(this.width, this.height, this.yuv) }));
    this.thumbPixels = thumbnailSampleOffsets(this.width, this.height);
    this.lastExpression = Object.fromEntries(this.roleNames.map((n) => [n, -Infinity]));
    const smallHeight = Math.round((this.height / this.width) * DETECT_WIDTH);
    this.small = { width: DETECT_WIDTH, height: smallHeight, data: new Float32Array(DETECT_WIDTH * smallHeight * 3) };
    this.detector = new FaceDetector(models);
    this.recent = new RecentFrames(Math.min(LOOK_BACK_FRAMES, Math.max(0, task.detectEvery - 1)), yuv420FrameBytes(task.width, task.height));
    this.frameIndex = decodeFrom;
  }

  async processFrame(frame: Uint8Array): Promise<void> {
    if (this.task.cancel && Atomics.load(this.task.cancel, 0) !== 0) throw new AnalysisCancelled();
    const i = this.frameIndex++;
    const isCut = this.shotCutAt(frame);
    if (i < this.task.startFrame) return;
    const k = i - this.task.startFrame;
    this.analysed = k + 1;
    // A deferred frame is settled within its own shot.
    if (isCut) await this.settlePending();
    if (isCut) {
      this.cuts.push(i);
      this.tracks.clear();
      this.lastSeen.clear();
      this.recent.clear();
    }
    if (isCut || k === 0) this.searchStart = i;
    const t = i / this.task.fps;
    const detections = await this.detectIfDue(i, k, t, isCut);
    this.claims.clear();
    this.following.clear();
    for (const [name, track] of this.tracks) this.following.set(name, boundingBoxOf(regionAt(track, k)));
    for (const name of this.roleNames) {
      await this.followRole(name, i, k, t, detections);
      if (this.pending.get(name)?.k !== k) this.recordKeyed(name, k, t);
    }
    // A role still searching may find its face on a later frame: keep this one to look back at.
    if (this.roleNames.some((name) => !this.tracks.has(name) && roleActiveAt(this.task.masks.roles[name], t))) this.recent.keep(i, frame);
  }

  /**
   * A role with authored keyframes: the posed face of frame k, and where detection found nothing
   * the skin colour under it and a neutral expression (the cleaning picks detection or keyframes
   * per shot).
   */
  private recordKeyed(name: string, k: number, t: number): void {
    const data = this.roles[name];
    if (!data.keyed) return;
    const lm = keyedLandmarksAt(
      this.task.masks.roles[name],
      t,
      this.task.fps,
      this.width,
      this.height,
      data.keyed.landmarks.subarray(k * LANDMARK_DIMS, (k + 1) * LANDMARK_DIMS),
    );
    if (!lm) return;
    data.keyed.present[k] = 1;
    if (data.present[k]) return;
    const t1 = performance.now();
    this.frameRgb.ensure(skinRegion(lm, this.width, this.height));
    const stats = skinColourStats(this.rgb, this.width, this.height, lm, this.yuv);
    this.timings.colourMs += performance.now() - t1;
    if (stats) data.colour.set(stats, k * COLOUR_DIMS);
    this.sampleStyle(name, k, lm);
    data.expressions.fill(0, k * EXPRESSION_DIMS, (k + 1) * EXPRESSION_DIMS);
    data.expressions[k * EXPRESSION_DIMS + EXPRESSION_LABELS.indexOf('neutral')] = 1;
  }

  /** The frame becomes the current one; true when it starts a new shot. */
  private shotCutAt(frame: Uint8Array): boolean {
    this.useFrame(frame);
    this.currentFrame = frame;
    this.frameRgb.ensurePixels(this.thumbPixels);
    frameThumbnail(this.rgb, this.width, this.height, this.thumb);
    const isCut = this.previousThumb !== null && this.cutDetector.isCut(thumbnailDifference(this.previousThumb, this.thumb));
    const spare: Float32Array = this.previousThumb ?? new Float32Array(THUMB_SIZE);
    this.previousThumb = this.thumb;
    this.thumb = spare;
    return isCut;
  }

  /** The frame the analysis reads (RGB converted again where read). */
  private useFrame(frame: Uint8Array): void {
    const view = yuv420View(frame, this.width, this.height);
    this.frameRgb = this.currentRgb;
    this.rgb = this.currentRgb.rgb;
    this.frameRgb.reset(view);
    this.luma = view.y;
    this.frameYuv = view;
  }

  /**
   * Full-frame detection at shot starts, at the range start, and while some role active now has no
   * track: again after 1, 2, 4, 8 … frames from the search's start (a cut, a lost track), then
   * every detectEvery frames. A face the first detection after a cut misses (a dissolve, motion
   * blur, a face entering) is found within a frame or two, not half a second later, which is the
   * whole of a short shot. Tracked roles are verified on a crop instead (null here).
   */
  private async detectIfDue(i: number, k: number, t: number, isCut: boolean): Promise<Detection[] | null> {
    const searching = this.roleNames.some((name) => !this.tracks.has(name) && roleActiveAt(this.task.masks.roles[name], t));
    if (!(isCut || k === 0 || (searching && i - this.lastDetection >= searchInterval(this.lastDetection - this.searchStart, this.task.detectEvery))))
      return null;
    this.lastDetection = i;
    // Only faces centred in an active region are ever candidates: look around those regions only.
    const regions = Object.values(this.task.masks.roles).flatMap((role) => role.regions.filter((r) => regionActive(r, t)));
    const areas = detectionAreas(regions, this.width, this.height, DETECT_WIDTH);
    if (areas.length === 0) return [];
    const started = performance.now();
    let detections: Detection[] = [];
    if (areas[0].inputSize >= DETECT_WIDTH) {
      this.frameRgb.ensureAll();
      detections = await detectFaces(this.tf, this.faceapi, this.rgb, this.width, this.height, this.small);
    } else {
      for (const area of areas) {
        this.frameRgb.ensure(area.crop);
        detections.push(...(await detectInArea(this.tf, this.faceapi, this.rgb, this.width, this.height, area, this.areaInput(area.inputSize))));
      }
      if (areas.length > 1) detections = withoutDuplicates(detections);
    }
    this.timings.detectMs += performance.now() - started;
    this.timings.detections++;
    return detections;
  }

  /** The detector's input buffer for a crop of this size (kept per size). */
  private areaInput(size: number): Float32Array {
    let input = this.areaInputs.get(size);
    if (!input) this.areaInputs.set(size, (input = new Float32Array(size * size * 3)));
    return input;
  }

  /**
   * One role on frame i: first the frame it deferred (if any) is settled, interpolated when this
   * frame's answer allows it; then this frame is deferred when it may be (see LANDMARK_SKIP), else
   * followed.
   */
  private async followRole(name: string, i: number, k: number, t: number, detections: Detection[] | null): Promise<void> {
    const pending = this.pending.get(name);
    let given: { landmarks: Float32Array; crop: FaceApiTensor } | undefined;
    if (pending) {
      given = await this.landmarksAcrossSkip(name, pending, k, t, detections);
      if (!given) await this.settle(name);
    }
    if (!given && this.mayDefer(name, i, k, detections)) {
      this.defer(name, i, k, t);
      return;
    }
    await this.followRoleOn(name, i, k, t, detections, given);
  }

  /**
   * Whether the role's landmark run on frame i may wait for frame i + 1's: a steady track (moved
   * little per frame, computed on the frame before, no detection or verification due on either
   * frame, no role searching, a next frame in this range).
   */
  private mayDefer(name: string, i: number, k: number, detections: Detection[] | null): boolean {
    if (!LANDMARK_SKIP || detections) return false;
    const track = this.tracks.get(name);
    if (!track || !track.moved || track.computedAt !== k - 1) return false;
    if (i + 1 - track.verifiedAt >= this.task.detectEvery || i + 1 >= this.task.endFrame || k + 1 >= this.capacity) return false;
    return Math.hypot(track.vx, track.vy) <= SKIP_MAX_SPEED * interOcularDistance(track.landmarks);
  }

  /** Holds frame i (shared by the roles deferring it) and marks the role's run on it as pending; the role holds its predicted face this frame. */
  private defer(name: string, i: number, k: number, t: number): void {
    const slot = this.held[i % 2];
    if (slot.i !== i) {
      slot.frame ??= new Uint8Array(this.currentFrame!.length);
      slot.frame.set(this.currentFrame!);
      slot.i = i;
      slot.rgb.reset(yuv420View(slot.frame, this.width, this.height));
    }
    this.pending.set(name, { i, k, t });
    this.claims.set(name, boundingBoxOf(regionAt(this.tracks.get(name)!, k)));
  }

  /**
   * Frame k's landmarks for a role that deferred frame k − 1, when frame k is a plain following
   * step that lands close to frame k − 2's answer (every point within SKIP_MAX_SHIFT eye distances):
   * frame k − 1 is then recorded (on its own pixels) with the two answers' mean, and frame k's answer is
   * returned to be followed with. Otherwise undefined (nothing recorded, the track unchanged).
   */
  private async landmarksAcrossSkip(
    name: string,
    pending: PendingFrame,
    k: number,
    t: number,
    detections: Detection[] | null,
  ): Promise<{ landmarks: Float32Array; crop: FaceApiTensor } | undefined> {
    const track = this.tracks.get(name);
    if (detections || !track || track.computedAt !== pending.k - 1) return undefined;
    const started = performance.now();
    const { landmarks: lm, crop } = await this.locateLandmarks(track, k, false);
    this.timings.landmarkMs += performance.now() - started;
    const before = track.landmarks;
    const role = this.task.masks.roles[name];
    if (!(
      this.acceptable(role, t, lm) &&
      plausibleStep(before, lm) &&
      plausibleScale(before, lm) &&
      largestShift(before, lm) <= SKIP_MAX_SHIFT * interOcularDistance(before)
    )) {
      crop.dispose();
      return undefined;
    }
    const mid = midLandmarks(before, lm);
    this.pending.delete(name);
    this.timings.skipped++;
    this.roles[name].between![pending.k] = 1;
    await this.onHeld(pending.i, async () => {
      await this.record(name, pending.k, mid, null, false);
      this.recordKeyed(name, pending.k, pending.t);
    });
    return { landmarks: lm, crop };
  }

  /** The role's deferred frame followed after all, on its held pixels. */
  private async settle(name: string): Promise<void> {
    const pending = this.pending.get(name);
    if (!pending) return;
    this.pending.delete(name);
    await this.onHeld(pending.i, async () => {
      await this.followRoleOn(name, pending.i, pending.k, pending.t, null, undefined);
      this.recordKeyed(name, pending.k, pending.t);
    });
  }

  /** Every deferred frame followed after all (at a cut and at the range's end). */
  async settlePending(): Promise<void> {
    for (const name of [...this.pending.keys()]) await this.settle(name);
  }

  /** Runs fn with held frame i as the frame read (its RGB, luma and YUV), then goes back to the current frame. */
  private async onHeld(i: number, fn: () => Promise<void>): Promise<void> {
    const slot = this.held[i % 2];
    if (slot.i !== i || !slot.frame) throw new Error(`frame ${i} is not held`);
    const saved = { rgb: this.frameRgb, luma: this.luma, yuv: this.frameYuv };
    const view = yuv420View(slot.frame, this.width, this.height);
    this.frameRgb = slot.rgb;
    this.rgb = slot.rgb.rgb;
    this.luma = view.y;
    this.frameYuv = view;
    try {
      await fn();
    } finally {
      this.frameRgb = saved.rgb;
      this.rgb = saved.rgb.rgb;
      this.luma = saved.luma;
      this.frameYuv = saved.yuv;
    }
  }

  /** One role on frame i (k within the range): keep, start or lose its track; record the frame when found. `given`: frame i's landmarks already run (landmarksAcrossSkip). */
  private async followRoleOn(
    name: string,
    i: number,
    k: number,
    t: number,
    detections: Detection[] | null,
    given: { landmarks: Float32Array; crop: FaceApiTensor } | undefined,
  ): Promise<void> {
    const role = this.task.masks.roles[name];
    let track = this.tracks.get(name);
    const searching = !track;
    let detected: Box | undefined;
    if (given) {
      // landmarksAcrossSkip ran the network on the track's prediction: no detection or verification is due.
    } else if (detections) ({ track, detected } = await this.matchDetections(name, track, detections, i, k, t));
    else if (track && i - track.verifiedAt >= this.task.detectEvery) track = await this.verifyTrack(track, i, k);
    if (!track) {
      this.tracks.delete(name);
      return;
    }
    let lm: Float32Array, crop: FaceApiTensor | null;
    if (given) ({ landmarks: lm, crop } = given);
    else {
      const started = performance.now();
      ({ landmarks: lm, crop } = await this.locateLandmarks(track, k, detected !== undefined));
      this.timings.landmarkMs += performance.now() - started;
    }
    const followed = detected ? null : track.landmarks;
    if (followed && (!this.acceptable(role, t, lm) || !plausibleStep(followed, lm))) {
      // Lost while following (a fast turn or move outran the prediction, or the network slipped
      // off a head turning away and answered on part of it): look for the face around where it
      // was going and start again from it on this very frame.
      crop.dispose();
      const found = await this.relocate(name, track, k);
      if (found) ({ track, detected } = found);
      if (found) ({ landmarks: lm, crop } = await this.locateLandmarks(track, k, true));
      else crop = null;
    }
    if (!crop || !this.acceptable(role, t, lm) || (followed && !plausibleScale(followed, lm))) {
      crop?.dispose();
      this.tracks.delete(name);
      this.searchStart = i;
      return;
    }
    advanceTrack(track, lm, k, detected !== undefined);
    const face = boundingBoxOf(regionAt(track, k));
    if (this.claimedByOther(name, face)) {
      // Two roles on one face (two characters crossing, one not detected): the role that holds
      // it keeps it; this one has lost its own face and searches again.
      crop.dispose();
      this.tracks.delete(name);
      this.searchStart = i;
      return;
    }
    this.claims.set(name, face);
    this.lastSeen.set(name, lastSeenAfter(this.lastSeen.get(name), face, i));
    this.tracks.set(name, track);
    await this.record(name, k, lm, crop, detected !== undefined);
    crop.dispose();
    if (searching) await this.lookBack(name, i, lm);
  }

  /**
   * A face found on frame i after its role searched: follow it back over the kept frames before i
   * (within the shot and the range, while the role has nothing there), each frame confirmed by the
   * detector on a crop and moving like the same face; see look-back.ts.
   */
  private async lookBack(name: string, i: number, found: Float32Array): Promise<void> {
    const role = this.task.masks.roles[name];
    const data = this.roles[name];
    const first = Math.max(this.task.startFrame, this.task.startFrame + this.shotStart());
    const expressionAt = this.lastExpression[name];
    // Other roles' deferred frames are followed first: the look-back reads their recorded faces.
    await this.settlePending();
    let newer = found,
      newerStill: Float32Array | null = null;
    try {
      for (let j = i - 1; j >= first; j--) {
        const kj = j - this.task.startFrame;
        const frame = this.recent.get(j);
        if (data.present[kj] || !frame) break;
        this.useFrame(frame);
        const started = performance.now();
        let { landmarks: lm, crop } = await this.landmarksIn(regionBefore(newer, newerStill));
        crop.dispose();
        ({ landmarks: lm, crop } = await this.landmarksIn(predictOrientedBox(lm, SSD_CALIBRATION, ROTATE ? eyeLineAngle(lm) : 0)));
        this.timings.landmarkMs += performance.now() - started;
        const face = boundingBoxOf(predictOrientedBox(lm, SSD_CALIBRATION, ROTATE ? eyeLineAngle(lm) : 0));
        const same =
          this.acceptable(role, j / this.task.fps, lm) && plausibleStep(newer, lm) && !this.heldByOtherAt(name, kj, face) && (await this.confirmedAt(face));
        if (!same) {
          crop.dispose();
          break;
        }
        await this.record(name, kj, lm, crop, true);
        crop.dispose();
        this.timings.lookedBack++;
        newerStill = newer;
        newer = lm;
      }
    } finally {
      this.lastExpression[name] = expressionAt;
      if (this.currentFrame) this.useFrame(this.currentFrame);
    }
  }

  /** Whether another role's recorded face on frame k is this face. */
  private heldByOtherAt(name: string, k: number, box: Box): boolean {
    for (const other of this.roleNames) {
      const data = this.roles[other];
      if (other === name || !data.present[k]) continue;
      const lm = data.landmarks.subarray(k * LANDMARK_DIMS, (k + 1) * LANDMARK_DIMS);
      if (holdsFace(box, boundingBoxOf(predictOrientedBox(lm, SSD_CALIBRATION, ROTATE ? eyeLineAngle(lm) : 0)))) return true;
    }
    return false;
  }

  /** The tiny detector on a crop around the box (the current frame) finds this face. */
  private async confirmedAt(box: Box): Promise<boolean> {
    const started = performance.now();
    const found = await detectAround(this.tf, this.faceapi, this.frameRgb, box, this.verifyInput);
    this.timings.detectMs += performance.now() - started;
    this.timings.verifications++;
    return found.some((b) => sameFaceScore(b, box) > 0.3);
  }

  /**
   * Continues the role's track when a detection overlaps it, else it has been lost; a role without
   * a track starts one on its best candidate (`detected`: the SSD-style box it starts from).
   */
  private async matchDetections(
    name: string,
    track: Track | undefined,
    detections: Detection[],
    i: number,
    k: number,
    t: number,
  ): Promise<{ track?: Track; detected?: Box }> {
    const role = this.task.masks.roles[name];
    const { width, height } = this;
    const candidates = detections.filter(
      (d) => regionContaining(role, t, (d.box.x + d.box.width / 2) / width, (d.box.y + d.box.height / 2) / height) && !this.claimedByOther(name, d.box),
    );
    let chosen: Detection | undefined;
    if (track) {
      const tracked = boundingBoxOf(regionAt(track, k));
      chosen = candidates
        .map((c) => ({ c, o: sameFaceScore(c.box, tracked) }))
        .filter((x) => x.o > 0.3)
        .sort((a, b) => b.o - a.o)[0]?.c;
      if (!chosen) track = undefined;
    }
    // A new start: never on a face another role is following this frame, only near where this
    // role's own face was heading when it was last seen.
    const free = chosen ? [] : candidates.filter((d) => !this.followedByOther(name, d.box) && plausibleRestart(this.lastSeen.get(name), d.box, i));
    if (!chosen && free.length > 0) {
      chosen = await pickCandidate(this.detector, this.rgb, width, height, free, this.task.reference?.role === name ? this.task.reference.descriptor : null);
    }
    if (chosen && track) {
      track.verifiedAt = i; // the same face, confirmed; keep following it from its landmarks
      return { track };
    }
    if (!chosen) return {};
    // The landmark network expects SSD-style boxes; the tiny detector's are looser.
    const detected = ssdStyleBox(chosen.box);
    return { track: { region: orientedFromBox(detected), vx: 0, vy: 0, computedAt: k, landmarks: new Float32Array(LANDMARK_DIMS), verifiedAt: i }, detected };
  }

  /** The tiny detector on a crop around the track: confirmed (kept) or lost (undefined). */
  private async verifyTrack(track: Track, i: number, k: number): Promise<Track | undefined> {
    const started = performance.now();
    const tracked = boundingBoxOf(regionAt(track, k));
    const found = await detectAround(this.tf, this.faceapi, this.frameRgb, tracked, this.verifyInput);
    this.timings.detectMs += performance.now() - started;
    this.timings.verifications++;
    const match = found.filter((b) => sameFaceScore(b, tracked) > 0.3).sort((a, b) => sameFaceScore(b, tracked) - sameFaceScore(a, tracked))[0];
    if (!match) return undefined;
    track.verifiedAt = i;
    return track;
  }

  /**
   * The tiny detector on a wide crop around where a lost track was heading: the face nearest the
   * prediction (within one face width of it) starts a new track there; none: the track is lost.
   */
  private async relocate(name: string, track: Track, k: number): Promise<{ track: Track; detected: Box } | undefined> {
    const started = performance.now();
    const predicted = boundingBoxOf(regionAt(track, k));
    const found = await detectAround(this.tf, this.faceapi, this.frameRgb, predicted, this.verifyInput, RELOCATE_CROP);
    this.timings.detectMs += performance.now() - started;
    this.timings.relocations++;
    const size = Math.sqrt(predicted.width * predicted.height);
    const centre = (b: Box) => Math.hypot(b.x + b.width / 2 - (predicted.x + predicted.width / 2), b.y + b.height / 2 - (predicted.y + predicted.height / 2));
    const nearest = found
      .filter((b) => centre(b) < size && !this.claimedByOther(name, b) && !this.followedByOther(name, b))
      .sort((a, b) => centre(a) - centre(b))[0];
    if (!nearest) return undefined;
    const detected = ssdStyleBox(nearest);
    // The lost track's velocity stays: the face was moving that way (a fast turn or move).
    return { track: { ...track, region: orientedFromBox(detected), computedAt: k }, detected };
  }

  /** Whether another role's live track predicts its face here this frame (set before any role is followed). */
  private followedByOther(name: string, box: Box): boolean {
    for (const [other, held] of this.following) if (other !== name && holdsFace(box, held)) return true;
    return false;
  }

  /** Whether another role already holds this face in this frame. */
  private claimedByOther(name: string, box: Box): boolean {
    for (const [other, held] of this.claims) if (other !== name && holdsFace(box, held)) return true;
    return false;
  }

  /**
   * The landmark network where the track says the face is now. At a track's start the detector's
   * box only roughly frames the face: look again on the crop its landmarks predict (turned with
   * the face), as every later frame does.
   */
  private async locateLandmarks(track: Track, k: number, starting: boolean): Promise<{ landmarks: Float32Array; crop: FaceApiTensor }> {
    let { landmarks: lm, crop } = await this.landmarksIn(starting ? track.region : regionAt(track, k));
    if (starting) {
      for (let pass = 0; pass < START_PASSES; pass++) {
        crop.dispose();
        ({ landmarks: lm, crop } = await this.landmarksIn(predictOrientedBox(lm, SSD_CALIBRATION, ROTATE ? eyeLineAngle(lm) : 0)));
      }
    }
    return { landmarks: lm, crop };
  }

  /** The landmark network on a region of the current frame (converted to RGB first). */
  private landmarksIn(region: OrientedBox) {
    this.frameRgb.ensure(boundingBoxOf(region));
    this.timings.landmarkRuns++;
    return landmarksForRegion(this.tf, this.faceapi, this.rgb, this.width, this.height, region, MIRRORED_LANDMARKS, this.netInput);
  }

  private acceptable(role: MasksFile['roles'][string], t: number, lm: Float32Array): boolean {
    return plausible(lm) && Boolean(regionContaining(role, t, lm[2 * 30] / this.width, lm[2 * 30 + 1] / this.height));
  }

  /** Stores a frame's landmarks, expressions (from the network input, when due; none without a crop: an interpolated frame) and colour. */
  private async record(name: string, k: number, lm: Float32Array, crop: FaceApiTensor | null, force: boolean): Promise<void> {
    const data = this.roles[name];
    data.present[k] = 1;
    data.landmarks.set(lm, k * LANDMARK_DIMS);
    if (crop && (force || k - this.lastExpression[name] >= this.task.expressionEvery)) {
      const t0 = performance.now();
      const expr = await expressionNetScores(this.tf, this.faceapi, crop);
      data.expressions.set(expr, k * EXPRESSION_DIMS);
      this.lastExpression[name] = k;
      this.timings.expressionMs += performance.now() - t0;
    }
    const t1 = performance.now();
    this.frameRgb.ensure(skinRegion(lm, this.width, this.height));
    const stats = skinColourStats(this.rgb, this.width, this.height, lm, this.yuv);
    this.timings.colourMs += performance.now() - t1;
    if (stats) data.colour.set(stats, k * COLOUR_DIMS);
    const t2 = performance.now();
    if (this.luma) {
      data.gaze.set(measureGaze(this.luma, lm, this.gaze), k * 4);
      if (this.frameYuv) data.eyeWhite.set(eyeWhiteArea(this.frameYuv, lm, this.white), k * 2);
      if (this.iris && data.eyeIris) await this.readLids(data.eyeWhite, data.eyeIris, data.present, k, lm);
    }
    this.timings.eyesMs += performance.now() - t2;
    this.sampleStyle(name, k, lm);
  }

  /** The iris model's lid gaps of frame k's eyes where irisReadingDue asks for them (a held eye takes a measured neighbour's: heldFrom). */
  private async readLids(white: Float32Array, iris: Float32Array, present: Uint8Array, k: number, lm: Float32Array): Promise<void> {
    const due = irisReadingDue(white, iris, present, k, this.shotStart(), this.task.startFrame + k, this.irisDue);
    const read = [due[0] === 'read', due[1] === 'read'] as const;
    if (read[0] || read[1]) {
      this.frameRgb.ensure(irisCropArea(lm));
      iris.set(await lidOpennessByIrisModel(this.iris!, { data: this.rgb, width: this.width, height: this.height }, lm, read), k * 2);
      this.timings.irisReads += Number(read[0]) + Number(read[1]);
    }
    const from = heldFrom(present, k, this.shotStart());
    for (const eye of [0, 1]) if (due[eye] === 'hold') iris[k * 2 + eye] = iris[from * 2 + eye];
  }

  /** The range frame (k) where the current shot began within this range (0 when it began before). */
  private shotStart(): number {
    const cut = this.cuts.length ? this.cuts[this.cuts.length - 1] - this.task.startFrame : 0;
    return Math.max(0, cut);
  }

  /** Every STYLE_SAMPLE_SECONDS, the hero face's edge sparsity (for the style proposal). */
  private sampleStyle(name: string, k: number, lm: Float32Array): void {
    if (name !== this.styleRole || k - this.lastStyleSample < Math.round(STYLE_SAMPLE_SECONDS * this.task.fps)) return;
    const box = faceStyleBox(lm);
    this.frameRgb.ensure({ x: box.x - 2, y: box.y - 2, width: box.width + 4, height: box.height + 4 });
    const v = edgeSparsity(this.rgb, this.width, this.height, box);
    if (v === null) return;
    this.styleSamples.push(v);
    this.lastStyleSample = k;
  }

  /** The range's result, trimmed to the frames analysed; decoding time is what the reading took beyond the analysis. */
  result(readingMs: number): RangeResult {
    const { timings } = this;
    timings.decodeMs = readingMs - timings.detectMs - timings.landmarkMs - timings.expressionMs - timings.colourMs - timings.eyesMs;
    const frameCount = Math.min(this.analysed, this.capacity);
    const roles: Record<string, RoleTrackData> = {};
    for (const name of this.roleNames) {
      const d = this.roles[name];
      roles[name] = {
        present: d.present.slice(0, frameCount),
        landmarks: d.landmarks.slice(0, frameCount * LANDMARK_DIMS),
        expressions: d.expressions.slice(0, frameCount * EXPRESSION_DIMS),
        colour: d.colour.slice(0, frameCount * COLOUR_DIMS),
        ...(d.keyed ? { keyed: { present: d.keyed.present.slice(0, frameCount), landmarks: d.keyed.landmarks.slice(0, frameCount * LANDMARK_DIMS) } } : {}),
        gaze: d.gaze.slice(0, frameCount * 4),
        eyeWhite: d.eyeWhite.slice(0, frameCount * 2),
        ...(d.eyeIris ? { eyeIris: d.eyeIris.slice(0, frameCount * 2) } : {}),
        ...(d.between ? { between: d.between.slice(0, frameCount) } : {}),
      };
    }
    return { startFrame: this.task.startFrame, frameCount, cuts: this.cuts, roles, styleSamples: this.styleSamples, timings };
  }
}

/** After a frame's landmarks: the track's next region and (when not just started) its velocity, smoothed. */
function advanceTrack(track: Track, lm: Float32Array, k: number, starting: boolean): void {
  const next = predictOrientedBox(lm, SSD_CALIBRATION, ROTATE ? eyeLineAngle(lm) : 0);
  if (!starting) {
    // Velocity of the face's centre between the last two computed frames (smoothed).
    // The first measurement after a start is taken whole: averaging it with the zero a track
    // starts with halved the prediction of a face already moving fast, which then lagged behind.
    const gap = Math.max(1, k - track.computedAt);
    const vx = (next.cx - track.region.cx) / gap,
      vy = (next.cy - track.region.cy) / gap;
    track.vx = track.moved ? (track.vx + vx) / 2 : vx;
    track.vy = track.moved ? (track.vy + vy) / 2 : vy;
    track.moved = true;
  }
  track.landmarks = lm;
  track.region = next;
  track.computedAt = k;
}

/** Tiny detector on a downscaled copy of the frame (no full-size tensor); boxes in frame pixels. */
async function detectFaces(
  tf: Tfjs,
  faceapi: FaceApi,
  rgb: Uint8Array,
  width: number,
  height: number,
  small: { width: number; height: number; data: Float32Array },
): Promise<{ box: Box; score: number }[]> {
  const { scale: k, ox, oy } = cropFaceInputRect(rgb, width, height, { x: 0, y: 0, width, height }, small.width, small.height, small.data);
  const tensor = tf.tensor3d(small.data, [small.height, small.width, 3], 'float32');
  try {
    const found: FaceApiResult[] = await faceapi.nets.tinyFaceDetector.locateFaces(
      tensor,
      new faceapi.TinyFaceDetectorOptions({ inputSize: DETECT_WIDTH, scoreThreshold: 0.45 }),
    );
    return found.map((d) => ({ box: { x: (d.box.x - ox) / k, y: (d.box.y - oy) / k, width: d.box.width / k, height: d.box.height / k }, score: d.score }));
  } finally {
    tensor.dispose();
  }
}

/** Tiny detector on a crop of the frame at (about) the whole-frame detection's scale; boxes in frame pixels. */
async function detectInArea(
  tf: Tfjs,
  faceapi: FaceApi,
  rgb: Uint8Array,
  width: number,
  height: number,
  area: DetectionArea,
  input: Float32Array,
): Promise<Detection[]> {
  const { crop, inputSize } = area;
  const { scale, ox, oy } = cropFaceInput(rgb, width, height, crop, inputSize, input);
  const tensor = tf.tensor3d(input, [inputSize, inputSize, 3], 'float32');
  try {
    const found: FaceApiResult[] = await faceapi.nets.tinyFaceDetector.locateFaces(
      tensor,
      new faceapi.TinyFaceDetectorOptions({ inputSize, scoreThreshold: 0.45 }),
    );
    return found.map((d) => ({
      box: { x: crop.x + (d.box.x - ox) / scale, y: crop.y + (d.box.y - oy) / scale, width: d.box.width / scale, height: d.box.height / scale },
      score: d.score,
    }));
  } finally {
    tensor.dispose();
  }
}

/** One detection per face where crops overlapped (the higher score stays). */
function withoutDuplicates(detections: Detection[]): Detection[] {
  const kept: Detection[] = [];
  for (const d of [...detections].sort((a, b) => b.score - a.score)) if (!kept.some((k) => sameFaceScore(k.box, d.box) > 0.5)) kept.push(d);
  return kept;
}

/**
 * The tiny detector's box made SSD-like: SSD boxes (the landmark network's training crops) are
 * on average 0.72 as wide and 0.85 as tall, 4% of the height higher (measured: 12 track starts on
 * the 5 s and 10 s fixtures, SSD on a crop around each tiny box; widths 0.67–0.77).
 */
export function ssdStyleBox(b: Box): Box {
  const w = b.width * 0.719,
    h = b.height * 0.854;
  const cx = b.x + b.width * (0.5 - 0.01),
    cy = b.y + b.height * (0.5 - 0.04);
  return { x: cx - w / 2, y: cy - h / 2, width: w, height: h };
}

/**
 * Frames between full-frame detections while searching, `since` frames after the search began:
 * 1, 1, 2, 4, 8 … up to `every` (so detections at +1, +2, +4, +8, +16 …).
 */
export function searchInterval(since: number, every: number): number {
  return Math.max(1, Math.min(every, since));
}

/**
 * Most frames kept to look back over (the search's detections are at most detectEvery frames
 * apart): 14 frames of 1280x720 are 19 MB per analysing thread.
 */
const LOOK_BACK_FRAMES = 14;

/** Seconds between samples of the hero's face for the style proposal. */
const STYLE_SAMPLE_SECONDS = 1;

/** Side of the crop around a lost track's predicted box (in box sizes) where it is looked for. */
const RELOCATE_CROP = 2.6;

/** Tiny detector on a square crop around a tracked box (cheap verification of a track). */
async function detectAround(tf: Tfjs, faceapi: FaceApi, frame: LazyRgbFrame, box: Box, input: Float32Array, cropSides = 1.8): Promise<Box[]> {
  const side = Math.max(box.width, box.height) * cropSides;
  const crop = { x: box.x + box.width / 2 - side / 2, y: box.y + box.height / 2 - side / 2, width: side, height: side };
  frame.ensure(crop);
  const { scale, ox, oy } = cropFaceInput(frame.rgb, frame.width, frame.height, crop, VERIFY_INPUT, input);
  const tensor = tf.tensor3d(input, [VERIFY_INPUT, VERIFY_INPUT, 3], 'float32');
  try {
    const found: FaceApiResult[] = await faceapi.nets.tinyFaceDetector.locateFaces(
      tensor,
      new faceapi.TinyFaceDetectorOptions({ inputSize: VERIFY_INPUT, scoreThreshold: 0.4 }),
    );
    return found.map((d) => ({
      x: crop.x + (d.box.x - ox) / scale,
      y: crop.y + (d.box.y - oy) / scale,
      width: d.box.width / scale,
      height: d.box.height / scale,
    }));
  } finally {
    tensor.dispose();
  }
}

/** Largest candidate, or the one closest to the reference identity (within 0.6). */
async function pickCandidate(
  detector: FaceDetector,
  rgb: Uint8Array,
  width: number,
  height: number,
  candidates: { box: Box; score: number }[],
  reference: number[] | null,
) {
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
