import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulerRegistry } from '@nestjs/schedule';
import type { DataSource } from 'typeorm';
import { loadConfig } from '@talecast/config';
import type { JobQueue } from '@talecast/queue';
import { PURGE_INTERVAL_NAME, PURGE_JOB_KEY, PURGE_TICK_LOCK, PurgeScheduler } from './purge.scheduler';

/**
 * A database whose advisory locks are a set shared by its connections (held by `holder` when
 * another process has the lock), and a queue that records what was sent; `send` waits for
 * `release()` when `slow`, and throws when `failing`.
 */
function world(o: { heldElsewhere?: boolean; slow?: boolean } = {}) {
  const held = new Set<string>(o.heldElsewhere ? [PURGE_TICK_LOCK] : []);
  const log: string[] = [];
  let open = 0;
  let failing = false;
  let release: () => void = () => undefined;
  const dataSource = {
    createQueryRunner: () => ({
      connect: async () => void open++,
      release: async () => void open--,
      query: async (sql: string, params: unknown[]) => {
        const name = String(params[0]);
        if (sql.includes('pg_try_advisory_lock')) {
          const taken = !held.has(name);
          if (taken) held.add(name);
          log.push(`lock ${name} ${taken}`);
          return [{ taken }];
        }
        if (sql.includes('pg_advisory_unlock')) {
          held.delete(name);
          log.push(`unlock ${name}`);
          return [{}];
        }
        throw new Error(`unexpected SQL ${sql}`);
      },
    }),
  } as unknown as DataSource;
  const queue = {
    send: async (name: string, data: object, options: { singletonKey?: string }) => {
      log.push(`send ${name} ${JSON.stringify(data)} key=${options.singletonKey}`);
      if (o.slow) await new Promise<void>((r) => (release = r));
      if (failing) throw new Error('database down');
      return 'job-1';
    },
  } as unknown as JobQueue;
  return { dataSource, queue, log, held, open: () => open, fail: (f: boolean) => (failing = f), finish: () => release() };
}

const scheduler = (w: ReturnType<typeof world>, registry = new SchedulerRegistry(), env: Record<string, string> = {}) =>
  new PurgeScheduler(loadConfig(env), registry, w.queue, w.dataSource);

describe('PurgeScheduler', () => {
  test('a tick takes the tick lock, enqueues one singleton purge job and releases the lock and connection', async () => {
    const w = world();
    assert.equal(await scheduler(w).tick(), 'enqueued');
    assert.deepEqual(w.log, [`lock ${PURGE_TICK_LOCK} true`, `send purge {} key=${PURGE_JOB_KEY}`, `unlock ${PURGE_TICK_LOCK}`]);
    assert.equal(w.held.size, 0);
    assert.equal(w.open(), 0);
  });

  test('a tick while another process holds the tick lock enqueues nothing', async () => {
    const w = world({ heldElsewhere: true });
    assert.equal(await scheduler(w).tick(), 'locked');
    assert.deepEqual(w.log, [`lock ${PURGE_TICK_LOCK} false`]);
    assert.ok(w.held.has(PURGE_TICK_LOCK), 'the other process keeps its lock');
    assert.equal(w.open(), 0);
  });

  test('a tick while this process is still enqueuing is skipped, not queued', async () => {
    const w = world({ slow: true });
    const s = scheduler(w);
    const first = s.tick();
    assert.notEqual(first, 'busy');
    assert.equal(s.tick(), 'busy');
    while (!w.log.some((l) => l.startsWith('send'))) await new Promise((r) => setImmediate(r));
    w.finish();
    assert.equal(await first, 'enqueued');
    assert.equal(w.log.filter((l) => l.startsWith('send')).length, 1);
  });

  test('a failed enqueue is reported, releases the lock, and the next tick enqueues again', async () => {
    const w = world();
    const s = scheduler(w);
    w.fail(true);
    assert.equal(await s.tick(), 'failed');
    assert.equal(w.held.size, 0, 'the tick lock is released after a failure');
    assert.equal(w.open(), 0);
    w.fail(false);
    assert.equal(await s.tick(), 'enqueued');
  });

  test('registers its interval and removes it on shutdown', async () => {
    const registry = new SchedulerRegistry();
    const s = scheduler(world(), registry, { TALECAST_PURGE_INTERVAL: '1h' });
    s.onApplicationBootstrap();
    assert.deepEqual(registry.getIntervals(), [PURGE_INTERVAL_NAME]);
    await s.beforeApplicationShutdown();
    assert.deepEqual(registry.getIntervals(), []);
  });
});
