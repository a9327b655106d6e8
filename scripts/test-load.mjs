// Runs the load tests (dist/test/load/*.load-spec.js) with node's own test runner; builds nothing
// (run `node scripts/build.mjs` first). Never part of `npm test`.
// Usage: node scripts/test-load.mjs [filter substring ...]   (TALECAST_LOAD_SCALE=4 for a small run)
// Prints the spec reporter's output and ends with one line: `tests: N passed, N failed`.
import { runSpecs } from './run-specs.mjs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const filters = process.argv.slice(2);
const dir = path.join(root, 'dist/test/load');

const files = (await fs.readdir(dir).catch(() => []))
  .filter((f) => f.endsWith('.load-spec.js') && (filters.length === 0 || filters.some((s) => f.includes(s))))
  .map((f) => path.join(dir, f))
  .sort();
if (files.length === 0) console.error(`no load specs in ${path.relative(root, dir)} (build first: node scripts/build.mjs)`);

// One PostgreSQL server for the whole run: DATABASE_URL when given, else an embedded cluster of
// its own (not the one `npm test` uses, so a concurrent test run cannot stop it under us).
// Each test file creates its own database on it; the database-restart test runs its own server.
let embedded;
if (!process.env.TALECAST_TEST_DATABASE_URL && files.length > 0) {
  if (process.env.DATABASE_URL) process.env.TALECAST_TEST_DATABASE_URL = process.env.DATABASE_URL;
  else {
    const { startEmbeddedPostgres } = createRequire(import.meta.url)(path.join(root, 'dist/libs/persistence/src/embedded-postgres-server.js'));
    embedded = await startEmbeddedPostgres({ dataDir: path.join(root, '.data/load-postgres'), database: 'postgres' });
    process.env.TALECAST_TEST_DATABASE_URL = embedded.url;
  }
}

await runSpecs({ files, timeout: 45 * 60_000, cleanup: () => embedded?.stop() });
