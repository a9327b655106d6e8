// Runs the test suite with node's own test runner on the compiled specs in dist/.
// Usage: node scripts/test.mjs [unit|integration|e2e|all] [filter substring ...]
// Prints the spec reporter's output and ends with one line: `tests: N passed, N failed`.
import { runSpecs } from './run-specs.mjs';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const args = process.argv.slice(2);
const kinds = { unit: /\.spec\.js$/, integration: /\.int-spec\.js$/, e2e: /\.e2e-spec\.js$/ };
const kind = args[0] && (args[0] in kinds || args[0] === 'all') ? args.shift() : 'all';
const filters = args;

async function* walk(dir) {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* walk(p);
    else yield p;
  }
}

const files = [];
for await (const f of walk(path.join(root, 'dist'))) {
  const matches = kind === 'all' ? Object.values(kinds).some((re) => re.test(f)) : kinds[kind].test(f);
  if (matches && (filters.length === 0 || filters.some((s) => f.includes(s)))) files.push(f);
}
files.sort((a, b) => order(a) - order(b) || a.localeCompare(b));
function order(f) {
  return f.endsWith('.e2e-spec.js') ? 2 : f.endsWith('.int-spec.js') ? 1 : 0;
}

// One PostgreSQL server for the whole run: DATABASE_URL when given, else an embedded cluster.
// Each test file creates its own database on it (libs/testing/src/test-database.ts).
let embedded;
if (!process.env.TALECAST_TEST_DATABASE_URL) {
  if (process.env.DATABASE_URL) process.env.TALECAST_TEST_DATABASE_URL = process.env.DATABASE_URL;
  else if (files.some((f) => !kinds.unit.test(f) || f.includes('.int-') || f.includes('.e2e-'))) {
    const { startEmbeddedPostgres } = createRequire(import.meta.url)(path.join(root, 'dist/libs/persistence/src/embedded-postgres-server.js'));
    embedded = await startEmbeddedPostgres({ dataDir: path.join(root, '.data/test-postgres'), database: 'postgres' });
    process.env.TALECAST_TEST_DATABASE_URL = embedded.url;
  }
}

await runSpecs({ files, timeout: 15 * 60_000, cleanup: () => embedded?.stop() });
