// The `purge` job of the queue: one purge run in whichever worker takes it. Registered by the
// worker and all roles (like the render and precompute handlers) before the workers start. Its
// expected outcomes are statuses, never errors: a run skipped because someone else holds the
// purge lock (the CLI, say) ends the job as 'skipped'. Only an unexpected failure (the database
// gone) throws; the job is not retried, the next tick enqueues a fresh run.
import { Inject, Injectable } from '@nestjs/common';
import { JobQueue } from '@talecast/queue';
import { PurgeService } from './purge.service';
import { purgeTotals } from './purge-report';

/** What a purge job ended with (kept by pg-boss as the job's output). */
export type PurgeJobOutcome = { status: 'skipped' } | { status: 'purged'; subjects: number; orphans: number; bytes: number; failed: number };

@Injectable()
export class PurgeJobs {
  constructor(
    @Inject(PurgeService) private readonly purge: PurgeService,
    @Inject(JobQueue) private readonly queue: JobQueue,
  ) {}

  /** Registers the job handler (call before JobQueue.startWorkers). */
  register(): void {
    this.queue.register('purge', () => this.handle(), 1);
  }

  /** Runs one purge; the outcome says whether it ran and what it removed. */
  async handle(): Promise<PurgeJobOutcome> {
    const report = await this.purge.run();
    if (report.skipped) return { status: 'skipped' };
    return { status: 'purged', ...purgeTotals(report), failed: report.failed.length };
  }
}
