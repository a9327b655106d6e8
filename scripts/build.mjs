// Compiles every TypeScript source (apps, libs, tests, bench, eval) to dist/ with SWC,
// keeping the folder layout so piscina workers and specs resolve to real files.
// Path aliases (@talecast/*) from tsconfig.json are rewritten to relative requires here.
import { transformFile } from '@swc/core';
import { promises as fs } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.join(root, 'dist');
const roots = ['apps', 'libs', 'test', 'bench', 'eval'];
const tsconfig = JSON.parse(await fs.readFile(path.join(root, 'tsconfig.json'), 'utf8'));

async function* walk(dir) {
  let entries;
  try { entries = await fs.readdir(dir, { withFileTypes: true }); } catch { return; }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name === 'node_modules' || e.name === 'web') continue;
      yield* walk(p);
    } else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) yield p;
  }
}

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
let count = 0;
const jobs = [];
for (const r of roots) {
  for await (const file of walk(path.join(root, r))) {
    jobs.push((async () => {
      const result = await transformFile(file, { ...options, filename: file, sourceFileName: path.relative(path.join(out, path.dirname(path.relative(root, file))), file) });
      const dest = path.join(out, path.relative(root, file)).replace(/\.ts$/, '.js');
      await fs.mkdir(path.dirname(dest), { recursive: true });
      await fs.writeFile(dest, result.code + `\n//# sourceMappingURL=${path.basename(dest)}.map\n`);
      if (result.map) await fs.writeFile(dest + '.map', result.map);
      count++;
    })());
  }
}
await Promise.all(jobs);
if (!process.argv.includes('--quiet')) console.log(`build: ${count} files compiled to dist/ in ${Date.now() - started} ms`);
