// The page's only door to the HTTP API. Every failure becomes an ApiError with a reason code
// (the API's own `{error:{code,message}}`, or one derived from the status, or NETWORK), so the
// UI can always say something in plain words and never shows a raw error or a blank page.

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  json?: unknown;
  form?: FormData;
  token?: string | null;
  signal?: AbortSignal;
}

function codeForStatus(status: number): string {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 413) return 'FILE_TOO_LARGE';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 503) return 'UNAVAILABLE';
  if (status >= 500) return 'INTERNAL';
  if (status >= 400) return 'BAD_REQUEST';
  return 'UNKNOWN';
}

/** Reads an error body when there is one; otherwise falls back to a code for the status. */
function errorFrom(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (body?.error && typeof body.error.code === 'string') {
      return new ApiError(body.error.code, status, typeof body.error.message === 'string' ? body.error.message : body.error.code);
    }
  } catch {
    // not JSON (a proxy's HTML page, an empty body): use the status
  }
  return new ApiError(codeForStatus(status), status, `HTTP ${status}`);
}

export async function request<T>(method: string, url: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.form) {
    body = options.form;
  }
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body, signal: options.signal, credentials: 'same-origin', cache: 'no-store' });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError('NETWORK', 0, 'network failure');
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw errorFrom(res.status, text);
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ApiError('UNKNOWN', res.status, 'the answer was not JSON');
  }
}

/** A multipart upload with progress (fetch cannot report upload progress; XHR can). */
export function upload<T>(url: string, form: FormData, options: { token?: string | null; onProgress?: (fraction: number) => void } = {}): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.setRequestHeader('Accept', 'application/json');
    if (options.token) xhr.setRequestHeader('Authorization', `Bearer ${options.token}`);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && options.onProgress) options.onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError('NETWORK', 0, 'network failure'));
    xhr.ontimeout = () => reject(new ApiError('NETWORK', 0, 'timeout'));
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        try {
          resolve(JSON.parse(xhr.responseText) as T);
        } catch {
          reject(new ApiError('UNKNOWN', xhr.status, 'the answer was not JSON'));
        }
      } else reject(errorFrom(xhr.status, xhr.responseText));
    };
    xhr.send(form);
  });
}

export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError('UNKNOWN', 0, (err as Error)?.message ?? String(err));
}

// ---- shapes of the API's answers (the public contract in DESIGN.md and issue 8) ----

export interface StoryRole {
  name: string;
  faceFrames: number;
}

export interface Story {
  id: string;
  title: string;
  status: string;
  style: 'photo' | 'toon' | string;
  durationSeconds: number;
  roles: StoryRole[];
  roleCount: number;
  thumbnailUrl: string | null;
  /** Per language, from the masks file's meta (absent for older stories). */
  titles?: Record<string, string> | null;
  descriptions?: Record<string, string> | null;
  ages?: [number, number] | null;
  defaultLanguage?: string | null;
  previewUrl?: string | null;
}

export interface FaceBox {
  index: number;
  box: [number, number, number, number];
  score: number;
  usable: boolean;
}

export interface QualityWarning {
  code: string;
  blocking: boolean;
  message: string;
}

export interface FaceUpload {
  id: string;
  faceCount: number;
  chosenIndex: number;
  faces: FaceBox[];
  warnings: QualityWarning[];
  expression: string;
  pose: { yaw: number; roll: number };
  previewUrl: string;
  expiresAt: string;
}

export type RenderStatus = 'queued' | 'rendering' | 'done' | 'failed' | 'expired' | 'deleted' | 'cancelled' | 'purged';

export interface RenderCreated {
  id: string;
  status: RenderStatus;
  statusUrl: string;
  eventsUrl: string;
}

export interface RenderProgress {
  status: RenderStatus;
  progress: number;
  segmentsDone: number;
  segmentsTotal: number;
  hlsReady: boolean;
  etaSeconds: number | null;
  error?: { code?: string; message?: string } | string | null;
}

export interface RenderInfo {
  id: string;
  storyId: string;
  faces?: Record<string, string[]>;
  status: RenderStatus;
  progress: number;
  segmentsDone: number;
  segmentsTotal: number;
  videoUrl: string | null;
  hlsUrl: string | null;
  expiresAt: string | null;
  error: { code?: string; message?: string } | string | null;
}

export interface AdminStory extends Story {
  progress: number | null;
  error: string | null;
  warnings: string[] | null;
  frameCount: number | null;
  segmentCount: number | null;
}

export interface StorySample {
  frame: number;
  time: number;
  imageUrl: string;
  boxes: { role: string; box: [number, number, number, number]; outline?: number[] }[];
}

/** What the server keeps and for how long (its configured retention, in seconds). */
export interface PrivacyFacts {
  retention: { photoSeconds: number; recordingSeconds: number; videoSeconds: number; failedVideoSeconds: number };
}

/** The title card's part of a render request: the child's name (none → no card) and the page's language. */
export interface TitleCardRequest {
  childName?: string;
  language: string;
}

export const api = {
  privacy: () => request<PrivacyFacts>('GET', '/api/privacy'),
  stories: () => request<{ stories: Story[] }>('GET', '/api/stories'),
  uploadFace: (file: Blob, faceIndex?: number, onProgress?: (f: number) => void) => {
    const form = new FormData();
    if (faceIndex !== undefined) form.append('faceIndex', String(faceIndex));
    form.append('photo', file, (file as File).name || 'photo.jpg');
    return upload<FaceUpload>('/api/faces', form, { onProgress });
  },
  deleteFace: (id: string) => request<unknown>('DELETE', `/api/faces/${encodeURIComponent(id)}`),
  createRender: (storyId: string, faces: Record<string, string[]>, voices: Record<string, string> = {}, card?: TitleCardRequest) =>
    request<RenderCreated>('POST', '/api/renders', {
      json: {
        storyId,
        faces,
        ...(Object.keys(voices).length ? { voices } : {}),
        ...(card?.childName ? { childName: card.childName, language: card.language } : {}),
      },
    }),
  render: (id: string) => request<RenderInfo>('GET', `/api/renders/${encodeURIComponent(id)}`),
  renderUrl: (id: string) => `/api/renders/${encodeURIComponent(id)}`,
  deleteRender: (id: string) => request<unknown>('DELETE', `/api/renders/${encodeURIComponent(id)}`),
  renderEventsUrl: (id: string) => `/api/renders/${encodeURIComponent(id)}/events`,
  hlsUrl: (id: string) => `/api/renders/${encodeURIComponent(id)}/hls/index.m3u8`,
  mp4Url: (id: string) => `/api/renders/${encodeURIComponent(id)}/video.mp4`,
  heroPreviewUrl: (storyId: string, faceId: string) => `/api/stories/${encodeURIComponent(storyId)}/faces/${encodeURIComponent(faceId)}/preview.jpg`,
  downloadUrl: (id: string) => `/api/renders/${encodeURIComponent(id)}/video.mp4?download=1`,
};
