// Expected failures carry a machine-readable reason code. They are mapped to HTTP statuses
// once, in the API's exception filter; the CLI prints them. Never put user data in a message.

export const REASON_STATUS = {
  // 400: malformed requests
  BAD_REQUEST: 400,
  WRONG_FIELD: 400,
  INVALID_NAME: 400,
  TOO_MANY_FILES: 400,
  // 401 / 403 / 404 / 409 / 413 / 415 / 422 / 429 / 503
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  CROSS_SITE: 403,
  NOT_FOUND: 404,
  STORY_NOT_FOUND: 404,
  FACE_NOT_FOUND: 404,
  RENDER_NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  STORY_NOT_READY: 409,
  STORY_BUSY: 409,
  RENDER_NOT_READY: 409,
  FILE_TOO_LARGE: 413,
  RANGE_NOT_SATISFIABLE: 416,
  EMPTY_FILE: 422,
  NOT_AN_IMAGE: 422,
  UNSUPPORTED_IMAGE: 415,
  IMAGE_TOO_LARGE: 422,
  TRUNCATED_IMAGE: 422,
  NO_FACE: 422,
  FACE_TOO_SMALL: 422,
  FACE_TURNED: 422,
  EYES_CLOSED: 422,
  SUNGLASSES: 422,
  SIDE_LIGHT: 422,
  RED_EYE: 422,
  FACE_INDEX_OUT_OF_RANGE: 422,
  FACE_EXPIRED: 422,
  FACE_MISSING: 422,
  INVALID_STORY_ID: 400,
  NOT_A_VIDEO: 422,
  NO_VIDEO_STREAM: 422,
  INVALID_MASKS: 400,
  INVALID_LINES: 400,
  INVALID_STEM: 400,
  REFERENCE_HAS_NO_FACE: 422,
  FRAME_COUNT_MISMATCH: 422,
  VIDEO_TOO_LONG: 422,
  // the child's voice
  LINE_NOT_FOUND: 404,
  RECORDING_NOT_FOUND: 404,
  LINE_NOT_RECORDABLE: 422,
  NOT_AUDIO: 422,
  EMPTY_RECORDING: 422,
  ONLY_SILENCE: 422,
  RECORDING_CLIPPED: 422,
  RECORDING_TOO_LONG: 422,
  READ_FASTER: 422,
  READ_SLOWER: 422,
  RATE_LIMITED: 429,
  // A render that ended without a video (stored on the render; never an HTTP answer by itself).
  RENDER_FAILED: 500,
  BUSY: 503,
  UNAVAILABLE: 503,
} as const;

export type ReasonCode = keyof typeof REASON_STATUS;

export class TalecastError extends Error {
  constructor(
    readonly code: ReasonCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'TalecastError';
  }

  get status(): number {
    return REASON_STATUS[this.code];
  }
}

export function isReasonCode(code: unknown): code is ReasonCode {
  return typeof code === 'string' && code in REASON_STATUS;
}

/** A render that ended without a video, as an error carrying its stored reason code. */
export function renderFailure(status: string, code: string | null | undefined, message: string | null | undefined): TalecastError {
  return new TalecastError(isReasonCode(code) ? code : 'RENDER_FAILED', `the video was not made (${status}): ${message ?? 'unknown reason'}`);
}
