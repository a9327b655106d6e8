// The precompute's expected failures, each with a reason code (an unreadable masks file, a video
// that is not one, frames that do not line up). Carries no paths of the server.
export type PrecomputeErrorCode =
  'INVALID_STORY_ID' | 'NOT_A_VIDEO' | 'NO_VIDEO_STREAM' | 'INVALID_MASKS' | 'REFERENCE_HAS_NO_FACE' | 'FRAME_COUNT_MISMATCH' | 'VIDEO_TOO_LONG';

export class PrecomputeError extends Error {
  constructor(
    readonly code: PrecomputeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PrecomputeError';
  }
}
