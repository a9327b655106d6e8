// Opens the database: the configured server, or the embedded one. Runs pending migrations.
import { DataSource } from 'typeorm';
import type { AppConfig } from '@talecast/config';
import { createDataSource } from './data-source';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from './embedded-postgres-server';
import { advisoryLock, advisoryUnlock } from './advisory-lock';

export class Database {
  private constructor(
    readonly url: string,
    readonly dataSource: DataSource,
    readonly mode: 'embedded' | 'external',
    private readonly embedded: EmbeddedPostgresHandle | undefined,
  ) {}

  static async open(config: AppConfig, log: (line: string) => void = () => undefined): Promise<Database> {
    let embedded: EmbeddedPostgresHandle | undefined;
    let url = config.databaseUrl;
    if (url === undefined) {
      embedded = await startEmbeddedPostgres({ dataDir: `${config.roots.state}/postgres`, database: 'talecast', log });
      url = embedded.url;
    }
    const dataSource = createDataSource(url);
    try {
      await dataSource.initialize();
      // Every start (each CLI command) looked for pending migrations under the lock; when the
      // table already lists every migration of this build, there is nothing to run or wait for.
      if (await allMigrationsApplied(dataSource)) return new Database(url, dataSource, embedded ? 'embedded' : 'external', embedded);
      // Processes starting together (an api and scaled workers) migrate one at a time; the
      // others then find nothing pending.
      const lock = dataSource.createQueryRunner();
      await lock.connect();
      try {
        await advisoryLock(lock, 'talecast:migrations');
        const applied = await dataSource.runMigrations({ transaction: 'each' });
        for (const m of applied) log(`migration applied: ${m.name}`);
      } finally {
        await advisoryUnlock(lock, 'talecast:migrations');
        await lock.release();
      }
    } catch (err) {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
      throw err;
    }
    return new Database(url, dataSource, embedded ? 'embedded' : 'external', embedded);
  }

  async ping(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.embedded?.stop();
  }
}

/**
 * True when the migrations table lists every migration of this build (by name, as TypeORM's
 * runMigrations matches them): it would then apply nothing. Any doubt (no table yet, a query
 * error) is false, and the migrations run as before, under the lock.
 */
async function allMigrationsApplied(dataSource: DataSource): Promise<boolean> {
  const table = `"${dataSource.options.migrationsTableName ?? 'migrations'}"`;
  try {
    // A fresh database has no table yet: asked first, so that no failed query is logged.
    const [{ found }]: { found: string | null }[] = await dataSource.query('SELECT to_regclass($1) AS found', [table]);
    if (!found) return false;
    const rows: { name: string }[] = await dataSource.query(`SELECT "name" FROM ${table}`);
    const applied = new Set(rows.map((r) => r.name));
    return dataSource.migrations.every((m) => applied.has(m.name ?? m.constructor.name));
  } catch {
    return false;
  }
}
