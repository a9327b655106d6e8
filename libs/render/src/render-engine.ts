// Renders one video: face segments go to the piscina pool (contiguous segments, streamed
// through ffmpeg), face-free segments reuse the story's precomputed media untouched. As
// segments finish in order, the HLS playlist grows; at the end the segments and the story's
// audio are joined into video.mp4 (faststart), written under a temporary name and renamed.
// Completed segments survive a crash: a rerun skips them. Cancellation stops between frames.
// Steps: load the story → plan (render-plan.ts) → reused and resumed segments are ready at once,
// runs go to the pool → HLS as segments finish (hls-publisher.ts) → assemble (render-assembly.ts).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type Piscina from 'piscina';
import type { FaceStyle, PreparedFace } from '@talecast/compositor';
import { FrameData, StoryManifest, validateManifest } from '@talecast/precompute';
import { StorageCore } from '@talecast/storage';
import { EncoderHlsPiece, FfmpegInfo } from '@talecast/video';
import { MessageChannel } from 'node:worker_threads';
import { SegmentDone, segmentFileName, SegmentResult, SegmentTask } from './segment-task';
import { DEFAULT_MAX_RUN_FRAMES, planRender, QUICK_START_SECONDS, RenderFace, RenderRunPlan } from './render-plan';
import { HlsPublisher } from './hls-publisher';
import { assembleVideo } from './render-assembly';
import { prepareRenderAudio, RenderVoice } from './render-voice';
import { storyFaceBoxes, titleCardOpacity, TitleCardText } from './title-card';
import { prepareTitleCard, PreparedTitleCard } from './title-card-raster';

/**
 * Niceness of every run's ffmpeg processes but the first's. While the parent waits for the first
 * picture, the quick-start run, its HLS piece and the other runs shared two cores evenly (in the
 * click trace the first 30 frames took 0.6–0.8 s and their remux 0.7–0.8 s); niced, the others
 * take what the first run leaves. The render's total work is unchanged.
 */
const BACKGROUND_RUN_NICENESS = 10;

export interface RenderJob {
  renderId: string;
  storyId: string;
  /** role → the child's faces for that role (a face set). */
  faces: Record<string, RenderFace[]>;
  /** The child's fitted lines (none: the story's audio as it is). */
  voices?: RenderVoice[];
  blend?: 'alpha' | 'laplacian';
  /** The title card's words (the story's title and the child's name), when the parent gave a name. */
  titleCard?: TitleCardText;
}

export interface RenderProgress {
  segmentsDone: number;
  segmentsTotal: number;
  /** Segments available as HLS, from the start. */
  hlsSegments: number;
  progress: number;
}

export interface RenderOutcome {
  file: string;
  bytes: number;
  frames: number;
  durationSeconds: number;
  segments: number;
  renderedSegments: number;
  reusedSegments: number;
  resumedSegments: number;
  timings: { wallMs: number; firstHlsMs: number | null; compositeMs: number; compositeCpuMs: number; assembleMs: number };
}

export interface RenderEngineDeps {
  storage: StorageCore;
  ffmpeg: FfmpegInfo;
  pool: Piscina;
  encoder: { preset: string; crf: number; threads: number; maxGopFrames: number };
  onProgress?: (p: RenderProgress) => void | Promise<void>;
  /** Shared flag (Int32Array over a SharedArrayBuffer): non-zero cancels between frames. */
  cancel?: Int32Array;
  /** Upper bound of frames per run (one decoder + one encoder); bounds a task's size. */
  maxRunFrames?: number;
  /** A face this process already prepared for the story's style and colour space (the parent's preview), if any. */
  preparedFace?: (faceId: string, style: FaceStyle, matrix: 'bt601' | 'bt709', range: 'tv' | 'pc') => PreparedFace | Promise<PreparedFace> | undefined;
  /** Timeline of the render for profiling (milliseconds since start, what happened). */
  onTrace?: (ms: number, event: string) => void;
}

export class StoryNotRenderableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoryNotRenderableError';
  }
}

export async function loadStory(storage: StorageCore, storyId: string): Promise<{ manifest: StoryManifest; frames: FrameData }> {
  let manifest: StoryManifest;
  try {
    manifest = validateManifest(JSON.parse(await fs.readFile(storage.storyFile(storyId, 'manifest.json'), 'utf8')));
  } catch (err) {
    throw new StoryNotRenderableError(`story ${storyId} is not precomputed: ${(err as Error).message}`);
  }
  const frames = FrameData.fromBuffer(manifest, await fs.readFile(storage.storyFile(storyId, manifest.frameData.file)));
  return { manifest, frames };
}

export async function renderVideo(job: RenderJob, deps: RenderEngineDeps): Promise<RenderOutcome> {
  const started = Date.now();
  const trace = (event: string) => deps.onTrace?.(Date.now() - started, event);
  const traceAt = (at: number, event: string) => deps.onTrace?.(at - started, event);
  const cancel = deps.cancel ?? new Int32Array(new SharedArrayBuffer(4));

  // 1. The story and the render's folders (temporary files of a dead attempt removed).
  const { manifest, frames } = await loadStory(deps.storage, job.storyId);
  trace('story loaded');
  const dirs = await prepareRenderDirs(deps.storage, job.renderId);
  const storyPath = (relative: string) => deps.storage.storyPath(job.storyId, relative);
  // The title card is drawn while the audio is prepared (drawing text takes ~0.1 s), away from the story's faces.
  const cardFaces = () => storyFaceBoxes(frames, titleCardOpacity(manifest.video.fps, manifest.video.frameCount).length);
  const drawing = job.titleCard ? prepareTitleCard(job.titleCard, manifest.video, cardFaces()) : Promise.resolve(null);
  drawing.catch(() => undefined);

  // 2. The audio, once: the story's, or mixed with the child's lines (the mix runs alongside the video).
  const voice = await prepareRenderAudio({
    storage: deps.storage,
    ffmpeg: deps.ffmpeg,
    storyId: job.storyId,
    manifest,
    voices: job.voices ?? [],
    out: deps.storage.renderFile(job.renderId, 'audio.m4a'),
  });
  const audio = voice.audio;
  trace('audio prepared');
  if (job.voices?.length) trace(`audio mixed with ${job.voices.length} line(s)`);

  // 3. The title card, drawn once (its segments are rendered, not copied); then the plan: faces per
  // frame (mouths following the recordings), what becomes of each segment, the runs.
  const card = await drawing;
  if (card) trace(`title card drawn over ${card.opacity.length} frames`);
  const plan = planRender(manifest, frames, job.faces, {
    lanes: deps.pool.options.maxThreads,
    maxRunFrames: deps.maxRunFrames ?? DEFAULT_MAX_RUN_FRAMES,
    quickStartSeconds: QUICK_START_SECONDS,
    alreadyRendered: await renderedSegmentFiles(dirs.segments, manifest),
    mouths: voice.mouths,
    cardFrames: card?.opacity.length ?? 0,
  });
  trace(`planned: ${plan.runs.length} runs`);
  const output = plan.segments.map((s) => (s.kind === 'reuse' ? storyPath(manifest.segments[s.k].file) : path.join(dirs.segments, segmentFileName(s.k))));

  // 4. Segments become HLS pieces as they are ready (with the mix where it differs); progress follows the playlist.
  const hls = new HlsPublisher({
    ffmpeg: deps.ffmpeg.ffmpeg,
    manifest,
    storyPath,
    hlsDir: dirs.hls,
    videoOf: (k) => output[k],
    audio,
    audioReady: voice.ready,
    voiced: voice.voicedSegments,
    started,
    trace,
  });
  const counts = { done: 0, rendered: 0, resumed: 0, compositeMs: 0, compositeCpuMs: 0 };
  const total = manifest.segments.length;
  const report = async () => {
    await deps.onProgress?.({ segmentsDone: counts.done, segmentsTotal: total, hlsSegments: hls.published, progress: total ? counts.done / total : 1 });
  };
  const segmentReady = async (k: number, rendered: boolean) => {
    await hls.addPiece(k, rendered);
    counts.done++;
    return hls.publish(report);
  };

  // 5. Reused and resumed segments are ready at once; runs go to the pool, a few at a time.
  const work: Promise<unknown>[] = [];
  for (const s of plan.segments) {
    if (s.kind === 'resume') counts.resumed++;
    if (s.kind !== 'render') work.push(segmentReady(s.k, s.kind === 'resume'));
  }
  const videos = new Countdown(plan.segments.filter((s) => s.kind === 'render').length);
  const slots = new TaskSlots(Math.max(2, deps.pool.options.maxThreads * 2));
  // The quick-start run's encoder writes its segment's HLS piece itself (no remux while the parent waits).
  const quick = plan.runs[0]?.segments.length === 1 ? plan.runs[0] : undefined;
  const quickPiece = quick ? await hls.encoderPiece(quick.segments[0].k) : null;
  const finish = onceEachSegment(async (d: SegmentDone) => {
    await fs.rename(d.file, output[d.segmentIndex]);
    if (quickPiece && d.segmentIndex === quick!.segments[0].k) await hls.adoptPiece(d.segmentIndex, quickPiece);
    counts.rendered++;
    videos.tick();
    trace(`segment ${d.segmentIndex} rendered`);
    await segmentReady(d.segmentIndex, true);
  });
  // Once every run has ended, the HLS pieces still waiting for a batch are muxed.
  let runsLeft = plan.runs.length;
  if (runsLeft === 0) hls.rendered();
  const runContext: RunContext = { job, deps, manifest, storyPath, segmentsDir: dirs.segments, cancel, trace, traceAt, finish, card };
  for (const run of plan.runs) {
    work.push(
      slots.submit(async (release) => {
        // The slot is free once the run's task has ended (its pieces may still wait for their batch).
        let runEnded = false;
        const ended = () => {
          if (runEnded) return;
          runEnded = true;
          release();
          if (--runsLeft === 0) hls.rendered();
        };
        try {
          const first = run === plan.runs[0];
          // Awaited before the sum: `counts.x += await …` reads counts.x before the await, so two runs
          // ending in turn overwrote each other's time (the bench's compositing share read a quarter).
          const r = await renderRunOnPool(run, runContext, ended, first ? 0 : BACKGROUND_RUN_NICENESS, run === quick ? quickPiece : null);
          counts.compositeMs += r.compositeMs;
          counts.compositeCpuMs += r.compositeCpuMs;
        } finally {
          ended(); // also when the run failed before its task was handed over
        }
      }),
    );
  }
  trace(`${work.length} segments scheduled`);

  // 6. Assemble: segments in order + the audio → video.mp4 (faststart), atomically. It starts as
  // soon as every segment's video is in place, while the last HLS pieces are still being muxed:
  // it waited for them, and ran alone on the two cores at the end of every render.
  const final = deps.storage.renderFile(job.renderId, 'video.mp4');
  let assembleStarted = 0;
  let failed = false;
  const assembled = videos.done.then(async () => {
    if (failed || Atomics.load(cancel, 0) !== 0) throw new Error('render cancelled or failed');
    assembleStarted = Date.now();
    trace('assembling');
    await voice.ready;
    return assembleVideo({
      ffmpeg: deps.ffmpeg.ffmpeg,
      segments: output,
      audio,
      concatList: deps.storage.renderFile(job.renderId, 'concat.txt'),
      out: final,
      trace,
    });
  });
  assembled.catch(() => undefined); // awaited below, or abandoned with the failure
  try {
    await allOrFirstFailure(work);
    await hls.settled();
    if (Atomics.load(cancel, 0) !== 0) throw new Error('render cancelled');
  } catch (err) {
    // Every run has ended: an assembly not started now never will be. One that did must not
    // leave a video behind a failed render.
    failed = true;
    if (assembleStarted)
      await assembled.then(
        () => fs.rm(final, { force: true }),
        () => undefined,
      );
    throw err;
  }
  const bytes = await assembled;
  await hls.finish();
  trace('assembled');
  return {
    file: final,
    bytes,
    frames: manifest.video.frameCount,
    durationSeconds: manifest.video.durationSeconds,
    segments: total,
    renderedSegments: counts.rendered,
    reusedSegments: total - counts.rendered - counts.resumed,
    resumedSegments: counts.resumed,
    timings: {
      wallMs: Date.now() - started,
      firstHlsMs: hls.firstHlsMs,
      compositeMs: Math.round(counts.compositeMs),
      compositeCpuMs: Math.round(counts.compositeCpuMs),
      assembleMs: Date.now() - assembleStarted,
    },
  };
}

/** The render's segments and hls folders, made if missing; `.tmp` files of an earlier attempt whose process died are removed (the caller holds the render's lock). */
async function prepareRenderDirs(storage: StorageCore, renderId: string): Promise<{ segments: string; hls: string }> {
  const segments = storage.renderFile(renderId, 'segments');
  const hls = storage.renderFile(renderId, 'hls');
  await fs.mkdir(segments, { recursive: true });
  await fs.mkdir(hls, { recursive: true });
  for (const d of [storage.renderDir(renderId), segments, hls]) {
    for (const name of await fs.readdir(d)) if (name.endsWith('.tmp')) await fs.rm(path.join(d, name), { force: true });
  }
  return { segments, hls };
}

/** Indices of segments whose rendered file an earlier attempt completed. */
async function renderedSegmentFiles(segmentsDir: string, manifest: StoryManifest): Promise<Set<number>> {
  const names = new Set(await fs.readdir(segmentsDir));
  return new Set(manifest.segments.map((s) => s.index).filter((k) => names.has(segmentFileName(k))));
}

interface RunContext {
  job: RenderJob;
  deps: RenderEngineDeps;
  manifest: StoryManifest;
  /** A story file named by the manifest, as a path. */
  storyPath: (relative: string) => string;
  segmentsDir: string;
  cancel: Int32Array;
  trace: (event: string) => void;
  /** An event that happened at `at` (Date.now() clock), reported later. */
  traceAt?: (at: number, event: string) => void;
  /** Called once per completed segment file (through the port or the result, whichever comes first). */
  finish: (d: SegmentDone) => Promise<void>;
  card: PreparedTitleCard | null;
}

/** Hands one run to the pool; each segment is passed to `finish` as soon as its file is complete. */
/** `ended`: called once when the run's task has ended (done or failed), before its segments' completions are awaited. */
/** `hlsPiece`: the run's encoder also writes its one segment's HLS piece. */
async function renderRunOnPool(
  run: RenderRunPlan,
  ctx: RunContext,
  ended: () => void,
  niceness: number,
  hlsPiece: EncoderHlsPiece | null,
): Promise<SegmentResult> {
  const { job, deps, manifest } = ctx;
  const { width, height, fpsNum, fpsDen } = manifest.video;
  const segments = run.segments.map(({ k, tracks }) => ({
    segmentIndex: k,
    input: ctx.storyPath(manifest.segments[k].file),
    frameCount: manifest.segments[k].end - manifest.segments[k].start,
    tracks,
    card: ctx.card?.opacity.slice(manifest.segments[k].start, manifest.segments[k].end),
  }));
  const titleCard = segments.some((s) => s.card?.length) ? ctx.card!.overlay : undefined;
  const channel = new MessageChannel();
  const completions: Promise<void>[] = [];
  // A completion that fails while the run is still going (a render deleted meanwhile) is awaited
  // only when the run ends: marked handled now so it is never an unhandled rejection.
  const complete = (d: SegmentDone) => {
    const done = ctx.finish(d);
    done.catch(() => undefined);
    completions.push(done);
  };
  channel.port1.on('message', complete);
  const task: SegmentTask = {
    renderId: job.renderId,
    ffmpeg: deps.ffmpeg.ffmpeg,
    fpsModeOption: deps.ffmpeg.fpsModeOption,
    segments,
    outputDir: ctx.segmentsDir,
    width,
    height,
    fpsNum,
    fpsDen,
    matrix: manifest.video.matrix,
    range: manifest.video.range,
    style: manifest.story.style,
    encoder: deps.encoder,
    blend: job.blend ?? 'alpha',
    faces: run.faces,
    prepared: await preparedFaces(run, deps, manifest),
    titleCard,
    niceness,
    hlsPiece: hlsPiece ?? undefined,
    cancel: ctx.cancel,
    port: channel.port2,
  };
  try {
    const handedAt = Date.now();
    const r = (await deps.pool.run(task, { transferList: [channel.port2] as never }).finally(ended)) as SegmentResult;
    // The worker's own steps (ms from its start; its start is within the time since it was handed over).
    const workerStart = Date.now() - r.wallMs;
    ctx.traceAt?.(handedAt, `run ${segments[0].segmentIndex}: handed to the pool`);
    for (const [name, ms] of r.steps ?? []) ctx.traceAt?.(workerStart + ms, `run ${segments[0].segmentIndex}: ${name}`);
    ctx.trace(
      `run ${segments[0].segmentIndex}..${segments.at(-1)!.segmentIndex} rendered: ${r.frames} frames, worker ${Math.round(r.wallMs)} ms, first frame at ${Math.round(r.firstFrameMs)} ms, composite ${Math.round(r.compositeMs)} ms (CPU ${Math.round(r.compositeCpuMs)} ms), waiting for the encoder ${Math.round(r.encoderWaitMs)} ms`,
    );
    // Completions not yet seen through the port (messages and the result travel apart).
    for (const d of r.segments) complete(d);
    await Promise.all(completions);
    return r;
  } catch (err) {
    await Promise.allSettled(completions);
    await removeRunTemporaries(ctx.segmentsDir, segments[0].segmentIndex);
    throw err;
  } finally {
    channel.port1.close();
  }
}

/**
 * The run's faces as this process already prepared them (the preview), else null each. One still
 * being prepared is waited for: preparing it again in the run's thread would cost as long, twice
 * the CPU. A failed preparation leaves the run to prepare it itself.
 */
async function preparedFaces(run: RenderRunPlan, deps: RenderEngineDeps, manifest: StoryManifest): Promise<(PreparedFace | null)[] | undefined> {
  const lookup = deps.preparedFace;
  if (!lookup) return undefined;
  const { matrix, range } = manifest.video;
  return Promise.all(run.faces.map(async (f) => (await Promise.resolve(lookup(f.key, manifest.story.style, matrix, range)).catch(() => undefined)) ?? null));
}

/** The `.tmp` files a failed run left (named after its first segment). */
async function removeRunTemporaries(segmentsDir: string, firstSegment: number): Promise<void> {
  const prefix = `run-${String(firstSegment).padStart(4, '0')}-`;
  for (const name of await fs.readdir(segmentsDir).catch(() => [] as string[]))
    if (name.startsWith(prefix) && name.endsWith('.tmp')) await fs.rm(path.join(segmentsDir, name), { force: true });
}

/** `fn` for the first completion of each segment; later reports of the same segment are ignored. */
function onceEachSegment(fn: (d: SegmentDone) => Promise<void>): (d: SegmentDone) => Promise<void> {
  const seen = new Set<number>();
  return async (d) => {
    if (seen.has(d.segmentIndex)) return;
    seen.add(d.segmentIndex);
    await fn(d);
  };
}

/** Resolves `done` once `tick` has been called `count` times (at once for 0). */
class Countdown {
  readonly done: Promise<void>;
  private resolve!: () => void;

  constructor(private left: number) {
    this.done = new Promise((resolve) => (this.resolve = resolve));
    if (left <= 0) this.resolve();
  }

  tick(): void {
    if (--this.left === 0) this.resolve();
  }
}

/**
 * At most `slots` tasks at once, started in submission order: runs are handed to the pool a few
 * at a time (the start of the video is ready first); the rest wait as small task descriptions,
 * never as frames.
 */
class TaskSlots {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly slots: number) {}

  /** `fn` may free its slot before it resolves by calling `release` (once or more: only the first counts). */
  async submit<T>(fn: (release: () => void) => Promise<T>): Promise<T> {
    if (this.running >= this.slots) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    let held = true;
    const release = () => {
      if (!held) return;
      held = false;
      this.running--;
      this.waiting.shift()?.();
    };
    try {
      return await fn(release);
    } finally {
      release();
    }
  }
}

/** Waits for every promise; then throws the first failure, if any. */
async function allOrFirstFailure(work: Promise<unknown>[]): Promise<void> {
  const results = await Promise.allSettled(work);
  const failure = results.find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
}
