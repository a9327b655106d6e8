// Database.open's check before the migration lock: a database whose migrations table lists every
// migration of this build is opened without running them; a missing row is applied again.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@talecast/config';
import { Database, MIGRATIONS } from '@talecast/persistence';
import { tempDir } from '@talecast/testing';

describe('migrations check at open', async () => {
  const dir = await tempDir();
  after(() => dir.cleanup());
  const config = loadConfig({ TALECAST_STATE_DIR: `${dir.path}/state` });

  test('a fresh cluster is migrated; with every migration applied, the next open runs none', async () => {
    const first: string[] = [];
    await (await Database.open(config, (line) => first.push(line))).close();
    assert.equal(first.filter((l) => l.startsWith('migration applied')).length, MIGRATIONS.length);
    const lines: string[] = [];
    const db = await Database.open(config, (line) => lines.push(line));
    try {
      assert.deepEqual(
        lines.filter((l) => l.startsWith('migration applied')),
        [],
      );
      const [{ n }] = await db.dataSource.query('SELECT count(*)::int AS n FROM typeorm_migrations');
      assert.equal(n, MIGRATIONS.length);
    } finally {
      await db.close();
    }
  });

  test('a missing migration row is applied again: the check reads the table', async () => {
    const first = await Database.open(config);
    const last = new MIGRATIONS[MIGRATIONS.length - 1]();
    // Undo what the last migration did and forget it, so that it can run again.
    const runner = first.dataSource.createQueryRunner();
    try {
      await last.down(runner);
    } finally {
      await runner.release();
    }
    await first.dataSource.query('DELETE FROM typeorm_migrations WHERE name = $1', [last.name]);
    await first.close();
    const lines: string[] = [];
    const again = await Database.open(config, (line) => lines.push(line));
    try {
      assert.deepEqual(
        lines.filter((l) => l.startsWith('migration applied')),
        [`migration applied: ${last.name}`],
      );
    } finally {
      await again.close();
    }
  });
});
