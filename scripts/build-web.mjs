// Builds the web pages (apps/web: the parents' page and /admin) into apps/web/dist/ with Vite.
// First type-checks apps/web with its own strict tsconfig (Vite only strips types), then runs
// the Vite build programmatically. Exits non-zero on any type error or build failure.
// Skipped when nothing changed: apps/web/dist/.build-stamp holds the content hash of every file
// under apps/web (sources, pages, public files, configs) and the versions of vite, hls.js and
// typescript from the last successful build; --force builds anyway.
// Usage: node scripts/build-web.mjs [--quiet] [--no-typecheck] [--force]
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { createRequire } from 'node:module';
import { diffStamp, hashFiles, listFiles, packageVersion, readStamp, sha1, writeStamp } from './build-stamp.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const web = path.join(root, 'apps/web');
const quiet = process.argv.includes('--quiet');
const require = createRequire(import.meta.url);
const started = Date.now();

function typecheck() {
  const ts = require('typescript');
  const configPath = path.join(web, 'tsconfig.json');
  const read = ts.readConfigFile(configPath, ts.sys.readFile);
  if (read.error) return [read.error];
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, web, undefined, configPath);
  if (parsed.errors.length) return parsed.errors;
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  if (diagnostics.length) {
    const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => root, getNewLine: () => '\n' };
    process.stderr.write(ts.formatDiagnosticsWithColorAndContext(diagnostics, host));
  }
  return diagnostics;
}

/** The inputs' hashes and the setup hash (with and without the type check having run). */
async function fingerprint() {
  const files = await hashFiles(root, await listFiles(web, () => true, new Set(['node_modules', 'dist'])));
  const versions = await Promise.all(['vite', 'hls.js', 'typescript'].map((n) => packageVersion(root, n)));
  const base = JSON.stringify([await fs.readFile(new URL(import.meta.url)), await fs.readFile(new URL('./build-stamp.mjs', import.meta.url)), versions]);
  return { files, checked: sha1(base + ':typechecked'), unchecked: sha1(base + ':unchecked') };
}

/** True when the last build's stamp matches (a type-checked build also serves --no-typecheck). */
async function upToDate(stampFile, fp, typecheckWanted) {
  const stamp = await readStamp(stampFile);
  if (!stamp) return false;
  const setups = typecheckWanted ? [fp.checked] : [fp.checked, fp.unchecked];
  if (!setups.includes(stamp.setup)) return false;
  const d = diffStamp(stamp, stamp.setup, fp.files);
  if (d.changed.length || d.removed.length) return false;
  const outputs = await Promise.all(
    ['index.html', 'admin.html'].map((f) =>
      fs.access(path.join(web, 'dist', f)).then(
        () => true,
        () => false,
      ),
    ),
  );
  return outputs.every(Boolean);
}

try {
  const wantTypecheck = !process.argv.includes('--no-typecheck');
  const stampFile = path.join(web, 'dist', '.build-stamp');
  const fp = await fingerprint();
  if (!process.argv.includes('--force') && (await upToDate(stampFile, fp, wantTypecheck))) {
    if (!quiet) console.log(`build-web: nothing changed (apps/web/dist) in ${Date.now() - started} ms`);
    process.exit(0);
  }
  if (wantTypecheck) {
    const errors = typecheck();
    if (errors.length) {
      process.stderr.write(`build-web: ${errors.length} type error(s) in apps/web\n`);
      process.exit(1);
    }
  }
  let vite;
  try {
    vite = await import('vite');
  } catch {
    process.stderr.write('build-web: vite is not installed (npm install --save-dev vite@7 hls.js)\n');
    process.exit(1);
  }
  await vite.build({ configFile: path.join(web, 'vite.config.ts'), logLevel: quiet ? 'error' : 'warn' });
  // The inputs as they were when the build started: an edit during the build shows next time.
  await writeStamp(stampFile, wantTypecheck ? fp.checked : fp.unchecked, fp.files);
  if (!quiet) console.log(`build-web: apps/web/dist built in ${Date.now() - started} ms`);
} catch (err) {
  process.stderr.write(`build-web: ${err?.stack ?? err}\n`);
  process.exit(1);
}
