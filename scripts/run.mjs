// `npm run cli` (and fixtures, tale): the build's up-to-date check (scripts/build.mjs) and then the
// compiled entry point, in one Node process. Two processes (`node scripts/build.mjs --quiet &&
// node …/main.js`) paid Node's start twice, ~0.1 s per command. The entry point sees the same
// process.argv as when it is run directly: [node, its file, ...its arguments].
// Usage: node --enable-source-maps scripts/run.mjs <compiled entry, relative to the repository> [args…]
import { createRequire } from 'node:module';
import path from 'node:path';
import { build } from './build.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node scripts/run.mjs <compiled entry point> [args…]\n');
  process.exit(64);
}
await build({ quiet: true });
const file = path.resolve(root, entry);
process.argv = [process.argv[0], file, ...args];
createRequire(import.meta.url)(file);
