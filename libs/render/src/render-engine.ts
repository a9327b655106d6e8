// Renders one video: face segments go to the piscina pool (contiguous segments, streamed
// through ffmpeg), face-free segments reuse the story's precomputed media untouched. As
// segments finish in order, the HLS playlist grows; at the end the segments and the story's
// audio are joined into video.mp4 (faststart), written under a temporary name and renamed.
// Completed segments survive a crash: a rerun skips them. Cancellation stops between frames.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type Piscina from 'piscina';
import { FrameData, StoryManifest, validateManifest } from '@talecast/precompute';
import { StorageCore, temporarySibling } from '@talecast/storage';
import { assembleArgs, FfmpegInfo, hlsPiecesFromStoryArgs, hlsSegmentsArgs, runFfmpeg, tsStartTimes } from '@talecast/video';
import { ExpressionPose } from '@talecast/compositor';
import { MessageChannel } from 'node:worker_threads';
import { FaceTexture, RunSegment, SegmentDone, segmentFileName, SegmentResult, SegmentRoleTrack, SegmentTask } from './segment-task';
import { chooseFaces, RoleFaceSet, segmentTracks } from './segment-tracks';
import { HlsEntry, hlsPlaylist } from './hls-playlist';

export interface RenderFace {
  id: string;
  size: number;
  rgba: Uint8Array;
  landmarks: Float32Array;
  expressionScores: Record<string, number>;
  yaw: number;
}

export interface RenderJob {
  renderId: string;
  storyId: string;
  /** role → the child's faces for that role (a face set). */
  faces: Record<string, RenderFace[]>;
  blend?: 'alpha' | 'laplacian';
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
  timings: { wallMs: number; firstHlsMs: number | null; compositeMs: number; assembleMs: number };
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
  const cancel = deps.cancel ?? new Int32Array(new SharedArrayBuffer(4));
  const { manifest, frames } = await loadStory(deps.storage, job.storyId);
  const { fps, fpsNum, fpsDen, width, height } = manifest.video;
  const segmentsDir = deps.storage.renderFile(job.renderId, 'segments');
  const hlsDir = deps.storage.renderFile(job.renderId, 'hls');
  await fs.mkdir(segmentsDir, { recursive: true });
  await fs.mkdir(hlsDir, { recursive: true });
  // Temporary files of an earlier attempt whose process died (the caller holds the render's lock).
  for (const d of [deps.storage.renderDir(job.renderId), segmentsDir, hlsDir]) {
    for (const name of await fs.readdir(d)) if (name.endsWith('.tmp')) await fs.rm(path.join(d, name), { force: true });
  }

  // Faces: one list for the whole render; per role, which entries form its set.
  const faceList: FaceTexture[] = [];
  const sets: RoleFaceSet[] = [];
  for (const [role, faces] of Object.entries(job.faces)) {
    if (!manifest.frameData.roles.includes(role) || faces.length === 0) continue;
    const set: RoleFaceSet = { role, candidates: [], faceListIndex: [] };
    for (const f of faces) {
      set.faceListIndex.push(faceList.length);
      set.candidates.push({ expressionScores: f.expressionScores, yaw: f.yaw } satisfies ExpressionPose);
      faceList.push({ key: f.id, size: f.size, rgba: f.rgba, landmarks: f.landmarks });
    }
    sets.push(set);
  }
  const choices = chooseFaces(frames, sets);

  const total = manifest.segments.length;
  const output: string[] = new Array(total);
  const ready: boolean[] = new Array(total).fill(false);
  const hls: HlsEntry[] = [];
  const audioPath = manifest.audio ? path.join(deps.storage.storyDir(job.storyId), manifest.audio.file) : null;
  const targetSeconds = Math.max(...manifest.segments.map((s) => (s.end - s.start) / fps));
  let done = 0;
  let compositeMs = 0;
  let rendered = 0;
  let resumed = 0;
  let firstHlsMs: number | null = null;
  let hlsChain = Promise.resolve();

  const report = async () => {
    await deps.onProgress?.({ segmentsDone: done, segmentsTotal: total, hlsSegments: hls.length, progress: total ? done / total : 1 });
  };

  // Each segment gets its HLS piece as soon as it is ready (face-free ones are linked from the
  // story's media); the playlist grows strictly in order: k is listed once 0..k have pieces.
  const hlsName = (k: number) => `seg-${String(k).padStart(4, '0')}.ts`;
  // Pieces of rendered segments are muxed by one ffmpeg for all the segments waiting at that
  // moment (an ffmpeg start costs about as much CPU as muxing a piece): the first one alone, as
  // soon as it is rendered, later ones in small batches while the render goes on.
  const hlsWaiting: { k: number; target: string; resolve: () => void; reject: (err: unknown) => void }[] = [];
  let hlsMuxing = false;
  const muxWaiting = async () => {
    if (hlsMuxing) return;
    hlsMuxing = true;
    try {
      while (hlsWaiting.length) {
        const batch = hlsWaiting.splice(0, HLS_BATCH);
        const tmps = batch.map((b) => temporarySibling(b.target));
        try {
          // The story's piece of the same segment has the audio slice already encoded: copy it.
          const pieces = await Promise.all(batch.map(async (b, i) => {
            const seg = manifest.segments[b.k];
            const storyPiece = path.join(deps.storage.storyDir(job.storyId), seg.hlsFile);
            const t = await readStart(storyPiece, 256 * 1024).then(tsStartTimes, () => null);
            if (!t || t.video === null) return null;
            return { video: output[b.k], storyPiece, videoDelaySeconds: t.video - Math.min(t.video, t.audio ?? t.video), startSeconds: seg.start / fps, out: tmps[i] };
          }));
          if (pieces.every((p) => p !== null)) await runFfmpeg(deps.ffmpeg.ffmpeg, hlsPiecesFromStoryArgs(pieces as NonNullable<(typeof pieces)[number]>[]));
          else {
            // A story piece we cannot read: re-encode the audio slices from the story's audio.
            await runFfmpeg(deps.ffmpeg.ffmpeg, hlsSegmentsArgs(batch.map((b, i) => {
              const seg = manifest.segments[b.k];
              return { video: output[b.k], audio: audioPath, startSeconds: seg.start / fps, durationSeconds: (seg.end - seg.start) / fps, out: tmps[i] };
            })));
          }
          for (let i = 0; i < batch.length; i++) await fs.rename(tmps[i], batch[i].target);
          trace(`hls pieces ${batch.map((b) => b.k).join(',')} muxed`);
          batch.forEach((b) => b.resolve());
        } catch (err) {
          batch.forEach((b) => b.reject(err));
        } finally {
          await Promise.all(tmps.map((t) => fs.rm(t, { force: true })));
        }
      }
    } finally {
      hlsMuxing = false;
    }
  };
  const makeHlsPiece = async (k: number, rendered: boolean) => {
    const seg = manifest.segments[k];
    const target = path.join(hlsDir, hlsName(k));
    if (await exists(target)) return;
    if (rendered) {
      const muxed = new Promise<void>((resolve, reject) => hlsWaiting.push({ k, target, resolve, reject }));
      void muxWaiting();
      return muxed;
    }
    const tmp = temporarySibling(target);
    try {
      await linkOrCopy(path.join(deps.storage.storyDir(job.storyId), seg.hlsFile), tmp);
      await fs.rename(tmp, target);
    } finally {
      await fs.rm(tmp, { force: true });
    }
  };
  const publishHls = async () => {
    let changed = false;
    while (hls.length < total && ready[hls.length]) {
      const k = hls.length;
      const seg = manifest.segments[k];
      hls.push({ file: hlsName(k), durationSeconds: (seg.end - seg.start) / fps });
      changed = true;
      trace(`hls ${k} published`);
    }
    if (changed) {
      await writeAtomic(path.join(hlsDir, 'index.m3u8'), hlsPlaylist(hls, false, targetSeconds));
      firstHlsMs ??= Date.now() - started;
    }
  };
  const segmentReady = async (k: number, rendered: boolean) => {
    await makeHlsPiece(k, rendered);
    ready[k] = true;
    done++;
    hlsChain = hlsChain.then(publishHls).then(report);
    return hlsChain;
  };

  const work: Promise<unknown>[] = [];
  // Face segments to render, in story order; everything else is ready at once.
  const toRender: { k: number; tracks: SegmentRoleTrack[] }[] = [];
  for (const seg of manifest.segments) {
    const k = seg.index;
    const story = path.join(deps.storage.storyDir(job.storyId), seg.file);
    const tracks = seg.hasFace ? segmentTracks(manifest, frames, seg, choices) : [];
    if (tracks.length === 0) {
      output[k] = story; // copied untouched: never decoded or encoded
      work.push(segmentReady(k, false));
      continue;
    }
    const out = path.join(segmentsDir, segmentFileName(k));
    output[k] = out;
    if (await exists(out)) {
      resumed++;
      work.push(segmentReady(k, true));
      continue;
    }
    toRender.push({ k, tracks });
  }

  // Runs are handed to the pool a few at a time (in order, so the start of the video is ready
  // first); the rest wait here as small task descriptions, never as frames.
  const slots = Math.max(2, deps.pool.options.maxThreads * 2);
  let running = 0;
  const waiting: (() => void)[] = [];
  const submit = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (running >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await fn();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };

  // Runs: slices of the face segments in story order, each rendered by one decoder + one
  // encoder (per-run process start and encoder drain are paid once per run, not per segment).
  // The segments of a run need not be adjacent: each gets its own file starting with a keyframe.
  const lanes = Math.max(1, deps.pool.options.maxThreads);
  const runs = planRuns(toRender.map((r) => manifest.segments[r.k].end - manifest.segments[r.k].start), lanes, deps.maxRunFrames ?? DEFAULT_MAX_RUN_FRAMES);
  const finished = new Set<number>();
  const finish = async (d: SegmentDone) => {
    if (finished.has(d.segmentIndex)) return;
    finished.add(d.segmentIndex);
    await fs.rename(d.file, output[d.segmentIndex]);
    rendered++;
    trace(`segment ${d.segmentIndex} rendered`);
    await segmentReady(d.segmentIndex, true);
  };
  let next = 0;
  for (const size of runs) {
    const items = toRender.slice(next, next + size);
    next += size;
    const usedFaces = new Set<number>();
    for (const { tracks } of items) for (const t of tracks) for (const i of t.faceIndex) if (i >= 0) usedFaces.add(i);
    // Only the faces this run uses travel to the worker (indices are remapped).
    const remap = new Map<number, number>();
    const faces: FaceTexture[] = [];
    for (const i of [...usedFaces].sort((a, b) => a - b)) {
      remap.set(i, faces.length);
      faces.push(faceList[i]);
    }
    for (const { tracks } of items) for (const t of tracks) t.faceIndex = t.faceIndex.map((i) => (i >= 0 ? remap.get(i)! : -1));
    const segments: RunSegment[] = items.map(({ k, tracks }) => ({
      segmentIndex: k, input: path.join(deps.storage.storyDir(job.storyId), manifest.segments[k].file),
      frameCount: manifest.segments[k].end - manifest.segments[k].start, tracks,
    }));
    work.push(
      submit(async () => {
        const channel = new MessageChannel();
        const completions: Promise<void>[] = [];
        channel.port1.on('message', (d: SegmentDone) => completions.push(finish(d)));
        const task: SegmentTask = {
          renderId: job.renderId, ffmpeg: deps.ffmpeg.ffmpeg, fpsModeOption: deps.ffmpeg.fpsModeOption, segments, outputDir: segmentsDir,
          width, height, fpsNum, fpsDen, matrix: manifest.video.matrix, range: manifest.video.range,
          style: manifest.story.style, encoder: deps.encoder, blend: job.blend ?? 'alpha', faces, cancel, port: channel.port2,
        };
        try {
          const r = (await deps.pool.run(task, { transferList: [channel.port2] as never })) as SegmentResult;
          trace(`run ${segments[0].segmentIndex}..${segments.at(-1)!.segmentIndex} rendered: ${r.frames} frames, worker ${Math.round(r.wallMs)} ms, first frame at ${Math.round(r.firstFrameMs)} ms, composite ${Math.round(r.compositeMs)} ms, waiting for the encoder ${Math.round(r.encoderWaitMs)} ms`);
          compositeMs += r.compositeMs;
          // Completions not yet seen through the port (messages and the result travel apart).
          for (const d of r.segments) completions.push(finish(d));
          await Promise.all(completions);
        } catch (err) {
          await Promise.allSettled(completions);
          const prefix = `run-${String(segments[0].segmentIndex).padStart(4, '0')}-`;
          for (const name of await fs.readdir(segmentsDir)) if (name.startsWith(prefix) && name.endsWith('.tmp')) await fs.rm(path.join(segmentsDir, name), { force: true });
          throw err;
        } finally {
          channel.port1.close();
        }
      }),
    );
  }
  trace(`${work.length} segments scheduled`);
  const results = await Promise.allSettled(work);
  const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
  if (failure) throw failure.reason;
  await hlsChain;
  if (Atomics.load(cancel, 0) !== 0) throw new Error('render cancelled');

  // Assemble: segments in order + the story's audio → video.mp4 (faststart), atomically.
  const assembleStarted = Date.now();
  trace('assembling');
  const list = deps.storage.renderFile(job.renderId, 'concat.txt');
  await fs.writeFile(list, output.map((f) => `file '${f.replace(/'/g, `'\\''`)}'`).join('\n') + '\n');
  const final = deps.storage.renderFile(job.renderId, 'video.mp4');
  const tmp = temporarySibling(final);
  try {
    await runFfmpeg(deps.ffmpeg.ffmpeg, assembleArgs({ concatList: list, audio: audioPath, out: tmp }));
    await fs.rename(tmp, final);
  } finally {
    await fs.rm(tmp, { force: true });
    await fs.rm(list, { force: true });
  }
  await writeAtomic(path.join(hlsDir, 'index.m3u8'), hlsPlaylist(hls, true, targetSeconds));
  const bytes = (await fs.stat(final)).size;
  trace('assembled');
  return {
    file: final,
    bytes,
    frames: manifest.video.frameCount,
    durationSeconds: manifest.video.durationSeconds,
    segments: total,
    renderedSegments: rendered,
    reusedSegments: total - rendered - resumed,
    resumedSegments: resumed,
    timings: { wallMs: Date.now() - started, firstHlsMs, compositeMs: Math.round(compositeMs), assembleMs: Date.now() - assembleStarted },
  };
}

/** HLS pieces muxed by one ffmpeg at most. */
const HLS_BATCH = 6;

/** Frames per run at most by default (20 s at 30 fps): a task's size does not grow with the story. */
export const DEFAULT_MAX_RUN_FRAMES = 600;

/**
 * Splits `frames` (the frame count of each segment to render, in story order) into runs of
 * consecutive entries (sizes returned, in order): about one run per lane so each lane starts one
 * decoder and one encoder, each at most `maxRunFrames` (unless a single segment is longer). Runs
 * are handed out in order, so the start of the video is ready first.
 */
export function planRuns(frames: number[], lanes: number, maxRunFrames: number): number[] {
  const total = frames.reduce((a, b) => a + b, 0);
  if (frames.length === 0) return [];
  const count = Math.max(Math.min(lanes, frames.length), Math.ceil(total / Math.max(1, maxRunFrames)));
  const target = total / count;
  const runs: number[] = [];
  let size = 0;
  let sum = 0;
  let acc = 0;
  for (let i = 0; i < frames.length; i++) {
    size++;
    sum += frames[i];
    acc += frames[i];
    const left = frames.length - i - 1;
    // Close the run when it reached its share (rounded to the nearer segment boundary) or the cap.
    const wanted = (runs.length + 1) * target;
    const next = frames[i + 1] ?? 0;
    const over = sum + next > maxRunFrames;
    if (left > 0 && (over || (acc >= wanted - next / 2 && runs.length + 1 < count))) {
      runs.push(size);
      size = 0;
      sum = 0;
    }
  }
  if (size > 0) runs.push(size);
  return runs;
}

/** A hard link (instant, no extra space) or, across file systems, a copy. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to);
  } catch {
    await fs.copyFile(from, to);
  }
}

/** The first `bytes` bytes of a file. */
async function readStart(file: string, bytes: number): Promise<Uint8Array> {
  const h = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await h.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await h.close();
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(() => true, () => false);
}

async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = temporarySibling(file);
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
}
