// The durable job queue: pg-boss on the application's PostgreSQL, so any number of worker
// processes on any number of machines share the work. A typed registry of job names with
// exactly one handler each, checked when workers start. Handlers must be idempotent.
// A new job wakes the workers at once instead of at their next poll: workers in this process
// directly, workers in other processes through PostgreSQL's LISTEN/NOTIFY (JobWakeups); the
// poll stays as the fallback when a notification is lost.
import { Global, Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import PgBoss from 'pg-boss';
import { JobWakeups, WAKEUP_CHANNEL } from './job-wakeups';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { advisoryLock, advisoryUnlock, Database } from '@talecast/persistence';

export interface JobPayloads {
  render: { renderId: string };
  /** Files are names under `state/incoming` of the shared data volume. */
  precompute: { storyId: string; video: string; masks: string; lines?: string; stems?: Record<string, string>; title?: string; style?: 'photo' | 'toon' };
  /** One purge run (libs/purge); enqueued by the purge tick, at most one waiting in the cluster. */
  purge: Record<string, never>;
}
export type JobName = keyof JobPayloads;
export const JOB_NAMES: JobName[] = ['render', 'precompute', 'purge'];

/** Retries with backoff; expiry longer than the longest render. */
const QUEUE_OPTIONS: Record<JobName, { retryLimit: number; retryDelay: number; retryBackoff: boolean; expireInSeconds: number }> = {
  render: { retryLimit: 3, retryDelay: 5, retryBackoff: true, expireInSeconds: 2 * 3600 },
  // Input failures end on the story row without a retry; a job whose process died runs again after its expiry.
  precompute: { retryLimit: 2, retryDelay: 30, retryBackoff: true, expireInSeconds: 3600 },
  // No retry: the next tick enqueues a fresh run (every purge step is idempotent).
  purge: { retryLimit: 0, retryDelay: 0, retryBackoff: false, expireInSeconds: 1800 },
};

/** pg-boss queue policy: 'stately' keeps at most one job waiting and one running per singleton key. */
const QUEUE_POLICY: Record<JobName, 'standard' | 'stately'> = { render: 'standard', precompute: 'standard', purge: 'stately' };

/** A handler ends the job; what it returns (a status object, or nothing) is kept as the job's output. */
export type JobHandler<N extends JobName> = (data: JobPayloads[N]) => Promise<object | void>;

@Injectable()
export class JobQueue implements OnApplicationShutdown {
  private readonly logger = new Logger('JobQueue');
  private boss: PgBoss | undefined;
  private starting: Promise<PgBoss> | undefined;
  private readonly handlers = new Map<JobName, { handler: (data: object) => Promise<object | void>; concurrency: number }>();
  /** pg-boss worker ids of this process, per job name. */
  private readonly workerIds = new Map<JobName, string[]>();
  private wakeups: JobWakeups | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: Database,
  ) {}

  private async started(): Promise<PgBoss> {
    this.starting ??= (async () => {
      const boss = new PgBoss({
        connectionString: this.database.url,
        schema: 'pgboss',
        max: 4,
        supervise: true,
        schedule: false,
        migrate: true,
        maintenanceIntervalSeconds: 30,
      });
      boss.on('error', (err) => this.logger.warn(`queue: ${err.message}`));
      // Processes starting together (an api and scaled workers) set the queues up one at a time:
      // pg-boss's create_queue is not locked, and concurrent partition creation deadlocks.
      const setup = this.database.dataSource.createQueryRunner();
      await setup.connect();
      try {
        await advisoryLock(setup, 'talecast:queue-setup');
        await boss.start();
        for (const name of JOB_NAMES) {
          const existing = await boss.getQueue(name);
          if (!existing) await boss.createQueue(name, { name, policy: QUEUE_POLICY[name], ...QUEUE_OPTIONS[name] });
        }
      } finally {
        await advisoryUnlock(setup, 'talecast:queue-setup');
        await setup.release();
      }
      this.boss = boss;
      return boss;
    })().catch((err) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  async send<N extends JobName>(name: N, data: JobPayloads[N], options: { singletonKey?: string } = {}): Promise<string | null> {
    const boss = await this.started();
    const id = await boss.send(name, data as object, { ...QUEUE_OPTIONS[name], ...options });
    if (id) {
      this.wake(name);
      await this.database.dataSource
        .query(`SELECT pg_notify($1, $2)`, [WAKEUP_CHANNEL, name])
        .catch((err: Error) => this.logger.debug(`notify: ${err.message}`));
    }
    return id;
  }

  /** Ends the poll wait of this process's workers of a job name (they fetch at once). */
  private wake(name: string): void {
    const boss = this.boss;
    for (const id of this.workerIds.get(name as JobName) ?? []) boss?.notifyWorker(id);
  }

  /** Registers the one handler of a job name (a second registration is a programming error). */
  register<N extends JobName>(name: N, handler: JobHandler<N>, concurrency = 1): void {
    if (this.handlers.has(name)) throw new Error(`job ${name} already has a handler`);
    this.handlers.set(name, { handler: (data) => handler(data as JobPayloads[N]), concurrency });
  }

  /** Starts taking jobs; every job name must have exactly one handler. */
  async startWorkers(): Promise<void> {
    const missing = JOB_NAMES.filter((n) => !this.handlers.has(n));
    if (missing.length) throw new Error(`no handler registered for job(s): ${missing.join(', ')}`);
    const boss = await this.started();
    for (const [name, { handler, concurrency }] of this.handlers) {
      for (let i = 0; i < concurrency; i++) {
        const id = await boss.work(name, { batchSize: 1, pollingIntervalSeconds: 1 }, async (jobs: PgBoss.Job<object>[]) => {
          let output: object | void = undefined;
          for (const job of jobs) output = await handler(job.data);
          return output; // batchSize 1: pg-boss stores it as the job's output
        });
        this.workerIds.set(name, [...(this.workerIds.get(name) ?? []), id]);
      }
    }
    this.wakeups ??= new JobWakeups(
      this.database.url,
      (name) => this.wake(name),
      (message) => this.logger.debug(message),
    );
    await this.wakeups.start();
    this.logger.log(`taking jobs: ${[...this.handlers.keys()].join(', ')}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.wakeups?.stop();
    const boss = this.boss;
    this.boss = undefined;
    await boss?.stop({ graceful: true, wait: true, timeout: 10_000, close: true }).catch(() => undefined);
  }
}

@Global()
@Module({ providers: [JobQueue], exports: [JobQueue] })
export class QueueModule {}
