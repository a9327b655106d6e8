// The wire format between `cli render` and a running Talecast process (role all or worker) on the
// unix socket `<state>/talecast.sock`: the CLI hands its render to a process whose face models,
// segment threads and database are already up. Pure: no Nest, no database, no sockets (the CLI
// loads it before anything heavy). Never carries a file name: only the bytes of the photos and
// recordings, the story id and the title card's name and language, as the HTTP API gets them.
//
// A frame is two big-endian uint32 lengths (JSON header, binary body), the header as UTF-8 JSON,
// then the body. The server speaks first (`hello`); the client sends one `render` whose body is
// the photos' bytes then the recordings' bytes, in order; the server answers with `voice`, `face`,
// `progress` events and one `done` or `error`, and says `alive` every few seconds meanwhile. The client closing the socket before `done` cancels
// the render: the server stops it and removes everything it made for it.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const LOCAL_SOCKET_NAME = 'talecast.sock';
/** Bumped whenever a message changes shape: a client and a server of different protocols do not talk. */
export const LOCAL_PROTOCOL = 1;
/** A header is a few hundred bytes; a longer one is not ours. */
export const MAX_HEADER_BYTES = 64 * 1024;
/** 5 photos and the recordings of a story's lines; beyond it the CLI renders in its own process. */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;
/** While it renders for a client, the server says `alive` this often (a render may be silent for seconds between events). */
export const ALIVE_INTERVAL_MS = 5000;
/** A client that hears nothing for this long (four beats missed) takes the server for hung and stops waiting. */
export const ALIVE_TIMEOUT_MS = 20_000;

/** Identity of the process's build and data: a client renders there only when both match its own. */
export interface LocalIdentity {
  /** Hash of dist/.build-stamp (the content hash of every source of this build). */
  build: string;
  /** Hash of the data roots and the database the process uses (a render must land where the client would put it). */
  setup: string;
}

export interface HelloMessage extends LocalIdentity {
  type: 'hello';
  protocol: number;
  pid: number;
}

export interface RenderMessage extends LocalIdentity {
  type: 'render';
  protocol: number;
  story: string;
  name?: string;
  language?: string;
  /** Byte length of each photo, in the order of the body. */
  faces: number[];
  /** Each recording's line and byte length, after the photos in the body. */
  voices: { lineId: string; bytes: number }[];
}

export interface VoiceMessage {
  type: 'voice';
  lineId: string;
  recordedSeconds: number;
  slotSeconds: number;
  tempo: number;
  loudness: number;
}

export interface FaceMessage {
  type: 'face';
  /** Which `--face` of the command (0-based). */
  index: number;
  faceCount: number;
  chosenIndex: number;
  expression: string;
  warnings: string[];
}

export interface ProgressMessage {
  type: 'progress';
  fraction: number;
  done: number;
  total: number;
}

export interface DoneMessage {
  type: 'done';
  file: string;
  frames: number;
  durationSeconds: number;
  /** The engine's seconds: from the render's start on warm threads to its end (the CLI's summary line). */
  seconds: number;
  renderedSegments: number;
  reusedSegments: number;
}

export interface ErrorMessage {
  type: 'error';
  /** `talecast`: a reason code the CLI reports as in its own process; `usage`: a usage error; `other`: anything else. */
  kind: 'talecast' | 'usage' | 'other';
  code?: string;
  message: string;
}

export interface AliveMessage {
  type: 'alive';
}

export type ServerMessage = HelloMessage | VoiceMessage | FaceMessage | ProgressMessage | DoneMessage | ErrorMessage | AliveMessage;
export type ClientMessage = RenderMessage;

export interface Frame<T = unknown> {
  header: T;
  body: Buffer;
}

export function encodeFrame(header: object, body: Buffer = Buffer.alloc(0)): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const lengths = Buffer.alloc(8);
  lengths.writeUInt32BE(json.length, 0);
  lengths.writeUInt32BE(body.length, 4);
  return Buffer.concat([lengths, json, body]);
}

export class FrameError extends Error {}

/** Collects a stream's chunks into whole frames; refuses a frame over the limits before buffering it. */
export class FrameReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(private readonly maxBody = MAX_BODY_BYTES) {}

  /** The frames completed by `chunk` (none, one or several). */
  push(chunk: Buffer): Frame[] {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    const frames: Frame[] = [];
    for (;;) {
      if (this.pendingBytes < 8) return frames;
      const head = this.peek(8);
      const headerBytes = head.readUInt32BE(0);
      const bodyBytes = head.readUInt32BE(4);
      if (headerBytes > MAX_HEADER_BYTES) throw new FrameError(`a frame header of ${headerBytes} bytes`);
      if (bodyBytes > this.maxBody) throw new FrameError(`a frame body of ${bodyBytes} bytes`);
      if (this.pendingBytes < 8 + headerBytes + bodyBytes) return frames;
      const all = this.take(8 + headerBytes + bodyBytes);
      let header: unknown;
      try {
        header = JSON.parse(all.subarray(8, 8 + headerBytes).toString('utf8'));
      } catch {
        throw new FrameError('a frame header that is not JSON');
      }
      frames.push({ header, body: all.subarray(8 + headerBytes) });
    }
  }

  private peek(bytes: number): Buffer {
    if (this.pending[0].length < bytes) this.pending = [Buffer.concat(this.pending)];
    return this.pending[0].subarray(0, bytes);
  }

  private take(bytes: number): Buffer {
    const all = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    const rest = all.subarray(bytes);
    this.pending = rest.length ? [rest] : [];
    this.pendingBytes = rest.length;
    return all.subarray(0, bytes);
  }
}

/** The checked `render` message, or the reason it is not one (a client of another kind, or a broken one). */
export function checkRenderMessage(header: unknown, bodyBytes: number): { ok: true; message: RenderMessage } | { ok: false; problem: string } {
  const m = header as Partial<RenderMessage> | null;
  if (!m || typeof m !== 'object' || m.type !== 'render') return { ok: false, problem: 'expected a render message' };
  if (m.protocol !== LOCAL_PROTOCOL) return { ok: false, problem: `protocol ${String(m.protocol)}, expected ${LOCAL_PROTOCOL}` };
  if (typeof m.story !== 'string' || m.story.length === 0 || m.story.length > 200) return { ok: false, problem: 'story must be a string' };
  if (m.name !== undefined && typeof m.name !== 'string') return { ok: false, problem: 'name must be a string' };
  if (m.language !== undefined && typeof m.language !== 'string') return { ok: false, problem: 'language must be a string' };
  if (!Array.isArray(m.faces) || m.faces.length < 1 || m.faces.length > 5 || !m.faces.every(isByteCount))
    return { ok: false, problem: 'faces must list 1 to 5 byte counts' };
  if (
    !Array.isArray(m.voices) ||
    m.voices.length > 200 ||
    !m.voices.every((v) => v && typeof v.lineId === 'string' && v.lineId.length > 0 && v.lineId.length <= 100 && isByteCount(v.bytes))
  )
    return { ok: false, problem: 'voices must list line ids and byte counts' };
  const total = m.faces.reduce((a, b) => a + b, 0) + m.voices.reduce((a, v) => a + v.bytes, 0);
  if (total !== bodyBytes) return { ok: false, problem: `the body has ${bodyBytes} bytes, the message lists ${total}` };
  return { ok: true, message: m as RenderMessage };
}

function isByteCount(v: unknown): v is number {
  return Number.isInteger(v) && (v as number) >= 0;
}

/** The body of a checked `render` message cut into its photos and recordings. */
export function splitRenderBody(message: RenderMessage, body: Buffer): { photos: Buffer[]; recordings: { lineId: string; audio: Buffer }[] } {
  let at = 0;
  const next = (bytes: number) => body.subarray(at, (at += bytes));
  const photos = message.faces.map((bytes) => next(bytes));
  const recordings = message.voices.map((v) => ({ lineId: v.lineId, audio: next(v.bytes) }));
  return { photos, recordings };
}

/** This build's identity: the build stamp next to the compiled sources (dist/.build-stamp), hashed. */
export function buildIdentity(distRoot = path.resolve(__dirname, '../../..')): string {
  try {
    return sha256(readFileSync(path.join(distRoot, '.build-stamp')));
  } catch {
    return 'unbuilt';
  }
}

/** The data roots and the database, hashed (the database URL may hold a password: never sent in clear). */
export function setupIdentity(roots: Record<string, string>, databaseUrl: string | undefined): string {
  return sha256(JSON.stringify([Object.entries(roots).sort(), databaseUrl ?? 'embedded']));
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
