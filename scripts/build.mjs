// Compiles every TypeScript source (apps, libs, tests, bench, eval) to dist/ with SWC,
// keeping the folder layout so piscina workers and specs resolve to real files.
// Path aliases (@talecast/*) from tsconfig.json are rewritten to relative requires here.
// Incremental: dist/.build-stamp holds the content hash of every source from the last build;
// only sources whose hash changed (or whose output is missing) are compiled again, outputs of
// deleted sources are removed, and a change of this script, tsconfig.json or SWC rebuilds all.
// Up-to-date check first (every `npm run cli`, `npm start`, `npm test` pays it): dist/.build-stat
// holds each input's size, mtime and inode as they were when that stamp was written. When the
// same sources are there with the same stats, every output exists and the stamp is the one the
// stats were taken for, nothing is read, hashed or compiled, and SWC is not even loaded (~50 ms
// instead of ~250 ms). Any other case takes the content-hash path above, which alone decides what
// is compiled, so an mtime can only cost a hash, never skip a change. A file written in the
// last seconds before the stats were taken is left out of them (its mtime could still be shared
// by a later edit of the same size), so it is hashed next time.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { diffStamp, hashFiles, listFiles, packageVersion, readStamp, sha1, writeStamp } from './build-stamp.mjs';
import { readStats, sameStats, statFiles, writeStats } from './build-stat.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.join(root, 'dist');
const roots = ['apps', 'libs', 'test', 'bench', 'eval'];
/** Compiles what changed (see above); `quiet` prints nothing. Also run by scripts/run.mjs in the entry point's own process. */
export async function build({ quiet = false } = {}) {
  const tsconfig = JSON.parse(await fs.readFile(path.join(root, 'tsconfig.json'), 'utf8'));

  const options = {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
      baseUrl: root,
      paths: tsconfig.compilerOptions.paths,
    },
    module: { type: 'commonjs' },
    sourceMaps: true,
  };

  const started = Date.now();
  const stampFile = path.join(out, '.build-stamp');
  const statFile = path.join(out, '.build-stat');
  const sources = (
    await Promise.all(
      roots.map((r) => listFiles(path.join(root, r), (name) => name.endsWith('.ts') && !name.endsWith('.d.ts'), new Set(['node_modules', 'web']))),
    )
  ).flat();
  const destOf = (rel) => path.join(out, rel).replace(/\.ts$/, '.js');
  const exists = (file) =>
    fs.access(file).then(
      () => true,
      () => false,
    );
  // What the setup hash below is made of, as files: this script and its helpers, tsconfig.json, SWC's version.
  const setupFiles = [
    new URL(import.meta.url).pathname,
    new URL('./build-stamp.mjs', import.meta.url).pathname,
    new URL('./build-stat.mjs', import.meta.url).pathname,
    path.join(root, 'tsconfig.json'),
    path.join(root, 'node_modules', '@swc', 'core', 'package.json'),
  ];
  // Taken before anything is hashed: an edit made while this build runs leaves a newer mtime behind.
  const stats = await statFiles(root, [...sources, ...setupFiles]);
  const stampBytes = await fs.readFile(stampFile).catch(() => null);
  const known = stampBytes ? await readStats(statFile, sha1(stampBytes)) : null;
  if (known && sameStats(known, stats) && (await Promise.all(sources.map((f) => exists(destOf(path.relative(root, f)))))).every(Boolean)) {
    if (!quiet) console.log(`build: nothing changed (dist/, by size and mtime) in ${Date.now() - started} ms`);
    return;
  }
  const hashes = await hashFiles(root, sources);
  const setup = sha1(
    JSON.stringify([
      await fs.readFile(new URL(import.meta.url)),
      await fs.readFile(new URL('./build-stamp.mjs', import.meta.url)),
      await fs.readFile(new URL('./build-stat.mjs', import.meta.url)),
      options,
      await packageVersion(root, '@swc/core'),
    ]),
  );
  const diff = diffStamp(await readStamp(stampFile), setup, hashes);
  // An output deleted by hand is compiled again even when its source did not change.
  const missing = diff.all
    ? []
    : (
        await Promise.all(
          Object.keys(hashes)
            .filter((k) => !diff.changed.includes(k))
            .map(async (k) => ((await exists(destOf(k))) ? null : k)),
        )
      ).filter(Boolean);
  const todo = [...diff.changed, ...missing];
  // SWC (a native binding, ~50 ms to load) only when something is compiled.
  const { transformFile } = todo.length > 0 ? await import('@swc/core') : {};
  await Promise.all(
    todo.map(async (rel) => {
      const file = path.join(root, rel);
      const result = await transformFile(file, { ...options, filename: file, sourceFileName: path.relative(path.join(out, path.dirname(rel)), file) });
      const dest = destOf(rel);
      await fs.mkdir(path.dirname(dest), { recursive: true });
      await fs.writeFile(dest, result.code + `\n//# sourceMappingURL=${path.basename(dest)}.map\n`);
      if (result.map) await fs.writeFile(dest + '.map', result.map);
    }),
  );
  // Outputs of deleted sources go last: a process starting meanwhile never meets new code that
  // still requires them half-written.
  await Promise.all(diff.removed.map((rel) => Promise.all([fs.rm(destOf(rel), { force: true }), fs.rm(destOf(rel) + '.map', { force: true })])));
  await writeStamp(stampFile, setup, hashes);
  await writeStats(statFile, sha1(await fs.readFile(stampFile)), stats, started);
  if (!quiet) {
    const what =
      todo.length === 0 && diff.removed.length === 0
        ? 'nothing changed'
        : `${todo.length} of ${sources.length} files compiled${diff.removed.length ? `, ${diff.removed.length} removed` : ''}`;
    console.log(`build: ${what} (dist/) in ${Date.now() - started} ms`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await build({ quiet: process.argv.includes('--quiet') });
