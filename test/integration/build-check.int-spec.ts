// scripts/build.mjs's up-to-date check on a small copy of the repository (the real scripts,
// tsconfig.json and node_modules): stats only skip a build the content hashes would skip too.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { tempDir } from '@talecast/testing';

const repo = path.resolve(__dirname, '../../..');

describe('build up-to-date check', async () => {
  const dir = await tempDir();
  after(() => dir.cleanup());
  const root = dir.path;
  await fs.mkdir(path.join(root, 'scripts'));
  for (const f of ['build.mjs', 'build-stamp.mjs', 'build-stat.mjs']) await fs.copyFile(path.join(repo, 'scripts', f), path.join(root, 'scripts', f));
  await fs.copyFile(path.join(repo, 'tsconfig.json'), path.join(root, 'tsconfig.json'));
  await fs.symlink(path.join(repo, 'node_modules'), path.join(root, 'node_modules'));
  const source = path.join(root, 'libs', 'x', 'src', 'a.ts');
  const output = path.join(root, 'dist', 'libs', 'x', 'src', 'a.js');
  await fs.mkdir(path.dirname(source), { recursive: true });
  await fs.writeFile(source, 'export const a: number = 1;\n');
  const build = () => execFileSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { encoding: 'utf8' }).trim();
  /** Every input dated 10 s back: no longer written "just now" (racy). */
  const age = async () => {
    const old = new Date(Date.now() - 10_000);
    for (const f of [source, path.join(root, 'tsconfig.json'), ...['build.mjs', 'build-stamp.mjs', 'build-stat.mjs'].map((n) => path.join(root, 'scripts', n))])
      await fs.utimes(f, old, old).catch(() => undefined);
  };

  test('compiled once; a file written just now is hashed, not trusted by its stats', () => {
    assert.match(build(), /1 of 1 files compiled/);
    assert.match(build(), /nothing changed \(dist\/\) in/);
  });

  test('with the same stats nothing is hashed; a touched file is hashed and not compiled', async () => {
    await age();
    assert.match(build(), /nothing changed \(dist\/\) in/, 'the stats differ from the recorded ones: hashed');
    assert.match(build(), /nothing changed \(dist\/, by size and mtime\)/);
    const now = new Date();
    await fs.utimes(source, now, now);
    assert.match(build(), /nothing changed \(dist\/\) in/);
  });

  test('an edit of the same size is compiled', async () => {
    await age();
    build();
    assert.match(build(), /by size and mtime/);
    await fs.writeFile(source, 'export const a: number = 2;\n');
    assert.match(build(), /1 of 1 files compiled/);
    assert.match(await fs.readFile(output, 'utf8'), /a = 2/);
  });

  test('a deleted output is compiled again; a new source is compiled; a removed one loses its output', async () => {
    await age();
    build();
    await fs.rm(output);
    assert.match(build(), /1 of 1 files compiled/);
    const added = path.join(root, 'libs', 'x', 'src', 'b.ts');
    await fs.writeFile(added, 'export const b = 2;\n');
    assert.match(build(), /1 of 2 files compiled/);
    await age();
    await fs.utimes(added, new Date(Date.now() - 10_000), new Date(Date.now() - 10_000));
    build();
    assert.match(build(), /by size and mtime/);
    await fs.rm(added);
    assert.match(build(), /0 of 1 files compiled, 1 removed/);
    await assert.rejects(fs.access(path.join(root, 'dist', 'libs', 'x', 'src', 'b.js')));
  });

  test('new path aliases in tsconfig.json rebuild everything; other bytes only cost a hash', async () => {
    await age();
    build();
    assert.match(build(), /by size and mtime/);
    const file = path.join(root, 'tsconfig.json');
    await fs.appendFile(file, '\n');
    assert.match(build(), /nothing changed \(dist\/\) in/);
    const tsconfig = JSON.parse(await fs.readFile(file, 'utf8'));
    tsconfig.compilerOptions.paths['@talecast/zz'] = ['libs/zz/src'];
    await fs.writeFile(file, JSON.stringify(tsconfig));
    assert.match(build(), /1 of 1 files compiled/);
  });
});
