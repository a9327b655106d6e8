// The purge tick of the API and worker processes: every `purgeIntervalSeconds` it enqueues one
// `purge` job; the work runs in a worker (PurgeJobs). The tick only enqueues, once per cluster:
// it takes the cluster-wide tick lock (an advisory lock, libs/persistence advisory-lock.ts) and
// sends the job with a singleton key on a 'stately' queue, so ticks of several processes never
// queue two. A tick that comes while this process is still enqueuing is skipped. It must never
// purge anything itself, keep the process alive, or outlive its database (shutdown waits for
// the tick in flight).
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { advisoryUnlock, tryAdvisoryLock } from '@talecast/persistence';
import { JobQueue } from '@talecast/queue';

export const PURGE_INTERVAL_NAME = 'talecast-purge';

/** The tick's advisory lock: one process enqueues at a time. */
export const PURGE_TICK_LOCK = 'talecast:purge-tick';

/** Singleton key of the purge job: at most one waiting in the cluster. */
export const PURGE_JOB_KEY = 'purge';

/** enqueued: a job was queued; already-queued: one was waiting; locked: another process was enqueuing; failed: see the log. */
export type PurgeTickOutcome = 'enqueued' | 'already-queued' | 'locked' | 'failed';

@Injectable()
export class PurgeScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PurgeScheduler');
  private running: Promise<PurgeTickOutcome> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SchedulerRegistry) private readonly registry: SchedulerRegistry,
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(DataSource) private readonly dataSource: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    const every = Math.max(100, Math.round(this.config.purgeIntervalSeconds * 1000));
    const handle = setInterval(() => void this.tick(), every);
    handle.unref();
    this.registry.addInterval(PURGE_INTERVAL_NAME, handle);
  }

  /** Enqueues a purge job unless this process is still enqueuing; resolves with the outcome, or 'busy'. */
  tick(): Promise<PurgeTickOutcome> | 'busy' {
    if (this.running) {
      this.logger.debug('purge tick skipped: the previous tick is still enqueuing');
      return 'busy';
    }
    const run = this.enqueue().catch((err) => {
      // Nothing is lost: the next tick enqueues again.
      this.logger.warn(`purge tick failed: ${(err as Error).message.split('\n')[0]}`);
      return 'failed' as const;
    });
    this.running = run.finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async enqueue(): Promise<PurgeTickOutcome> {
    const conn = this.dataSource.createQueryRunner();
    await conn.connect();
    try {
      if (!(await tryAdvisoryLock(conn, PURGE_TICK_LOCK))) return 'locked';
      try {
        const id = await this.queue.send('purge', {}, { singletonKey: PURGE_JOB_KEY });
        return id ? 'enqueued' : 'already-queued';
      } finally {
        await advisoryUnlock(conn, PURGE_TICK_LOCK);
      }
    } finally {
      await conn.release();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', PURGE_INTERVAL_NAME)) this.registry.deleteInterval(PURGE_INTERVAL_NAME);
    await this.running;
  }
}
