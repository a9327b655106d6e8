import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseRenderRequest } from './render.command';
import { UsageError } from '../cli-args';

describe('render command line', () => {
  test('faces, voices and options are read; voice files resolve against the working folder', () => {
    const r = parseRenderRequest([
      '--story',
      'tale',
      '--face',
      'a.jpg',
      '--face',
      'b.jpg',
      '--voice',
      'hero-1=rec/one.wav',
      '--name',
      'Mina',
      '--out',
      'x.mp4',
    ]);
    assert.deepEqual(r, {
      story: 'tale',
      faces: ['a.jpg', 'b.jpg'],
      voices: [{ lineId: 'hero-1', file: path.resolve('rec/one.wav') }],
      out: 'x.mp4',
      name: 'Mina',
      language: undefined,
    });
  });

  test('a missing story or face, six faces, a voice without its file are usage errors', () => {
    assert.throws(() => parseRenderRequest(['--face', 'a.jpg']), UsageError);
    assert.throws(() => parseRenderRequest(['--story', 'tale']), UsageError);
    assert.throws(() => parseRenderRequest(['--story', 'tale', ...Array.from({ length: 6 }, (_, i) => ['--face', `${i}.jpg`]).flat()]), /at most 5/);
    assert.throws(() => parseRenderRequest(['--story', 'tale', '--face', 'a.jpg', '--voice', 'hero-1=']), /--voice must be/);
    assert.throws(() => parseRenderRequest(['--story', 'tale', '--face', 'a.jpg', '--voice', '=a.wav']), /--voice must be/);
  });

  // The photo's analysis threads start before Nest and the engine are loaded (~0.7 s): the command's
  // own module, and the analysis thread's, must not bring them in.
  test('the command module and the photo analysis thread load no Nest, database or engine', () => {
    for (const file of [path.join(__dirname, 'render.command.js'), path.join(__dirname, '../../../../libs/face-upload/src/photo-analysis.worker.js')]) {
      const loaded: string[] = JSON.parse(
        execFileSync(process.execPath, ['-e', `require(${JSON.stringify(file)}); console.log(JSON.stringify(Object.keys(require.cache)))`], {
          encoding: 'utf8',
        }),
      );
      const heavy = loaded.filter((f) => /node_modules[/\\](@nestjs|typeorm|pg|pg-boss)[/\\]|libs[/\\]render[/\\]/.test(f));
      assert.deepEqual(heavy, [], `${path.basename(file)} loads ${heavy.slice(0, 3).join(', ')}`);
      assert.ok(loaded.length > 1, 'the module itself was loaded');
    }
  });
});
