import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerRegistry } from '@nestjs/schedule';
import { loadConfig } from '@talecast/config';
import { PurgeScheduler, PURGE_INTERVAL_NAME } from './purge.scheduler';
import { emptyPurgeReport, PurgeReport } from './purge-report';
import type { PurgeService } from './purge.service';

/** A purge that finishes only when told to, counting its runs. */
function slowPurge() {
  let release!: () => void;
  let runs = 0;
  const service = {
    run: () => {
      runs++;
      return new Promise<PurgeReport>((resolve) => (release = () => resolve(emptyPurgeReport(false))));
    },
  } as unknown as PurgeService;
  return { service, runs: () => runs, finish: () => release() };
}

describe('PurgeScheduler', () => {
  test('a tick while this process is still purging is skipped, not queued', async () => {
    const purge = slowPurge();
    const scheduler = new PurgeScheduler(loadConfig({}), new SchedulerRegistry(), purge.service);
    const first = scheduler.tick();
    assert.notEqual(first, 'busy');
    assert.equal(scheduler.tick(), 'busy');
    assert.equal(purge.runs(), 1);
    purge.finish();
    await first;
    const third = scheduler.tick();
    assert.notEqual(third, 'busy', 'the next tick after the run ends starts a run');
    assert.equal(purge.runs(), 2);
    purge.finish();
    await third;
  });

  test('a failed run is reported and the next tick runs again', async () => {
    let runs = 0;
    const failing = {
      run: async () => {
        runs++;
        throw new Error('database down');
      },
    } as unknown as PurgeService;
    const scheduler = new PurgeScheduler(loadConfig({}), new SchedulerRegistry(), failing);
    assert.equal(await scheduler.tick(), undefined);
    assert.equal(await scheduler.tick(), undefined);
    assert.equal(runs, 2);
  });

  test('registers its interval and removes it on shutdown', async () => {
    const registry = new SchedulerRegistry();
    const scheduler = new PurgeScheduler(loadConfig({ TALECAST_PURGE_INTERVAL: '1h' }), registry, slowPurge().service);
    scheduler.onApplicationBootstrap();
    assert.deepEqual(registry.getIntervals(), [PURGE_INTERVAL_NAME]);
    await scheduler.beforeApplicationShutdown();
    assert.deepEqual(registry.getIntervals(), []);
  });
});
