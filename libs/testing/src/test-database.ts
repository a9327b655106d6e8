// Test support: a fresh, migrated database per test file on the one PostgreSQL server the test
// runner provides (TALECAST_TEST_DATABASE_URL, an embedded cluster unless DATABASE_URL is set).
import { Client } from 'pg';
import { randomBytes } from 'node:crypto';
import { createDataSource } from '@talecast/persistence';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export function adminDatabaseUrl(): string {
  const url = process.env.TALECAST_TEST_DATABASE_URL;
  if (!url) throw new Error('TALECAST_TEST_DATABASE_URL is not set: run the tests with `npm test`');
  return url;
}

export async function createTestDatabase(migrate = true): Promise<TestDatabase> {
  const admin = adminDatabaseUrl();
  const name = `talecast_test_${randomBytes(5).toString('hex')}`;
  const client = new Client({ connectionString: admin });
  await client.connect();
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  if (migrate) {
    const ds = createDataSource(url, 2);
    await ds.initialize();
    await ds.runMigrations();
    await ds.destroy();
  }
  return {
    url,
    drop: async () => {
      const c = new Client({ connectionString: admin });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
