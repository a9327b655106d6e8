// Precompute as a queued job: the API (any role) stores the uploaded video and masks on the data
// volume and queues a `precompute` job; a process in the `worker` or `all` role takes it. So an
// `api` process never analyses video, and precompute scales with the render workers.
//
// The job names its files relative to `state/incoming` (api and worker containers may mount the
// volume at different paths) and under the story's name, so a newer upload of the same story
// supersedes a queued or abandoned one: the older job finds its files gone and does nothing. A
// story is busy (409) only while a live worker runs it (it holds the story's advisory lock).
import { Inject, Injectable, Logger } from '@nestjs/common';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DataSource, Repository } from 'typeorm';
import { TalecastError } from '@talecast/core/talecast-error';
import { advisoryTransactionLock, advisoryUnlock, STORY_REPOSITORY, StoryEntity, tryAdvisoryLock } from '@talecast/persistence';
import { newId, StorageCore } from '@talecast/storage';
import { JobPayloads, JobQueue } from '@talecast/queue';
import { PrecomputeService } from './precompute.service';
import { InvalidMasksError, parseMasksFile } from './masks-file';
import { FfmpegService } from '@talecast/video';
import { checkUploadedVoice } from '@talecast/voice';

export interface PrecomputeUpload {
  storyId: string;
  /** Files the upload was streamed to (moved under the job's names, or removed on refusal). */
  video: string;
  masks: string;
  /** The story's spoken lines (optional) and its dialogue stems, role → file (only with lines). */
  lines?: string;
  stems?: Record<string, string>;
  title?: string;
  style?: 'photo' | 'toon';
}

/** Every file of an upload. */
const uploadFiles = (u: PrecomputeUpload): string[] => [u.video, u.masks, ...(u.lines ? [u.lines] : []), ...Object.values(u.stems ?? {})];

@Injectable()
export class PrecomputeJobs {
  private readonly logger = new Logger('PrecomputeJobs');

  constructor(
    @Inject(STORY_REPOSITORY) private readonly stories: Repository<StoryEntity>,
    private readonly dataSource: DataSource,
    private readonly storage: StorageCore,
    private readonly queue: JobQueue,
    private readonly precompute: PrecomputeService,
    private readonly ffmpeg: FfmpegService,
  ) {}

  /**
   * A masks file, lines file or stem that is not valid is refused now (400 naming the field), not
   * after queueing; every file of the upload is removed then.
   */
  private async checkUpload(upload: PrecomputeUpload): Promise<void> {
    try {
      const roles = Object.keys(this.parseMasks(await fs.readFile(upload.masks, 'utf8')).roles);
      if (upload.lines || Object.keys(upload.stems ?? {}).length)
        await checkUploadedVoice({
          ffmpeg: await this.ffmpeg.locate(),
          lines: upload.lines,
          stems: upload.stems ?? {},
          maskRoles: roles,
          durationSeconds: await this.ffmpeg.probe(upload.video).then(
            (info) => info.durationSeconds || undefined,
            () => undefined, // not a video: the precompute refuses it with its own reason
          ),
        });
    } catch (err) {
      for (const f of uploadFiles(upload)) await fs.rm(f, { force: true });
      throw err;
    }
  }

  private parseMasks(text: string): ReturnType<typeof parseMasksFile> {
    try {
      return parseMasksFile(text);
    } catch (err) {
      if (err instanceof InvalidMasksError) throw new TalecastError('INVALID_MASKS', `the field "masks": ${err.message}`.slice(0, 1000), { field: 'masks' });
      throw err;
    }
  }

  private incoming(name: string): string {
    return this.storage.stateDir('incoming', name);
  }

  /**
   * Marks the story `precomputing` and queues its job; 409 STORY_BUSY while a live worker runs a
   * precompute of the same story. The uploaded files become the job's (or are removed when refused).
   */
  async enqueue(upload: PrecomputeUpload): Promise<void> {
    const { storyId } = upload;
    await this.checkUpload(upload);
    const token = newId();
    const names = jobFileNames(upload, `${storyId}--${token}`);
    const moves: [string, string][] = [
      [upload.video, names.video],
      [upload.masks, names.masks],
      ...(upload.lines && names.lines ? [[upload.lines, names.lines] as [string, string]] : []),
      ...Object.entries(upload.stems ?? {}).map(([role, file]) => [file, names.stems[role]] as [string, string]),
    ];
    try {
      await this.dataSource.transaction(async (tx) => {
        await advisoryTransactionLock(tx, `precompute:${storyId}`);
        if (!(await tryAdvisoryLock(tx, runLock(storyId)))) throw new TalecastError('STORY_BUSY', `story ${storyId} is already being precomputed`);
        await advisoryUnlock(tx, runLock(storyId));
        const repo = tx.getRepository(StoryEntity);
        const existing = await repo.findOneBy({ id: storyId });
        await this.supersede(storyId);
        for (const [from, name] of moves) await fs.rename(from, this.incoming(name));
        await repo.save({
          ...(existing ?? {}),
          id: storyId,
          title: upload.title ?? existing?.title ?? storyId,
          status: 'precomputing',
          progress: 0,
          error: null,
        } as StoryEntity);
      });
    } catch (err) {
      for (const [from, name] of moves) for (const f of [from, this.incoming(name)]) await fs.rm(f, { force: true });
      throw err;
    }
    try {
      await this.queue.send('precompute', {
        storyId,
        video: names.video,
        masks: names.masks,
        ...(names.lines ? { lines: names.lines, stems: names.stems } : {}),
        title: upload.title,
        style: upload.style,
      });
    } catch (err) {
      await this.supersede(storyId);
      await this.stories.update({ id: storyId }, { status: 'failed', error: 'the precompute could not be queued', progress: 0 }).catch(() => undefined);
      throw err;
    }
  }

  /** Removes the files of any earlier job of this story, so that job does nothing if it runs. */
  private async supersede(storyId: string): Promise<void> {
    const dir = this.storage.stateDir('incoming');
    const stale = (await fs.readdir(dir).catch(() => [] as string[])).filter((f) => f.startsWith(`${storyId}--`));
    for (const f of stale) await fs.rm(path.join(dir, f), { force: true });
  }

  /** Registers the job handler (call before JobQueue.startWorkers). */
  register(): void {
    this.queue.register('precompute', (job) => this.handle(job), 1);
  }

  /**
   * Runs one precompute job; idempotent. The outcome (ready or failed with the reason) is on the
   * story row — a failure of the input is not retried. Only a process that dies mid-job leaves it
   * to the queue, which runs it again after the job's expiry.
   */
  async handle(job: JobPayloads['precompute']): Promise<void> {
    const video = this.incoming(job.video);
    const masks = this.incoming(job.masks);
    const lines = job.lines ? this.incoming(job.lines) : undefined;
    const stems = Object.fromEntries(Object.entries(job.stems ?? {}).map(([role, name]) => [role, this.incoming(name)]));
    const files = [video, masks, ...(lines ? [lines] : []), ...Object.values(stems)];
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    let locked = false;
    try {
      // Under the story's enqueue lock, so an upload cannot supersede these files in between.
      await runner.startTransaction();
      await advisoryTransactionLock(runner, `precompute:${job.storyId}`);
      locked = await tryAdvisoryLock(runner, runLock(job.storyId));
      const present = locked && (await Promise.all(files.map(exists))).every(Boolean);
      await runner.commitTransaction();
      if (!locked) throw new Error(`story ${job.storyId} is being precomputed by another worker; retried later`);
      if (!present) {
        this.logger.log(`precompute ${job.storyId}: superseded by a newer upload, or already done`);
        return;
      }
      try {
        // The uploaded stems stand for the lines file's own (its relative paths mean nothing here).
        await this.precompute.run({ storyId: job.storyId, video, masks, ...(lines ? { lines, stems } : {}), title: job.title, style: job.style });
      } catch (err) {
        this.logger.warn(`precompute ${job.storyId} failed: ${(err as Error).message.split('\n')[0]}`);
      }
      for (const f of files) await fs.rm(f, { force: true });
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      if (locked) await advisoryUnlock(runner, runLock(job.storyId));
      await runner.release();
    }
  }
}

/** The job's names of an upload's files under `state/incoming` (all start with `<story>--<token>`). */
function jobFileNames(upload: PrecomputeUpload, prefix: string): { video: string; masks: string; lines?: string; stems: Record<string, string> } {
  return {
    video: `${prefix}.video`,
    masks: `${prefix}.masks`,
    lines: upload.lines ? `${prefix}.lines` : undefined,
    stems: Object.fromEntries(Object.keys(upload.stems ?? {}).map((role) => [role, `${prefix}.stem-${role}`])),
  };
}

/** Held by the worker running a story's precompute, on its own connection. */
const runLock = (storyId: string) => `precompute-run:${storyId}`;

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}
