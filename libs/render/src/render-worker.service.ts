// Takes render jobs: one render at a time per job slot, guarded by a PostgreSQL advisory lock
// so two workers never write the same output; a heartbeat on the row lets any worker pick up a
// render whose worker died (its completed segments are kept and skipped). Expected failures end
// the render as failed; unexpected ones are retried by the queue, up to three attempts. A render
// deleted or cancelled while it runs stops quietly: no warning, no retry, its files removed. The
// parent sees a reason code and a plain sentence; the system error goes to the server log only.
import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import os from 'node:os';
import { promises as fs } from 'node:fs';
import { DataSource, In, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { TalecastError } from '@talecast/core/talecast-error';
import { advisoryUnlock, RENDER_REPOSITORY, RenderEntity, STORY_REPOSITORY, StoryEntity, tryAdvisoryLock } from '@talecast/persistence';
import { removeTree, StorageCore, treeSize } from '@talecast/storage';
import { FfmpegService } from '@talecast/video';
import { FaceUploadService } from '@talecast/face-upload';
import { LifecycleService } from '@talecast/lifecycle';
import { JobQueue } from '@talecast/queue';
import { RecordingService } from '@talecast/voice';
import { closeRenderPool, renderEncoderThreads, renderPool } from './render-pool';
import { renderVideo, StoryNotRenderableError, RenderOutcome } from './render-engine';
import { RenderFace } from './render-plan';
import { HeroPreviewService } from './hero-preview.service';
import { isCardLanguage, TitleCardText, titleCardText } from './title-card';

const MAX_ATTEMPTS = 3;
const HEARTBEAT_MS = 2000;

@Injectable()
export class RenderWorker implements OnApplicationShutdown {
  private readonly logger = new Logger('RenderWorker');
  private readonly workerName = `${os.hostname()}:${process.pid}`.slice(0, 64);
  private sweeper: NodeJS.Timeout | undefined;
  private readonly cancels = new Map<string, Int32Array>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RENDER_REPOSITORY) private readonly renders: Repository<RenderEntity>,
    @Inject(STORY_REPOSITORY) private readonly stories: Repository<StoryEntity>,
    private readonly dataSource: DataSource,
    private readonly storage: StorageCore,
    private readonly ffmpeg: FfmpegService,
    private readonly faceUploads: FaceUploadService,
    private readonly lifecycle: LifecycleService,
    private readonly queue: JobQueue,
    private readonly recordings: RecordingService,
    private readonly previews: HeroPreviewService,
  ) {}

  /** Registers the job handler and starts taking jobs and sweeping for abandoned renders. */
  async start(): Promise<void> {
    this.queue.register('render', (data) => this.handle(data.renderId), 1);
    renderPool(this.config.renderThreads); // the segment threads start now, not at the first render
    await this.queue.startWorkers();
    const every = Math.max(1000, Math.min(5000, (this.config.renderStaleSeconds * 1000) / 2));
    void this.sweep().catch(() => undefined);
    this.sweeper = setInterval(() => void this.sweep().catch((err) => this.logger.warn(`sweep: ${(err as Error).message}`)), every);
    this.sweeper.unref();
  }

  /** Stops a render this process is running now, between frames (its row says why: see RenderService.cancel). */
  stop(renderId: string): void {
    const cancel = this.cancels.get(renderId);
    if (cancel) Atomics.store(cancel, 0, 1);
  }

  async handle(renderId: string): Promise<void> {
    await this.process(renderId);
  }

  /** Renders one video if it still needs it; idempotent. Returns the outcome when it rendered. */
  async process(
    renderId: string,
    onProgress?: (fraction: number, segmentsDone: number, total: number) => void,
    onTrace?: (ms: number, event: string) => void,
  ): Promise<RenderOutcome | undefined> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let locked = false;
    try {
      locked = await tryAdvisoryLock(runner, `render:${renderId}`);
      if (!locked) return undefined; // another live worker has it
      const render = await this.renders.findOneBy({ id: renderId });
      if (!render || !['queued', 'rendering'].includes(render.status)) return undefined;
      if (render.attempts >= MAX_ATTEMPTS) {
        await this.fail(render, 'the video could not be made; please try again', 'RENDER_FAILED');
        return undefined;
      }
      return await this.run(render, onProgress, onTrace);
    } finally {
      if (locked) await advisoryUnlock(runner, `render:${renderId}`);
      await runner.release();
    }
  }

  private async run(
    render: RenderEntity,
    onProgress?: (fraction: number, done: number, total: number) => void,
    onTrace?: (ms: number, event: string) => void,
  ): Promise<RenderOutcome | undefined> {
    const id = render.id;
    const firstStart = render.status === 'queued';
    // Only a render still wanted: a delete or cancel between the read and here wins.
    const taken = await this.renders.update(
      { id, status: In(['queued', 'rendering']) },
      { status: 'rendering', startedAt: render.startedAt ?? new Date(), heartbeatAt: new Date(), attempts: render.attempts + 1, worker: this.workerName },
    );
    if (!taken.affected) return undefined;
    if (firstStart) await this.lifecycle.record('render', id, 'rendering', { worker: this.workerName });
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    this.cancels.set(id, cancel);
    const timings: Record<string, number> = { ...(render.timings ?? {}) };
    const heartbeat = setInterval(() => {
      void this.renders
        .findOne({ where: { id }, select: { id: true, status: true } })
        .then((r) => {
          if (!r || r.status !== 'rendering') Atomics.store(cancel, 0, 1);
          else return this.renders.update({ id, status: 'rendering' }, { heartbeatAt: new Date() });
        })
        .catch(() => undefined);
    }, HEARTBEAT_MS);
    const started = Date.now();
    // What happened before the first HLS segment was published, as `trace:<event>` = ms since the
    // job was taken, in the row's timings (the bench's click-to-first-frame breakdown).
    let traced = 0;
    const mark = (event: string, at = Date.now()) => {
      if (timings.firstHlsAt === undefined && traced++ < 60) timings[`trace:${event.slice(0, 120)}`] = at - started;
    };
    let engineStarted = Date.now();
    try {
      const faces: Record<string, RenderFace[]> = {};
      for (const [role, ids] of Object.entries(render.faces)) {
        faces[role] = [];
        for (const faceId of ids) {
          const f = await this.faceUploads.load(faceId);
          await this.faceUploads.touch(faceId);
          faces[role].push({ id: f.id, size: f.size, rgba: f.rgba, landmarks: f.landmarks, expressionScores: f.expressionScores, yaw: f.yaw });
        }
      }
      mark('faces loaded');
      // The child's recorded lines (each marked used; its retention starts again).
      const voices = Object.keys(render.voices ?? {}).length ? await this.recordings.loadForRender(render.storyId, render.voices) : [];
      const titleCard = await this.titleCardOf(render);
      const ffmpeg = await this.ffmpeg.locate();
      mark('voices, title card and ffmpeg looked up');
      engineStarted = Date.now();
      const outcome = await renderVideo(
        { renderId: id, storyId: render.storyId, faces, voices, titleCard },
        {
          storage: this.storage,
          ffmpeg,
          pool: renderPool(this.config.renderThreads),
          encoder: {
            ...this.config.encoder,
            preset: this.config.encoder.renderPreset,
            threads: renderEncoderThreads(this.config.encoder.threads, this.config.renderThreads),
          },
          cancel,
          preparedFace: (faceId, style, matrix, range) => this.previews.preparedFace(faceId, style, matrix, range),
          onTrace: (ms, event) => {
            onTrace?.(ms, event);
            mark(event, engineStarted + ms);
          },
          onProgress: async (p) => {
            onProgress?.(p.progress, p.segmentsDone, p.segmentsTotal);
            if (p.hlsSegments > 0 && timings.firstHlsAt === undefined) timings.firstHlsAt = Date.now() - started;
            await this.renders.update(
              { id, status: 'rendering' },
              { progress: Math.min(0.99, p.progress), segmentsDone: p.segmentsDone, segmentsTotal: p.segmentsTotal, heartbeatAt: new Date(), timings },
            );
          },
        },
      );
      // The per-segment files only serve a resume after a crash; the finished video is served as
      // video.mp4 and hls/ (the HLS pieces are served, so they stay).
      await fs.rm(this.storage.renderFile(id, 'segments'), { recursive: true, force: true });
      const now = new Date();
      const bytes = await treeSize(this.storage.renderDir(id));
      // The status and its 'rendered' event in one transaction: a client that sees 'done' sees the event.
      const finished = await this.renders.manager.transaction(async (m) => {
        const result = await m.getRepository(RenderEntity).update(
          { id, status: 'rendering' },
          {
            status: 'done',
            progress: 1,
            segmentsDone: outcome.segments,
            segmentsTotal: outcome.segments,
            finishedAt: now,
            expiresAt: new Date(now.getTime() + this.config.retention.renderSeconds * 1000),
            bytes,
            timings: {
              ...timings,
              wallMs: outcome.timings.wallMs,
              firstHlsMs: outcome.timings.firstHlsMs ?? -1,
              compositeMs: outcome.timings.compositeMs,
              renderedSegments: outcome.renderedSegments,
              reusedSegments: outcome.reusedSegments,
              resumedSegments: outcome.resumedSegments,
              speed: outcome.durationSeconds / (outcome.timings.wallMs / 1000),
            },
            error: null,
          },
        );
        if (result.affected)
          await this.lifecycle.record('render', id, 'rendered', { seconds: Math.round(outcome.timings.wallMs / 100) / 10, bytes: outcome.bytes }, m);
        return Boolean(result.affected);
      });
      if (!finished) await this.discardIfDeleted(id);
      return outcome;
    } catch (err) {
      // Deleted or cancelled meanwhile (the files vanish under the engine before the heartbeat
      // notices): not a failure, nothing to retry.
      if (Atomics.load(cancel, 0) !== 0 || (await this.stillWanted(id)) === false) {
        Atomics.store(cancel, 0, 1);
        await this.discardIfDeleted(id);
        return undefined;
      }
      if (err instanceof TalecastError) {
        await this.fail(render, err.message, err.code);
        return undefined;
      }
      if (err instanceof StoryNotRenderableError) {
        this.logger.warn(`render ${id.slice(0, 6)}…: ${err.message.split('\n')[0]}`);
        await this.fail(render, 'the story cannot be made into a video right now; please try again later', 'STORY_NOT_READY');
        return undefined;
      }
      this.logger.warn(`render ${id.slice(0, 6)}… attempt ${render.attempts + 1} failed: ${(err as Error).message.split('\n')[0]}`);
      if (render.attempts + 1 >= MAX_ATTEMPTS) {
        await this.fail(render, 'the video could not be made; please try again', 'RENDER_FAILED');
        return undefined;
      }
      throw err; // the queue retries with backoff
    } finally {
      clearInterval(heartbeat);
      this.cancels.delete(id);
    }
  }

  /** The title card's words when the parent gave the child's name: the story's title in the render's language. */
  private async titleCardOf(render: RenderEntity): Promise<TitleCardText | undefined> {
    if (!render.childName) return undefined;
    const story = await this.stories.findOneBy({ id: render.storyId });
    const language = isCardLanguage(render.language) ? render.language : 'en';
    return titleCardText(render.childName, language, story?.meta?.title, story?.meta?.defaultLanguage, story?.title ?? render.storyId);
  }

  /** False once the row says the render was deleted, cancelled or is gone; undefined if unknown. */
  private async stillWanted(id: string): Promise<boolean | undefined> {
    const r = await this.renders.findOne({ where: { id }, select: { id: true, status: true } }).catch(() => undefined);
    if (r === undefined) return undefined;
    return r !== null && ['queued', 'rendering'].includes(r.status);
  }

  /** `message` is a plain sentence for the parent (a TalecastError's message, or a fixed one). */
  private async fail(render: RenderEntity, message: string, reason = 'RENDER_FAILED'): Promise<void> {
    const now = new Date();
    await this.renders.manager.transaction(async (m) => {
      const r = await m.getRepository(RenderEntity).update(
        { id: render.id, status: In(['queued', 'rendering']) },
        {
          status: 'failed',
          error: message.slice(0, 300),
          errorCode: reason.slice(0, 32),
          finishedAt: now,
          expiresAt: new Date(now.getTime() + this.config.retention.failedRenderSeconds * 1000),
        },
      );
      if (r.affected) await this.lifecycle.record('render', render.id, 'failed', { reason }, m);
    });
  }

  /** A render deleted while it was running: remove whatever the worker wrote after the delete. */
  private async discardIfDeleted(id: string): Promise<void> {
    const r = await this.renders.findOneBy({ id });
    if (r && ['deleted', 'purged', 'cancelled'].includes(r.status)) await removeTree(this.storage.renderDir(id));
  }

  /** Re-queues renders whose worker stopped sending heartbeats (crashed or killed). */
  async sweep(): Promise<number> {
    const stale: { id: string; attempts: number }[] = await this.dataSource.query(
      `SELECT id, attempts FROM render WHERE status = 'rendering' AND ("heartbeatAt" IS NULL OR "heartbeatAt" < now() - make_interval(secs => $1))`,
      [this.config.renderStaleSeconds],
    );
    for (const r of stale) {
      this.logger.warn(`render ${r.id.slice(0, 6)}… lost its worker; queueing it again`);
      await this.queue.send('render', { renderId: r.id }, { singletonKey: `${r.id}:${r.attempts}` });
    }
    return stale.length;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await closeRenderPool();
  }
}
