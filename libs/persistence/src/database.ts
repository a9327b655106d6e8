// Opens the database: the configured server, or the embedded one. Runs pending migrations.
import { DataSource } from 'typeorm';
import type { AppConfig } from '@talecast/config';
import { createDataSource } from './data-source';
import { EmbeddedPostgresHandle, startEmbeddedPostgres } from './embedded-postgres-server';

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
      const applied = await dataSource.runMigrations({ transaction: 'each' });
      for (const m of applied) log(`migration applied: ${m.name}`);
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
