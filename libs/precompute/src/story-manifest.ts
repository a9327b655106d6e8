// The published description of a precomputed story (precomputed/<id>/manifest.json) and the
// layout of its compact per-frame data (frames.bin). Versioned and validated: a render refuses
// a manifest it cannot read rather than producing a half-right video.
import type { MaskOccluder, StoryMeta } from './masks-file';
import type { StyleProposal } from './style-proposal';

export const MANIFEST_VERSION = 1;

/** Per role and frame, float32 little-endian, role-major: offset = (role * frameCount + frame) * RECORD_FLOATS. */
export const FRAME_FIELDS = {
  present: [0, 1],
  landmarks: [1, 136],
  transform: [137, 6],
  yaw: [143, 1],
  roll: [144, 1],
  mouthOpen: [145, 1],
  eyesOpen: [146, 1],
  colourLab: [147, 6],
  colourYuv: [153, 6],
  expressions: [159, 7],
  /** 1 when this frame's eye fields were measured (0: no eye data, the render warps the eyes with the landmarks). */
  eyeData: [166, 1],
  /** Lid openness per eye [right, left] (subject's right = image left): 0 closed .. 1 fully open for that character. */
  eyeOpen: [167, 2],
  /** Gaze per eye [rx, ry, lx, ly]: iris offset from the eye centre over the eye width (x, right) and lid gap (y, down,
   *  relative to the character's resting iris height). */
  gaze: [169, 4],
} as const;
export const RECORD_FLOATS = 173;
/** The record size before the eye fields: such manifests stay readable and simply carry no eye data. */
export const RECORD_FLOATS_NO_EYES = 166;

export interface ManifestSegment {
  index: number;
  start: number;
  end: number;
  hasFace: boolean;
  file: string;
  /** The same segment as an HLS MPEG-TS piece with its slice of the story's audio. */
  hlsFile: string;
  bytes: number;
}

export interface StoryManifest {
  version: typeof MANIFEST_VERSION;
  /** style: what renders use; styleSource/styleProposal: who chose it and what the footage proposed (style-choice.ts; absent in older manifests). */
  story: { id: string; title: string; style: 'photo' | 'toon'; styleSource?: 'admin' | 'masks' | 'footage'; styleProposal?: StyleProposal };
  video: {
    width: number;
    height: number;
    fps: number;
    fpsNum: number;
    fpsDen: number;
    frameCount: number;
    durationSeconds: number;
    matrix: 'bt601' | 'bt709';
    range: 'tv' | 'pc';
  };
  audio: { file: string; codec: string } | null;
  encoder: { preset: string; crf: number; profile: string; pixelFormat: 'yuv420p' };
  roles: { name: string; faceFrames: number; occluders: MaskOccluder[] }[];
  cuts: number[];
  segments: ManifestSegment[];
  frameData: { file: string; recordFloats: number; fields: typeof FRAME_FIELDS; roles: string[] };
  thumbnail: string;
  /** ≈4 s silent 480p clip of the hero's best shot (story cards); absent in older stories. */
  preview?: string;
  /** Titles/descriptions per language and the age range, from the masks file (CONTRACTS.md). */
  meta?: StoryMeta;
  createdAt: string;
  warnings: string[];
}

export class InvalidManifestError extends Error {
  constructor(message: string) {
    super(`Invalid story manifest: ${message}`);
    this.name = 'InvalidManifestError';
  }
}

/** Checks the structure and internal consistency of a manifest; throws InvalidManifestError. */
export function validateManifest(raw: unknown): StoryManifest {
  const m = raw as StoryManifest;
  const fail = (why: string): never => {
    throw new InvalidManifestError(why);
  };
  if (!m || typeof m !== 'object') fail('not an object');
  if (m.version !== MANIFEST_VERSION) fail(`version ${String(m.version)} is not ${MANIFEST_VERSION}`);
  const v = m.video;
  if (!v || !(v.width > 0 && v.height > 0 && v.fps > 0 && v.frameCount > 0)) fail('video dimensions, fps and frame count are required');
  if (!Array.isArray(m.segments) || m.segments.length === 0) fail('no segments');
  let expected = 0;
  for (const [k, s] of m.segments.entries()) {
    if (s.index !== k || s.start !== expected || !(s.end > s.start) || typeof s.file !== 'string' || typeof s.hlsFile !== 'string')
      fail(`segment ${k} is not contiguous`);
    expected = s.end;
  }
  if (expected !== v.frameCount) fail(`segments cover ${expected} frames, the video has ${v.frameCount}`);
  const floats = m.frameData?.recordFloats;
  if (!m.frameData || (floats !== RECORD_FLOATS && floats !== RECORD_FLOATS_NO_EYES) || !Array.isArray(m.frameData.roles)) fail('frame data layout');
  if (!Array.isArray(m.roles) || m.roles.length !== m.frameData.roles.length) fail('roles');
  return m;
}
