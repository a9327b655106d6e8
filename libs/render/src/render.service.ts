// Render requests as the API and the CLI see them: validate (story ready, faces usable), dedupe
// the same request made twice quickly, respect the queue capacity, record and enqueue; report
// status; delete on request (a running render is cancelled first, between frames). A deleted,
// cancelled or expired render is gone: every URL of it is a 404. Deleting a face cancels the
// renders that use it.
import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { In, MoreThan, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { TalecastError } from '@talecast/core/talecast-error';
import { advisoryTransactionLock, RENDER_REPOSITORY, RenderEntity, STORY_REPOSITORY, StoryEntity } from '@talecast/persistence';
import { isRandomId, isStorySlug, newId, removeTree, StorageCore, treeSize } from '@talecast/storage';
import { LifecycleService, RecordsLifecycle } from '@talecast/lifecycle';
import { FaceUploadService } from '@talecast/face-upload';
import { JobQueue } from '@talecast/queue';
import { RecordingService } from '@talecast/voice';
import { checkChildName, isCardLanguage } from './title-card';

export interface RenderRequest {
  storyId: string;
  /** role → face ids (a face set, 1..5 per role). */
  faces: Record<string, string[]>;
  /** line id → recording id: the child's voice for those lines (optional). */
  voices?: Record<string, string>;
  /** The child's name for the title card at the start (optional; none → no card). */
  childName?: string;
  /** The page's language ('en' or 'ko'): the title card's language. */
  language?: string;
}

const ACTIVE = ['queued', 'rendering'] as const;
/** Statuses after which nothing of a render is served. */
const GONE = ['deleted', 'purged', 'expired', 'cancelled'];

/**
 * A request for the playlist of a render that is queued or rendering and has none yet waits up to
 * this long for it (looking every PLAYLIST_POLL_MS): a player can ask right after the click and
 * gets the playlist the moment the first piece is listed, instead of polling for it.
 */
const PLAYLIST_WAIT_MS = 20_000;
const PLAYLIST_POLL_MS = 40;

@Injectable()
export class RenderService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(RENDER_REPOSITORY) private readonly renders: Repository<RenderEntity>,
    @Inject(STORY_REPOSITORY) private readonly stories: Repository<StoryEntity>,
    private readonly storage: StorageCore,
    private readonly faceUploads: FaceUploadService,
    private readonly queue: JobQueue,
    readonly lifecycle: LifecycleService,
    private readonly recordings: RecordingService,
  ) {}

  /** Validates and records a render; `enqueue: false` leaves it for an in-process run (CLI). */
  @RecordsLifecycle<{ render: RenderEntity; created: boolean }>('render', 'queued', (r) => (r.created ? r.render.id : undefined), {
    details: (r) => ({ story: r.render.storyId, faces: Object.values(r.render.faces).flat().length }),
  })
  async create(req: RenderRequest, options: { enqueue?: boolean } = {}): Promise<{ render: RenderEntity; created: boolean }> {
    if (!isStorySlug(req.storyId)) throw new TalecastError('STORY_NOT_FOUND', 'no such story');
    const story = await this.stories.findOneBy({ id: req.storyId });
    if (!story) throw new TalecastError('STORY_NOT_FOUND', 'no such story');
    if (story.status !== 'ready')
      throw new TalecastError('STORY_NOT_READY', `the story is ${story.status === 'failed' ? 'broken (its precompute failed)' : 'not ready yet'}`);
    const roles = new Set(story.roles.map((r) => r.name));
    const faces: Record<string, string[]> = {};
    for (const [role, ids] of Object.entries(req.faces ?? {})) {
      if (!roles.has(role)) throw new TalecastError('BAD_REQUEST', `the story has no role "${String(role).slice(0, 32)}"`);
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > 5) throw new TalecastError('BAD_REQUEST', `faces.${role} must list 1 to 5 face ids`);
      for (const id of ids) {
        if (!isRandomId(id)) throw new TalecastError('FACE_MISSING', 'no such face');
        const face = await this.faceUploads.find(id).catch(() => undefined);
        if (!face) throw new TalecastError('FACE_MISSING', 'no such face');
        if (face.status !== 'ready' || face.expiresAt.getTime() <= Date.now())
          throw new TalecastError('FACE_EXPIRED', 'a face has expired or was deleted; upload the photo again');
      }
      faces[role] = [...ids];
    }
    if (Object.keys(faces).length === 0) throw new TalecastError('BAD_REQUEST', 'give at least one face: {"faces": {"hero": ["<faceId>"]}}');
    if (
      req.voices !== undefined &&
      (typeof req.voices !== 'object' || req.voices === null || Array.isArray(req.voices) || Object.keys(req.voices).length > 200)
    )
      throw new TalecastError('BAD_REQUEST', 'voices must be an object of line id → recording id');
    const voices = await this.recordings.checkForRender(req.storyId, req.voices ?? {});
    const card = titleCardRequest(req);

    const requestKey = createHash('sha256')
      .update(JSON.stringify([req.storyId, Object.entries(faces).sort(), Object.entries(voices).sort(), ...(card.childName ? [card] : [])]))
      .digest('hex');
    const render = this.renders.create({
      id: newId(),
      storyId: req.storyId,
      faces,
      voices,
      ...card,
      requestKey,
      status: 'queued',
      progress: 0,
      segmentsDone: 0,
      segmentsTotal: story.segmentCount ?? 0,
    });
    // The same request made twice at once: a lock on its key is taken before the duplicate check,
    // so the second waits for the first's insert and finds it. Capacity is counted under one
    // cluster-wide lock so a burst cannot overshoot the bound.
    const recent = await this.renders.manager.transaction(async (m) => {
      await advisoryTransactionLock(m, `talecast:render-request:${requestKey}`);
      const existing = await m.getRepository(RenderEntity).findOne({
        where: { requestKey, status: In(['queued', 'rendering', 'done']), createdAt: MoreThan(new Date(Date.now() - 60_000)) },
        order: { createdAt: 'DESC' },
      });
      if (existing) return existing;
      if (options.enqueue !== false) {
        await advisoryTransactionLock(m, 'talecast:render-capacity');
        const active = await m.getRepository(RenderEntity).countBy({ status: In([...ACTIVE]) });
        if (active >= this.config.maxQueuedRenders)
          throw new TalecastError('BUSY', 'too many videos are being made right now; try again in a minute', { retryAfter: 30 });
      }
      await m.getRepository(RenderEntity).insert(render);
      return undefined;
    });
    if (recent) return { render: recent, created: false };
    if (options.enqueue !== false) {
      try {
        await this.queue.send('render', { renderId: render.id }, { singletonKey: `${render.id}:0` });
      } catch (err) {
        await this.renders.update(
          { id: render.id },
          {
            status: 'failed',
            error: 'the video could not be queued',
            errorCode: 'UNAVAILABLE',
            finishedAt: new Date(),
            expiresAt: new Date(Date.now() + this.config.retention.failedRenderSeconds * 1000),
          },
        );
        throw new TalecastError('UNAVAILABLE', 'the render queue is unavailable; try again shortly', { retryAfter: 10 });
      }
    }
    return { render: (await this.renders.findOneBy({ id: render.id }))!, created: true };
  }

  async find(id: string): Promise<RenderEntity> {
    if (!isRandomId(id)) throw new TalecastError('RENDER_NOT_FOUND', 'no such render');
    const render = await this.renders.findOneBy({ id });
    if (!render) throw new TalecastError('RENDER_NOT_FOUND', 'no such render');
    return render;
  }

  /** A render a parent may still see: deleted, cancelled, purged or expired ones are not found. */
  async findLive(id: string): Promise<RenderEntity> {
    const render = await this.find(id);
    if (GONE.includes(render.status) || (render.expiresAt && render.expiresAt.getTime() <= Date.now()))
      throw new TalecastError('RENDER_NOT_FOUND', 'no such render');
    return render;
  }

  view(r: RenderEntity) {
    const available = r.status === 'done';
    const hlsReady = ['rendering', 'done'].includes(r.status) && r.timings?.firstHlsAt !== undefined;
    return {
      id: r.id,
      storyId: r.storyId,
      faces: r.faces,
      voices: r.voices ?? {},
      status: r.status,
      progress: r.progress,
      segmentsDone: r.segmentsDone,
      segmentsTotal: r.segmentsTotal,
      hlsReady,
      etaSeconds: eta(r),
      timings: r.timings,
      // A reason code and a plain sentence; paths and system errors stay in the server log.
      error: r.error ? { code: r.errorCode ?? 'RENDER_FAILED', message: r.error } : null,
      createdAt: r.createdAt.toISOString(),
      startedAt: r.startedAt?.toISOString() ?? null,
      finishedAt: r.finishedAt?.toISOString() ?? null,
      expiresAt: r.expiresAt?.toISOString() ?? null,
      videoUrl: available ? `/api/renders/${r.id}/video.mp4` : null,
      hlsUrl: hlsReady ? `/api/renders/${r.id}/hls/index.m3u8` : null,
      statusUrl: `/api/renders/${r.id}`,
      eventsUrl: `/api/renders/${r.id}/events`,
    };
  }

  async describe(id: string) {
    const r = await this.findLive(id);
    return { ...this.view(r), events: await this.lifecycle.history('render', r.id) };
  }

  /** The finished video's path (409 while it is not done). */
  async videoFile(id: string): Promise<{ file: string; render: RenderEntity }> {
    const r = await this.findLive(id);
    if (r.status !== 'done')
      throw new TalecastError(
        'RENDER_NOT_READY',
        r.status === 'rendering' || r.status === 'queued' ? 'the video is still being made' : `the video is ${r.status}`,
      );
    return { file: this.storage.renderFile(id, 'video.mp4'), render: r };
  }

  /** A file of the render's HLS stream (playlist or segment). */
  async hlsFile(id: string, name: string, signal?: AbortSignal): Promise<string> {
    let r = await this.findLive(id);
    if (name !== 'index.m3u8' && !/^seg-\d{4}\.ts$/.test(name)) throw new TalecastError('NOT_FOUND', 'not found');
    const file = this.storage.renderFile(id, 'hls', name);
    if (name === 'index.m3u8' && ACTIVE.some((s) => s === r.status)) r = await this.waitForPlaylist(r, file, signal);
    if (!['rendering', 'done'].includes(r.status)) throw new TalecastError('RENDER_NOT_READY', 'the stream is not available');
    return file;
  }

  /** Waits while the render is queued or rendering and `file` does not exist yet (see PLAYLIST_WAIT_MS); the row as it is then. */
  private async waitForPlaylist(r: RenderEntity, file: string, signal?: AbortSignal): Promise<RenderEntity> {
    const until = Date.now() + PLAYLIST_WAIT_MS;
    let rowRead = Date.now();
    while (!(await exists(file)) && Date.now() < until && !signal?.aborted) {
      await new Promise((resolve) => setTimeout(resolve, PLAYLIST_POLL_MS));
      if (Date.now() - rowRead < 500) continue;
      r = await this.findLive(r.id); // deleted meanwhile: 404
      rowRead = Date.now();
      if (!ACTIVE.some((s) => s === r.status)) return r;
    }
    return this.findLive(r.id);
  }

  /**
   * A download of the finished video began (the controller streams it and calls this for a
   * request from byte 0). Recorded directly: there is no service method the decorator could wrap.
   */
  async recordDownload(id: string): Promise<void> {
    await this.lifecycle.record('render', id, 'downloaded', {});
  }

  /** The parent deletes the video now: a running render is cancelled first; files, then the row. */
  @RecordsLifecycle<{ id: string; bytes: number }>('render', 'deleted-by-parent', (r) => r.id, { details: (r) => ({ bytesFreed: r.bytes }) })
  async remove(id: string): Promise<{ id: string; bytes: number }> {
    const r = await this.find(id);
    if (GONE.includes(r.status)) throw new TalecastError('RENDER_NOT_FOUND', 'this video has already been deleted');
    // Marking the row first makes a worker rendering it stop between frames (it watches the row).
    // The child's name goes with it.
    await this.renders.update({ id }, { status: 'deleted', purgedAt: new Date(), childName: null });
    const dir = this.storage.renderDir(id);
    const bytes = await treeSize(dir);
    await removeTree(dir);
    await this.renders.update({ id }, { bytes: 0 });
    // The child's recordings go with the video they were made for.
    await this.recordings.removeAll(Object.values(r.voices ?? {}));
    return { id, bytes };
  }

  /**
   * A queued or running render nobody waits for any more (the command that asked for it stopped):
   * cancelled with its reason and a lifecycle event, the child's name dropped, its files removed.
   * A worker rendering it stops between frames (it watches the row). False if it had already ended.
   */
  async cancel(id: string, reason: string): Promise<boolean> {
    const now = new Date();
    const cancelled = await this.renders.manager.transaction(async (m) => {
      const r = await m.getRepository(RenderEntity).update(
        { id, status: In([...ACTIVE]) },
        {
          status: 'cancelled',
          finishedAt: now,
          expiresAt: now,
          error: 'the command that asked for it stopped',
          errorCode: reason.slice(0, 32),
          childName: null,
        },
      );
      if (r.affected) await this.lifecycle.record('render', id, 'cancelled', { reason }, m);
      return Boolean(r.affected);
    });
    if (cancelled) {
      await removeTree(this.storage.renderDir(id));
      await this.renders.update({ id }, { bytes: 0 });
    }
    return cancelled;
  }

  /**
   * The parent deletes a face: every queued or running render using it is cancelled first (its
   * worker watches the row and stops between frames; whatever it wrote is removed), each with a
   * lifecycle event, then the face's files and row go.
   */
  async removeFace(faceId: string): Promise<{ id: string; bytes: number; cancelledRenders: number }> {
    await this.faceUploads.findLive(faceId).catch(async (err) => {
      // An expired face not yet purged may still be deleted by its parent; a deleted one is a 404.
      const face = await this.faceUploads.find(faceId);
      if (face.status !== 'ready') throw err;
    });
    const now = new Date();
    const cancelled: string[] = await this.renders.manager.transaction(async (m) => {
      const rows: { id: string }[] = await m
        .query(
          `UPDATE render SET status = 'cancelled', "finishedAt" = $2, "expiresAt" = $2, error = 'a photo it used was deleted', "errorCode" = 'FACE_DELETED', "childName" = NULL
          WHERE status IN ('queued', 'rendering')
            AND EXISTS (SELECT 1 FROM jsonb_each(faces) AS role, jsonb_array_elements_text(role.value) AS face WHERE face = $1)
          RETURNING id`,
          [faceId, now],
        )
        .then((r: [{ id: string }[], number] | { id: string }[]) => (Array.isArray(r[0]) ? (r[0] as { id: string }[]) : (r as { id: string }[])));
      for (const { id } of rows) await this.lifecycle.record('render', id, 'cancelled', { reason: 'FACE_DELETED' }, m);
      return rows.map((r) => r.id);
    });
    for (const id of cancelled) {
      await removeTree(this.storage.renderDir(id));
      await this.renders.update({ id }, { bytes: 0 });
    }
    const removed = await this.faceUploads.remove(faceId);
    return { ...removed, cancelledRenders: cancelled.length };
  }
}

/** The title card's part of a request: the checked name (none → no card) and the language ('en' unless 'ko'). */
function titleCardRequest(req: RenderRequest): { childName: string | null; language: string } {
  const name = checkChildName(req.childName);
  if (!name.ok) throw new TalecastError('INVALID_NAME', name.problem);
  if (req.language !== undefined && !isCardLanguage(req.language)) throw new TalecastError('BAD_REQUEST', 'language must be "en" or "ko"');
  return { childName: name.name, language: req.language ?? 'en' };
}

function eta(r: RenderEntity): number | null {
  if (r.status !== 'rendering' || !r.startedAt || r.progress <= 0.02) return null;
  const elapsed = (Date.now() - r.startedAt.getTime()) / 1000;
  return Math.max(0, Math.round((elapsed / r.progress) * (1 - r.progress)));
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
