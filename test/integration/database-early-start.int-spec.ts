// The CLI's early database start (libs/persistence/src/early-start.ts): the server started before
// Nest is loaded is the one Database.open uses, owns and stops; one nobody took is stopped; and a
// database whose migrations are all applied is opened without running them again.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '@talecast/config';
import { Database, MIGRATIONS, startDatabaseEarly, stopUntakenDatabase } from '@talecast/persistence';
import { tempDir } from '@talecast/testing';

/** The postmaster's pid from its pid file, or undefined when no server runs on the folder. */
async function postmasterPid(dataDir: string): Promise<number | undefined> {
  const text = await fs.readFile(path.join(dataDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const pid = text ? Number(text.split('\n')[0]) : NaN;
  if (!pid) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

describe('embedded PostgreSQL started early', async () => {
  const dir = await tempDir();
  after(() => dir.cleanup());
  const config = loadConfig({ TALECAST_STATE_DIR: `${dir.path}/state` });
  const dataDir = `${dir.path}/state/postgres`;

  test('Database.open takes the early server as its own: its log lines, its close stops it', async () => {
    startDatabaseEarly(config);
    const lines: string[] = [];
    const db = await Database.open(config, (line) => lines.push(line));
    assert.equal(db.mode, 'embedded');
    assert.ok(
      lines.some((l) => l.startsWith('embedded PostgreSQL started on port')),
      `the early start's lines are passed on: ${lines.join(' | ')}`,
    );
    assert.ok(
      lines.some((l) => l.startsWith('migration applied')),
      'a fresh cluster is migrated',
    );
    const pid = await postmasterPid(dataDir);
    assert.ok(pid, 'the server runs');
    await db.close();
    assert.equal(await postmasterPid(dataDir), undefined, 'the close stopped the server it took over');
  });

  test('with every migration applied, the next open runs none and the data is there', async () => {
    const lines: string[] = [];
    startDatabaseEarly(config);
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

  test('a missing migration row is applied again: the check reads the table, not a stamp', async () => {
    const first = await Database.open(config);
    const last = new MIGRATIONS[MIGRATIONS.length - 1]();
    const name = last.name;
    // Undo what the last migration did and forget it, so that it can run again.
    const runner = first.dataSource.createQueryRunner();
    try {
      await last.down(runner);
    } finally {
      await runner.release();
    }
    await first.dataSource.query('DELETE FROM typeorm_migrations WHERE name = $1', [name]);
    await first.close();
    const lines: string[] = [];
    const again = await Database.open(config, (line) => lines.push(line));
    try {
      assert.deepEqual(
        lines.filter((l) => l.startsWith('migration applied')),
        [`migration applied: ${name}`],
      );
    } finally {
      await again.close();
    }
  });

  test('a server started early that no Database.open took is stopped by stopUntakenDatabase', async () => {
    startDatabaseEarly(config);
    let pid: number | undefined;
    for (let i = 0; i < 300 && !pid; i++) {
      await new Promise((r) => setTimeout(r, 100));
      pid = await postmasterPid(dataDir);
    }
    assert.ok(pid, 'the early start ran the server');
    await stopUntakenDatabase();
    assert.equal(await postmasterPid(dataDir), undefined);
  });

  test('nothing is started early when DATABASE_URL is set', async () => {
    startDatabaseEarly(loadConfig({ TALECAST_STATE_DIR: `${dir.path}/state`, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' }));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await postmasterPid(dataDir), undefined);
    await stopUntakenDatabase();
  });
});
