// The embedded PostgreSQL default: starts, migrates, survives a restart with its data, and is
// reused (not started twice) by a second process on the same data folder.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@talecast/config';
import { Database, StoryEntity, startEmbeddedPostgres } from '@talecast/persistence';
import { createTestDatabase, tempDir } from '@talecast/testing';

describe('embedded PostgreSQL', async () => {
  const dir = await tempDir();
  after(() => dir.cleanup());

  test('first start initialises and migrates; a second start reuses the data', async () => {
    const config = loadConfig({ TALECAST_STATE_DIR: `${dir.path}/state` });
    const first = await Database.open(config);
    assert.equal(first.mode, 'embedded');
    const tables = await first.dataSource.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`);
    assert.deepEqual(tables.map((t: { table_name: string }) => t.table_name), ['face', 'lifecycle_event', 'render', 'story', 'typeorm_migrations']);
    await first.dataSource.getRepository(StoryEntity).insert({ id: 'kept-story', title: 'Kept', status: 'pending' });
    await first.close();

    const second = await Database.open(config);
    const kept = await second.dataSource.getRepository(StoryEntity).findOneBy({ id: 'kept-story' });
    assert.equal(kept?.title, 'Kept');
    const migrations = await second.dataSource.query('SELECT count(*)::int AS n FROM typeorm_migrations');
    assert.equal(migrations[0].n, 2, 'migrations are not applied twice');

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
