// The unit of render work handed to a worker: one contiguous segment of a story, everything the
// worker needs to composite it (per-frame targets and the chosen face per frame and role), and
// where to write it. Plain data: it crosses a thread boundary.

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
  /** Per frame: the occluder polygons active then, in frame pixels. */
  occluders: Float32Array[][];
}

export interface SegmentTask {
  renderId: string;
  segmentIndex: number;
  ffmpeg: string;
  input: string;
  /** Temporary output; the engine renames it when the task resolves. */
  output: string;
  width: number;
  height: number;
  fpsNum: number;
  fpsDen: number;
  frameCount: number;
  matrix: 'bt601' | 'bt709';
  range: 'tv' | 'pc';
  style: 'photo' | 'toon';
  encoder: { preset: string; crf: number; threads: number; maxGopFrames: number };
  blend: 'alpha' | 'laplacian';
  faces: FaceTexture[];
  tracks: SegmentRoleTrack[];
  /** Shared flag: non-zero asks the worker to stop between frames. */
  cancel: Int32Array;
}

export interface SegmentResult {
  segmentIndex: number;
  frames: number;
  compositedFrames: number;
  compositeMs: number;
  wallMs: number;
}
