// Compiles every TypeScript source (apps, libs, tests, bench, eval) to dist/ with SWC,
// keeping the folder layout so piscina workers and specs resolve to real files.
// Path aliases (@talecast/*) from tsconfig.json are rewritten to relative requires here.
// Incremental: dist/.build-stamp holds the content hash of every source from the last build;
// only sources whose hash changed (or whose output is missing) are compiled again, outputs of
// deleted sources are removed, and a change of this script, tsconfig.json or SWC rebuilds all.
// With nothing changed the build is a hash check of the sources (well under a second).
import { transformFile } from '@swc/core';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { diffStamp, hashFiles, listFiles, packageVersion, readStamp, sha1, writeStamp } from './build-stamp.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.join(root, 'dist');
const roots = ['apps', 'libs', 'test', 'bench', 'eval'];
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
const sources = (
  await Promise.all(
    roots.map((r) => listFiles(path.join(root, r), (name) => name.endsWith('.ts') && !name.endsWith('.d.ts'), new Set(['node_modules', 'web']))),
  )
).flat();
const hashes = await hashFiles(root, sources);
const setup = sha1(
  JSON.stringify([
    await fs.readFile(new URL(import.meta.url)),
    await fs.readFile(new URL('./build-stamp.mjs', import.meta.url)),
    options,
    await packageVersion(root, '@swc/core'),
  ]),
);
const destOf = (rel) => path.join(out, rel).replace(/\.ts$/, '.js');
const diff = diffStamp(await readStamp(stampFile), setup, hashes);
// An output deleted by hand is compiled again even when its source did not change.
const missing = diff.all
  ? []
  : (
      await Promise.all(
        Object.keys(hashes)
          .filter((k) => !diff.changed.includes(k))
          .map(async (k) =>
            (await fs.access(destOf(k)).then(
              () => true,
              () => false,
            ))
              ? null
              : k,
          ),
      )
    ).filter(Boolean);
const todo = [...diff.changed, ...missing];
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
if (!process.argv.includes('--quiet')) {
  const what =
    todo.length === 0 && diff.removed.length === 0
      ? 'nothing changed'
      : `${todo.length} of ${sources.length} files compiled${diff.removed.length ? `, ${diff.removed.length} removed` : ''}`;
  console.log(`build: ${what} (dist/) in ${Date.now() - started} ms`);
}
