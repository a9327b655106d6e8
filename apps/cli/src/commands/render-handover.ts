// `render` handed to a running Talecast process (role all or worker) over its local socket
// `<state>/talecast.sock` (libs/core/src/local-render-protocol.ts): that process has its face
// models, segment threads and database up, so the command pays ~0.1 s of start instead of
// seconds. Only a process of this very build, over the same data folders and database, takes it;
// anything else — no socket file, a dead process's file, a process that does not say hello within
// HELLO_TIMEOUT_MS, another build — leaves the render to this process, as before. Stopping this
// command (Ctrl-C, a kill) closes the socket: the process stops the render and removes what it
// made; a process silent for ALIVE_TIMEOUT_MS mid-render is taken for hung, and the command fails.
// Loads nothing heavy: it runs before Nest or the engine are loaded.
import net from 'node:net';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import type { AppConfig } from '@talecast/config/app-config';
import { isReasonCode, TalecastError } from '@talecast/core/talecast-error';
import {
  ALIVE_TIMEOUT_MS,
  buildIdentity,
  encodeFrame,
  Frame,
  FrameReader,
  HelloMessage,
  LOCAL_PROTOCOL,
  LOCAL_SOCKET_NAME,
  LocalIdentity,
  MAX_BODY_BYTES,
  RenderMessage,
  ServerMessage,
  setupIdentity,
} from '@talecast/core/local-render-protocol';
import { UsageError } from '../cli-args';
import { ProgressBar } from '../progress-bar';
import type { RenderRequest } from './render.command';
import { copiedTo, faceLine, summaryLine, voiceLine } from './render-output';

/** A live process answers at once; a stopped or hung one never does. */
export const HELLO_TIMEOUT_MS = 1000;

export function localSocketPath(config: AppConfig): string {
  return path.join(config.roots.state, LOCAL_SOCKET_NAME);
}

/** This command's own build and data, as a running process must match them. */
export function ownIdentity(config: AppConfig): LocalIdentity {
  return { build: buildIdentity(), setup: setupIdentity({ ...config.roots }, config.databaseUrl) };
}

/** A connection whose process said hello and matches this command's build and data. */
interface Handover {
  socket: net.Socket;
  hello: HelloMessage;
  frames: AsyncGenerator<Frame<ServerMessage>>;
}

/**
 * Renders through a running process if one takes it: true when the render was done there (or
 * failed there with its reason, thrown), false when this process must render it itself.
 */
export async function renderThroughRunningProcess(config: AppConfig, request: RenderRequest): Promise<boolean> {
  if (!config.localSocket) return false;
  const handover = await connect(localSocketPath(config), ownIdentity(config));
  if (!handover) return false;
  const { socket, hello, frames } = handover;
  try {
    const body = await requestBody(request);
    if (body.bytes.length > MAX_BODY_BYTES) return false;
    const message: RenderMessage = {
      type: 'render',
      protocol: LOCAL_PROTOCOL,
      ...ownIdentity(config),
      story: request.story,
      name: request.name,
      language: request.language,
      faces: body.faces,
      voices: body.voices,
    };
    socket.write(encodeFrame(message, body.bytes));
    process.stderr.write(`render handed to the running Talecast process (pid ${hello.pid})\n`);
    // A process that stops answering (hung, stopped) must not hold the command for ever.
    socket.setTimeout(ALIVE_TIMEOUT_MS, () =>
      socket.destroy(new Error(`the Talecast process (pid ${hello.pid}) stopped answering for ${ALIVE_TIMEOUT_MS / 1000} s; the render was abandoned`)),
    );
    await followRender(frames, request, hello.pid);
    return true;
  } finally {
    socket.destroy();
  }
}

/** Connects and waits for the hello; undefined (and a note when a process is there) when this process must render. */
async function connect(socketPath: string, own: LocalIdentity): Promise<Handover | undefined> {
  const socket = net.createConnection(socketPath);
  const frames = framesOf(socket);
  const hello = await Promise.race([
    frames.next().then((f) => (f.done ? undefined : (f.value.header as HelloMessage))),
    new Promise<'timeout'>((resolve) => setTimeout(resolve, HELLO_TIMEOUT_MS, 'timeout').unref()),
  ]).catch(() => undefined); // no socket file, or nothing listening on it (a stopped process's file)
  const refusal =
    hello === 'timeout'
      ? `the Talecast process at ${socketPath} did not answer`
      : hello && (hello.type !== 'hello' || hello.protocol !== LOCAL_PROTOCOL)
        ? `the Talecast process (pid ${hello.pid}) speaks another protocol`
        : hello && hello.build !== own.build
          ? `the running Talecast process (pid ${hello.pid}) runs another build`
          : hello && hello.setup !== own.setup
            ? `the running Talecast process (pid ${hello.pid}) uses other data folders or another database`
            : undefined;
  if (!hello || hello === 'timeout' || refusal) {
    socket.destroy();
    if (refusal) process.stderr.write(`${refusal}; rendering in this process\n`);
    return undefined;
  }
  return { socket, hello, frames };
}

/** The photos' and recordings' bytes, in the message's order. */
async function requestBody(request: RenderRequest): Promise<{ bytes: Buffer; faces: number[]; voices: { lineId: string; bytes: number }[] }> {
  const photos = await Promise.all(request.faces.map((f) => fs.readFile(path.resolve(f))));
  const recordings = await Promise.all(
    request.voices.map((v) =>
      fs.readFile(v.file).catch(() => {
        throw new UsageError(`--voice ${v.lineId}: cannot read ${v.file}`);
      }),
    ),
  );
  return {
    bytes: Buffer.concat([...photos, ...recordings]),
    faces: photos.map((p) => p.length),
    voices: request.voices.map((v, i) => ({ lineId: v.lineId, bytes: recordings[i].length })),
  };
}

/** Prints the process's events as the in-process render prints its own; throws its failure. */
async function followRender(frames: AsyncGenerator<Frame<ServerMessage>>, request: RenderRequest, pid: number): Promise<void> {
  const bar = new ProgressBar(`render ${request.story}`);
  try {
    for await (const { header: m } of frames) {
      if (m.type === 'voice') console.log(voiceLine(m.lineId, m));
      else if (m.type === 'face') console.log(faceLine(request.faces[m.index] ?? '?', m));
      else if (m.type === 'progress') bar.update(m.fraction, `${m.done}/${m.total} segments`);
      else if (m.type === 'error') throw failureOf(m.kind, m.code, m.message);
      else if (m.type === 'done') {
        bar.done();
        console.log(summaryLine(await copiedTo(request.out, m.file), m));
        return;
      }
    }
    throw new Error(`the Talecast process (pid ${pid}) stopped before the render finished`);
  } finally {
    bar.done();
  }
}

function failureOf(kind: string, code: string | undefined, message: string): Error {
  if (kind === 'talecast' && isReasonCode(code)) return new TalecastError(code, message);
  if (kind === 'usage') return new UsageError(message);
  return new Error(message);
}

/** The socket's frames as they arrive; ends when the socket closes, throws on a socket error or a broken frame. */
async function* framesOf(socket: net.Socket): AsyncGenerator<Frame<ServerMessage>> {
  const reader = new FrameReader();
  for await (const chunk of socket as AsyncIterable<Buffer>) for (const frame of reader.push(chunk)) yield frame as Frame<ServerMessage>;
}
