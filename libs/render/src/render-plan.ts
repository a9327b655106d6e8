// The render plan: the child's faces as one list (and, per role, which of them form its set), the
// face chosen per frame, what becomes of each segment (reused from the story, resumed from an
// earlier attempt, or rendered) and how the segments to render are grouped into runs (one decoder
// and one encoder each). Pure: manifest, frame data and faces in, plain data out. It never touches
// the file system or the pool.
import { ExpressionPose } from '@talecast/compositor';
import { FrameData, StoryManifest } from '@talecast/precompute';
import { FaceTexture, SegmentRoleTrack } from './segment-task';
import { chooseFaces, RoleFaceSet, segmentTracks } from './segment-tracks';
import type { LineMouth } from '@talecast/voice';

export interface RenderFace {
  id: string;
  size: number;
  rgba: Uint8Array;
  landmarks: Float32Array;
  expressionScores: Record<string, number>;
  yaw: number;
}

/** Frames per run at most by default (20 s at 30 fps): a task's size does not grow with the story. */
export const DEFAULT_MAX_RUN_FRAMES = 600;

/**
 * The engine's quick start (RenderPlanOptions.quickStartSeconds): none. A first segment of its own
 * (a decoder and an encoder for 30 frames) made the first HLS piece no sooner once processes start
 * from the thread's launcher and pieces are written in-process, and its two extra process starts
 * cost the render 1-2 CPU-s (its encoder, with the tee, ~18k page faults). Bench, 60 s story: first
 * HLS piece 0.78-1.10 s with it, 0.83-1.00 s without; the render 6.26 / 6.89 s -> 5.34 / 5.51 s.
 */
export const QUICK_START_SECONDS = 0;

export interface FaceSelection {
  /** Every face of the render, once. */
  faceList: FaceTexture[];
  /** Per role of the story that has faces: which entries of faceList form its set. */
  sets: RoleFaceSet[];
}

/** What a render does with one segment. */
export type SegmentStep =
  | { k: number; kind: 'reuse' } // no insertion: the story's media, never decoded or encoded
  | { k: number; kind: 'resume' } // rendered by an earlier attempt (its file exists)
  | { k: number; kind: 'render'; tracks: SegmentRoleTrack[] };

export interface RenderRunPlan {
  /** Segments of the run in story order; their tracks index `faces`. */
  segments: { k: number; tracks: SegmentRoleTrack[] }[];
  /** Only the faces this run uses (the tracks' indices are remapped to this list). */
  faces: FaceTexture[];
}

export interface RenderPlan {
  faces: FaceSelection;
  segments: SegmentStep[];
  runs: RenderRunPlan[];
}

export interface RenderPlanOptions {
  /** Worker threads: about one run per lane. */
  lanes: number;
  maxRunFrames: number;
  /** Indices of face segments whose rendered file already exists. */
  alreadyRendered: ReadonlySet<number>;
  /**
   * When the first segment to render starts within this many seconds of the story's start, it
   * is a run of its own: playback waits for it, and a one-segment run finishes (encoder drained,
   * file written) as soon as its frames are encoded, not when the next segment's frames have
   * pushed it through the encoder's lookahead. 0 (default): no such run.
   */
  quickStartSeconds?: number;
  /** Per role, the mouths of the child's recorded lines (render-voice.ts). */
  mouths?: ReadonlyMap<string, LineMouth[]>;
  /** The title card covers the story's first this many frames: their segments are rendered even without a face. */
  cardFrames?: number;
}

export function planRender(manifest: StoryManifest, frames: FrameData, faces: Record<string, RenderFace[]>, options: RenderPlanOptions): RenderPlan {
  const selection = selectFaces(faces, manifest.frameData.roles);
  const choices = chooseFaces(frames, selection.sets);
  const segments = classifySegments(manifest, frames, choices, options.alreadyRendered, options.mouths, options.cardFrames);
  const runs = groupRuns(manifest, segments, selection.faceList, options);
  return { faces: selection, segments, runs };
}

/** One face list for the whole render; per role of the story, which entries form its set. */
export function selectFaces(faces: Record<string, RenderFace[]>, storyRoles: readonly string[]): FaceSelection {
  const faceList: FaceTexture[] = [];
  const sets: RoleFaceSet[] = [];
  for (const [role, roleFaces] of Object.entries(faces)) {
    if (!storyRoles.includes(role) || roleFaces.length === 0) continue;
    const set: RoleFaceSet = { role, candidates: [], faceListIndex: [] };
    for (const f of roleFaces) {
      set.faceListIndex.push(faceList.length);
      set.candidates.push({ expressionScores: f.expressionScores, yaw: f.yaw } satisfies ExpressionPose);
      faceList.push({ key: f.id, size: f.size, rgba: f.rgba, landmarks: f.landmarks });
    }
    sets.push(set);
  }
  return { faceList, sets };
}

/**
 * Per segment in story order: reused when no face is inserted and the title card (its first
 * `cardFrames` frames) does not reach it, resumed when already rendered, else rendered.
 */
export function classifySegments(
  manifest: StoryManifest,
  frames: FrameData,
  choices: Map<string, Int32Array>,
  alreadyRendered: ReadonlySet<number>,
  mouths?: ReadonlyMap<string, LineMouth[]>,
  cardFrames = 0,
): SegmentStep[] {
  return manifest.segments.map((seg): SegmentStep => {
    const k = seg.index;
    const tracks = seg.hasFace ? segmentTracks(manifest, frames, seg, choices, mouths) : [];
    if (tracks.length === 0 && seg.start >= cardFrames) return { k, kind: 'reuse' };
    if (alreadyRendered.has(k)) return { k, kind: 'resume' };
    return { k, kind: 'render', tracks };
  });
}

/**
 * Runs: slices of the segments to render in story order, each rendered by one decoder + one
 * encoder (per-run process start and encoder drain are paid once per run, not per segment). The
 * segments of a run need not be adjacent: each gets its own file starting with a keyframe.
 */
export function groupRuns(
  manifest: StoryManifest,
  steps: SegmentStep[],
  faceList: FaceTexture[],
  options: { lanes: number; maxRunFrames: number; quickStartSeconds?: number },
): RenderRunPlan[] {
  const toRender = steps.filter((s): s is Extract<SegmentStep, { kind: 'render' }> => s.kind === 'render');
  const frameCounts = toRender.map((r) => manifest.segments[r.k].end - manifest.segments[r.k].start);
  const firstStart = toRender.length ? manifest.segments[toRender[0].k].start / manifest.video.fps : Infinity;
  const sizes = planRunSizes(frameCounts, firstStart, { ...options, lanes: Math.max(1, options.lanes) });
  const runs: RenderRunPlan[] = [];
  let next = 0;
  for (const size of sizes) {
    runs.push(runWithOwnFaces(toRender.slice(next, next + size), faceList));
    next += size;
  }
  return runs;
}

/** Only the faces a run uses travel to its worker: the run's tracks are remapped to its own list. */
export function runWithOwnFaces(items: { k: number; tracks: SegmentRoleTrack[] }[], faceList: FaceTexture[]): RenderRunPlan {
  const used = new Set<number>();
  for (const { tracks } of items) for (const t of tracks) for (const i of t.faceIndex) if (i >= 0) used.add(i);
  const remap = new Map<number, number>();
  const faces: FaceTexture[] = [];
  for (const i of [...used].sort((a, b) => a - b)) {
    remap.set(i, faces.length);
    faces.push(faceList[i]);
  }
  const segments = items.map(({ k, tracks }) => ({
    k,
    tracks: tracks.map((t) => ({ ...t, faceIndex: t.faceIndex.map((i) => (i >= 0 ? remap.get(i)! : -1)) })),
  }));
  return { segments, faces };
}

/** Frames per run (planRuns), with the first segment alone when it starts (at `firstStartSeconds`) within the quick start. */
export function planRunSizes(
  frames: number[],
  firstStartSeconds: number,
  options: { lanes: number; maxRunFrames: number; quickStartSeconds?: number },
): number[] {
  const quick = frames.length > 1 && firstStartSeconds < (options.quickStartSeconds ?? 0);
  return quick ? [1, ...planRuns(frames.slice(1), options.lanes, options.maxRunFrames)] : planRuns(frames, options.lanes, options.maxRunFrames);
}

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
