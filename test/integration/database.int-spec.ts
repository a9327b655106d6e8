// The embedded PostgreSQL default: starts, migrates, survives a restart with its data, and is
// reused (not started twice) by a second process on the same data folder.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@talecast/config';
import { Database, MIGRATIONS, StoryEntity, startEmbeddedPostgres } from '@talecast/persistence';
import { createTestDatabase, tempDir } from '@talecast/testing';
import { JOB_NAMES, JobQueue, JobWakeups } from '@talecast/queue';

describe('embedded PostgreSQL', async () => {
  const dir = await tempDir();
  after(() => dir.cleanup());

  test('first start initialises and migrates; a second start reuses the data', async () => {
    const config = loadConfig({ TALECAST_STATE_DIR: `${dir.path}/state` });
    const first = await Database.open(config);
    assert.equal(first.mode, 'embedded');
    const tables = await first.dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    assert.deepEqual(
      tables.map((t: { table_name: string }) => t.table_name),
      ['face', 'lifecycle_event', 'recording', 'render', 'story', 'typeorm_migrations'],
    );
    await first.dataSource.getRepository(StoryEntity).insert({ id: 'kept-story', title: 'Kept', status: 'pending' });
    await first.close();

    const second = await Database.open(config);
    const kept = await second.dataSource.getRepository(StoryEntity).findOneBy({ id: 'kept-story' });
    assert.equal(kept?.title, 'Kept');
    const migrations = await second.dataSource.query('SELECT count(*)::int AS n FROM typeorm_migrations');
    assert.equal(migrations[0].n, MIGRATIONS.length, 'migrations are not applied twice');

    // While `second` runs the cluster, another start on the same folder connects to it.
    const third = await startEmbeddedPostgres({ dataDir: `${dir.path}/state/postgres`, database: 'talecast' });
    assert.equal(third.owned, false);
    await third.stop();
    assert.ok(await second.ping(), 'stopping a borrowed handle leaves the server running');
    await second.close();
  });
});

describe('schema', async () => {
  const db = await createTestDatabase();
  const { createDataSource } = await import('@talecast/persistence');
  const ds = createDataSource(db.url, 2);
  await ds.initialize();
  after(async () => {
    await ds.destroy();
    await db.drop();
  });

  test('the lifecycle log is append-only', async () => {
    await ds.query(`INSERT INTO lifecycle_event ("subjectKind", "subjectId", event) VALUES ('face', 'abc', 'uploaded')`);
    await assert.rejects(ds.query(`UPDATE lifecycle_event SET event = 'purged'`), /append-only/);
    await assert.rejects(ds.query(`DELETE FROM lifecycle_event`), /append-only/);
  });
});

describe('several processes starting together', async () => {
  const db = await createTestDatabase(false);
  after(() => db.drop());

  test('migrate a fresh database one at a time: every start succeeds, each migration runs once', async () => {
    const config = loadConfig({ DATABASE_URL: db.url });
    const applied: string[] = [];
    const opened = await Promise.all(Array.from({ length: 4 }, () => Database.open(config, (line) => applied.push(line))));
    try {
      const names = applied.filter((l) => l.startsWith('migration applied'));
      assert.ok(names.length > 0, 'the migrations ran');
      assert.equal(new Set(names).size, names.length, `each migration applied once: ${names.join('; ')}`);
      const [{ count }] = await opened[0].dataSource.query(`SELECT count(*)::int AS count FROM typeorm_migrations`);
      assert.equal(count, names.length);
    } finally {
      for (const d of opened) await d.close();
    }
  });
});

describe('the job queue', async () => {
  const db = await createTestDatabase(true);
  after(() => db.drop());

  test('several processes setting the queue up at once: all start, each job name has one queue', async () => {
    const config = loadConfig({ DATABASE_URL: db.url });
    const databases = await Promise.all(Array.from({ length: 3 }, () => Database.open(config)));
    const queues = databases.map((d) => new JobQueue(config, d));
    try {
      // send() sets the queue up on first use, as each process does when it starts.
      const ids = await Promise.all(queues.map((q, i) => q.send('render', { renderId: `concurrent-${i}` })));
      assert.equal(ids.filter(Boolean).length, 3, 'every process could queue a job');
      const rows: { name: string }[] = await databases[0].dataSource.query(`SELECT name FROM pgboss.queue ORDER BY name`);
      assert.deepEqual(
        rows.map((r) => r.name),
        [...JOB_NAMES].sort(),
      );
    } finally {
      for (const q of queues) await q.onApplicationShutdown();
      for (const d of databases) await d.close();
    }
  });

  test('a job sent by one process wakes the listening workers of another (LISTEN/NOTIFY)', async () => {
    const config = loadConfig({ DATABASE_URL: db.url });
    const database = await Database.open(config);
    const queue = new JobQueue(config, database);
    const heard: string[] = [];
    const wakeups = new JobWakeups(
      db.url,
      (name) => heard.push(name),
      () => undefined,
    );
    try {
      await wakeups.start();
      assert.ok(await queue.send('render', { renderId: 'wake-me' }));
      for (let i = 0; i < 100 && !heard.includes('render'); i++) await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(heard, ['render']);
      await wakeups.stop();
      assert.ok(await queue.send('precompute', { storyId: 'x', video: 'v', masks: 'm' }));
      await new Promise((r) => setTimeout(r, 300));
      assert.deepEqual(heard, ['render'], 'nothing is heard after stop');
    } finally {
      await wakeups.stop();
      await queue.onApplicationShutdown();
      await database.close();
    }
  });
});
