// The local socket `<state>/talecast.sock` of a process that renders (role all or worker): `cli
// render` on this machine hands its render here instead of starting Nest, the database, the face
// models and the segment threads itself (apps/cli/src/commands/render-handover.ts; the wire format
// in libs/core/src/local-render-protocol.ts). Only the local user can connect (mode 0600, made under
// umask 077); no HTTP limits or consent screens apply, as none apply to the CLI in its own process.
// The render runs the CLI's steps (DirectRenderService): the same rows, files, lifecycle events
// and retention as in the CLI's own process. The client going away stops its render and removes
// what was made for it. A socket file left by a process that died is replaced; one a live process
// answers on is left to it. Never logs a name, a photo or a recording.
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import net from 'node:net';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { TalecastError } from '@talecast/core';
import {
  ALIVE_INTERVAL_MS,
  buildIdentity,
  checkRenderMessage,
  encodeFrame,
  FrameReader,
  HelloMessage,
  LOCAL_PROTOCOL,
  LOCAL_SOCKET_NAME,
  LocalIdentity,
  ServerMessage,
  setupIdentity,
  splitRenderBody,
} from '@talecast/core/local-render-protocol';
import { samplePhotoDirectory } from '@talecast/face';
import { sharp } from '@talecast/face/sharp-image';
import { FaceUploadService } from '@talecast/face-upload';
import { DirectRenderService, RenderStopped } from '@talecast/render';

/** The whole request must arrive within this after the hello (photos of tens of MB over a local socket take milliseconds). */
const REQUEST_TIMEOUT_MS = 30_000;
/** The warm-up's sample photo is scaled to this width: the nets' inputs have fixed sizes, so a small photo warms the same kernels. */
const WARM_SAMPLE_WIDTH = 640;
/** A process that holds the socket file must say hello this fast to keep it. */
const PROBE_TIMEOUT_MS = 1000;

@Injectable()
export class LocalRenderSocket implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('LocalSocket');
  private server: net.Server | undefined;
  /** The socket file's inode once listening: removed at shutdown only while it is still this one. */
  private inode: number | undefined;
  private readonly renders = new Map<AbortController, Promise<void>>();
  private readonly identity: LocalIdentity;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DirectRenderService) private readonly direct: DirectRenderService,
    @Inject(FaceUploadService) private readonly uploads: FaceUploadService,
  ) {
    this.identity = { build: buildIdentity(), setup: setupIdentity({ ...config.roots }, config.databaseUrl) };
  }

  get socketPath(): string {
    return path.join(this.config.roots.state, LOCAL_SOCKET_NAME);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api' || !this.config.localSocket) return;
    try {
      await this.listen();
    } catch (err) {
      // The server serves HTTP and jobs without it; the CLI then renders in its own process.
      this.logger.warn(`not listening on ${this.socketPath}: ${(err as Error).message}`);
      return;
    }
    void this.warmUploadThreads().catch((err) => this.logger.error(`upload pool failed to warm up: ${(err as Error).message}`));
  }

  /**
   * The upload threads' face models, and one analysis in each thread of a sample photo (an adult
   * from the face models' package, never a child's, nothing stored): a fresh thread's first
   * analysis is ~1 s slower than later ones (cli11), and is paid now, not by the first command.
   */
  private async warmUploadThreads(): Promise<void> {
    await this.uploads.warm();
    const sample = await sharp(path.join(samplePhotoDirectory(), 'sample1.jpg')).resize({ width: WARM_SAMPLE_WIDTH }).jpeg().toBuffer();
    await Promise.all(Array.from({ length: this.config.upload.threads }, () => this.uploads.analyse(sample)));
  }

  private async listen(): Promise<void> {
    await fs.mkdir(this.config.roots.state, { recursive: true });
    const holder = await answeringProcess(this.socketPath);
    if (holder !== undefined) throw new Error(`another Talecast process (pid ${holder}) answers on it`);
    await removeStaleSocket(this.socketPath);
    const server = net.createServer((socket) => this.serve(socket));
    // The file is made by bind() inside listen(): under umask 077 it is never open to others, even briefly.
    const umask = process.umask(0o177);
    try {
      server.listen(this.socketPath);
    } finally {
      process.umask(umask);
    }
    await new Promise<void>((resolve, reject) => {
      server.once('listening', resolve);
      server.once('error', reject);
    });
    await fs.chmod(this.socketPath, 0o600);
    this.inode = (await fs.stat(this.socketPath)).ino;
    this.server = server;
    this.logger.log(`cli render hands its renders to this process on ${this.socketPath}`);
  }

  /** One connection: hello, one render request, its events, done or error. */
  private serve(socket: net.Socket): void {
    const send = (m: ServerMessage) => {
      if (!socket.destroyed) socket.write(encodeFrame(m));
    };
    send({ type: 'hello', protocol: LOCAL_PROTOCOL, pid: process.pid, ...this.identity } satisfies HelloMessage);
    const reader = new FrameReader();
    const timer = setTimeout(() => socket.destroy(), REQUEST_TIMEOUT_MS);
    let started = false;
    socket.on('error', () => undefined); // a client that vanished: 'close' follows
    socket.on('close', () => clearTimeout(timer));
    socket.on('data', (chunk: Buffer) => {
      if (started) return; // one request per connection
      let frames;
      try {
        frames = reader.push(chunk);
      } catch (err) {
        send({ type: 'error', kind: 'other', message: `not a render request: ${(err as Error).message}` });
        socket.end();
        return;
      }
      if (frames.length === 0) return;
      started = true;
      clearTimeout(timer);
      const checked = checkRenderMessage(frames[0].header, frames[0].body.length);
      if (!checked.ok) {
        send({ type: 'error', kind: 'other', message: `not a render request: ${checked.problem}` });
        socket.end();
        return;
      }
      const m = checked.message;
      if (m.build !== this.identity.build || m.setup !== this.identity.setup) {
        send({ type: 'error', kind: 'other', message: 'this Talecast process runs another build or uses other data folders' });
        socket.end();
        return;
      }
      const { photos, recordings } = splitRenderBody(m, frames[0].body);
      const controller = new AbortController();
      // The client closing before the end (Ctrl-C, killed) stops the render; what it made is removed.
      socket.on('close', () => controller.abort());
      const alive = setInterval(() => send({ type: 'alive' }), ALIVE_INTERVAL_MS);
      const run = this.direct
        .run(
          {
            storyId: m.story,
            photos: photos.map((photo) => ({ photo })),
            recordings: recordings.map((r) => ({ lineId: r.lineId, audio: async () => r.audio })),
            childName: m.name,
            language: m.language,
          },
          {
            voice: (lineId, r) =>
              send({ type: 'voice', lineId, recordedSeconds: r.recordedSeconds, slotSeconds: r.slotSeconds, tempo: r.tempo, loudness: r.loudness }),
            face: (index, r) =>
              send({
                type: 'face',
                index,
                faceCount: r.faceCount,
                chosenIndex: r.chosenIndex,
                expression: r.expression,
                warnings: r.warnings.map((w) => w.code),
              }),
            progress: (fraction, done, total) => send({ type: 'progress', fraction, done, total }),
          },
          controller.signal,
        )
        .then(
          (r) =>
            send({
              type: 'done',
              file: r.file,
              frames: r.frames,
              durationSeconds: r.durationSeconds,
              seconds: r.seconds,
              renderedSegments: r.renderedSegments,
              reusedSegments: r.reusedSegments,
            }),
          (err) => {
            if (err instanceof RenderStopped) return;
            if (err instanceof TalecastError) send({ type: 'error', kind: 'talecast', code: err.code, message: err.message });
            else {
              const message = (err as Error).message?.split('\n')[0] ?? String(err);
              this.logger.warn(`a render handed over by the CLI failed: ${message}`);
              send({ type: 'error', kind: 'other', message });
            }
          },
        )
        .finally(() => {
          clearInterval(alive);
          this.renders.delete(controller);
          socket.end();
        });
      this.renders.set(controller, run);
    });
  }

  /** Stops listening; renders still running for a CLI are stopped and what they made removed, while the database is up. */
  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.close();
    for (const controller of this.renders.keys()) controller.abort();
    await Promise.allSettled([...this.renders.values()]);
    const now = await fs.stat(this.socketPath).catch(() => undefined);
    if (now && now.ino === this.inode) await fs.rm(this.socketPath, { force: true });
  }
}

/** The pid of a process that says hello on `socketPath` within PROBE_TIMEOUT_MS, else undefined. */
async function answeringProcess(socketPath: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const socket = net.createConnection(socketPath);
    const reader = new FrameReader();
    const done = (pid: number | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(pid);
    };
    const timer = setTimeout(() => done(undefined), PROBE_TIMEOUT_MS);
    socket.on('error', () => done(undefined));
    socket.on('data', (chunk: Buffer) => {
      try {
        const [frame] = reader.push(chunk);
        if (frame) done((frame.header as HelloMessage).type === 'hello' ? ((frame.header as HelloMessage).pid ?? 0) : undefined);
      } catch {
        done(undefined);
      }
    });
  });
}

/** A socket file nobody answers on (its process died) is removed; anything that is not a socket is left alone and refused. */
async function removeStaleSocket(socketPath: string): Promise<void> {
  const stat = await fs.lstat(socketPath).catch(() => undefined);
  if (!stat) return;
  if (!stat.isSocket()) throw new Error('a file that is not a socket is in the way');
  await fs.rm(socketPath, { force: true });
}
