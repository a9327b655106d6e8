// The unit of render work handed to a worker: a run of adjacent segments of a story (one or
// more), everything the worker needs to composite them (per-frame targets and the chosen face per
// frame and role), and where to write them. Plain data: it crosses a thread boundary.
import type { MessagePort } from 'node:worker_threads';
import type { CardOverlay } from './title-card-overlay';
import type { FaceStyle, PreparedFace } from '@talecast/compositor';
import type { EncoderHlsPiece } from '@talecast/video';

export interface FaceTexture {
  key: string;
  size: number;
  rgba: Uint8Array;
  landmarks: Float32Array;
}

export interface SegmentRoleTrack {
  role: string;
  /** Per frame of the segment: index into `faces` (-1 = no insertion on that frame). */
  faceIndex: Int32Array;
  /** Per frame: 68 landmarks (136 floats), 0 when absent. */
  landmarks: Float32Array;
  /** Per frame: [Y, Cb, Cr mean; Y, Cb, Cr std]. */
  colour: Float32Array;
  yaw: Float32Array;
  mouthOpen: Float32Array;
  /** Per frame: 1 when the story measured the eyes (then `eyes` holds them), 0 otherwise. */
  hasEyes?: Uint8Array;
  /** Per frame: [openR, openL, gazeRx, gazeRy, gazeLx, gazeLy] (FRAME_FIELDS eyeOpen + gaze). */
  eyes?: Float32Array;
  /** Per frame: the occluder polygons active then, in frame pixels. */
  occluders: Float32Array[][];
}

export interface RunSegment {
  segmentIndex: number;
  /** The story's render-ready media of this segment. */
  input: string;
  frameCount: number;
  tracks: SegmentRoleTrack[];
  /** Per frame from the segment's start: the title card's opacity (frames past its end: none). */
  card?: Float32Array;
}

export interface SegmentTask {
  renderId: string;
  ffmpeg: string;
  fpsModeOption: '-fps_mode' | '-vsync';
  /** Segments in story order (not necessarily adjacent): one decoder and one encoder for all of them. */
  segments: RunSegment[];
  /** Directory of the outputs; each segment is written as a `.tmp` file there, reported through `port` (the engine renames it). */
  outputDir: string;
  width: number;
  height: number;
  fpsNum: number;
  fpsDen: number;
  matrix: 'bt601' | 'bt709';
  range: 'tv' | 'pc';
  style: 'photo' | 'toon';
  encoder: { preset: string; crf: number; threads: number; maxGopFrames: number };
  blend: 'alpha' | 'laplacian';
  faces: FaceTexture[];
  /** Per face, when this process already has it prepared for the task's style and colour space (plain data: it is copied to the thread). */
  prepared?: (PreparedFace | null)[];
  /** The title card, when a segment of the run shows it. */
  titleCard?: CardOverlay;
  /**
   * The run's ffmpeg processes get this niceness (0 = as the server's). Every run but the first
   * is niced so that the first run, and the first HLS piece muxed from it, get the cores while the
   * parent is waiting for the first picture; on a busy machine the others still use every idle cycle.
   */
  niceness: number;
  /**
   * A run of one segment (the quick start) whose encoder also writes the segment's HLS piece
   * (`out`, a temporary name the engine renames): the segment is reported once the encoder has
   * exited, when the piece is complete too.
   */
  hlsPiece?: EncoderHlsPiece;
  /** Shared flag: non-zero asks the worker to stop between frames. */
  cancel: Int32Array;
  /** Receives a SegmentDone as each segment's file is complete (before the task resolves). */
  port?: MessagePort;
}

export interface SegmentDone {
  segmentIndex: number;
  /** The complete temporary file. */
  file: string;
}

export interface SegmentResult {
  segments: SegmentDone[];
  frames: number;
  compositedFrames: number;
  compositeMs: number;
  /** The thread's CPU time inside the compositing (the wall time above also counts the time the
   * thread waited for a core while the run's decoder and encoder ran: 2 cores, 6 busy processes). */
  compositeCpuMs: number;
  wallMs: number;
  /** From the task's start to its first decoded frame (process starts, face preparation). */
  firstFrameMs: number;
  /** Time the decoder was held back waiting for the encoder (the encoder was the bottleneck). */
  encoderWaitMs: number;
  /** The run's steps, ms from the task's start (the first-frame breakdown). */
  steps?: [string, number][];
}

/** File name of rendered segment `k`. */
export function segmentFileName(k: number): string {
  return `seg-${String(k).padStart(4, '0')}.mp4`;
}

/** One face to prepare in a segment thread (the parent's preview: off the API's event loop). */
export interface PrepareFaceTask {
  key: string;
  size: number;
  rgba: Uint8Array;
  landmarks: Float32Array;
  style: FaceStyle;
  matrix: 'bt601' | 'bt709';
  range: 'tv' | 'pc';
}
