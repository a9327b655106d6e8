// The purge tick of the API and worker processes: every `purgeIntervalSeconds` it starts one
// purge run. The tick only triggers; which process in the cluster actually purges is decided by
// the advisory lock inside PurgeService.run. A tick that comes while this process is still
// purging is skipped, never queued. It must never run two purges at once in one process, nor
// keep the process alive or outlive its database (shutdown waits for the run in flight).
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { PurgeService } from './purge.service';
import type { PurgeReport } from './purge-report';

export const PURGE_INTERVAL_NAME = 'talecast-purge';

@Injectable()
export class PurgeScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PurgeScheduler');
  private running: Promise<PurgeReport | undefined> | undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SchedulerRegistry) private readonly registry: SchedulerRegistry,
    @Inject(PurgeService) private readonly purge: PurgeService,
  ) {}

  onApplicationBootstrap(): void {
    const every = Math.max(100, Math.round(this.config.purgeIntervalSeconds * 1000));
    const handle = setInterval(() => void this.tick(), every);
    handle.unref();
    this.registry.addInterval(PURGE_INTERVAL_NAME, handle);
  }

  /** Starts a purge run unless one is still running here; resolves with its report, or 'busy'. */
  tick(): Promise<PurgeReport | undefined> | 'busy' {
    if (this.running) {
      this.logger.debug('purge tick skipped: the previous run is still going');
      return 'busy';
    }
    const run = this.purge.run().catch((err) => {
      // Nothing is lost: every step is idempotent and the next tick starts over.
      this.logger.warn(`purge run failed: ${(err as Error).message.split('\n')[0]}`);
      return undefined;
    });
    this.running = run.finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.registry.doesExist('interval', PURGE_INTERVAL_NAME)) this.registry.deleteInterval(PURGE_INTERVAL_NAME);
    await this.running;
  }
}
