// Builds the web pages (apps/web: the parents' page and /admin) into apps/web/dist/ with Vite.
// First type-checks apps/web with its own strict tsconfig (Vite only strips types), then runs
// the Vite build programmatically. Exits non-zero on any type error or build failure.
// Usage: node scripts/build-web.mjs [--quiet] [--no-typecheck]
import path from 'node:path';
import { createRequire } from 'node:module';

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

try {
  if (!process.argv.includes('--no-typecheck')) {
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
  if (!quiet) console.log(`build-web: apps/web/dist built in ${Date.now() - started} ms`);
} catch (err) {
  process.stderr.write(`build-web: ${err?.stack ?? err}\n`);
  process.exit(1);
}
