import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { StoryLines } from './lines-file';
import { stemDecodeArgs, stemProblems, stemRoleProblems } from './uploaded-voice';

const lines: StoryLines = {
  version: 1,
  defaultLanguage: 'en',
  stems: { hero: 'hero-dialogue.wav' },
  lines: [
    { id: 'n-1', role: 'narrator', from: 0.3, to: 2, text: { en: 'Once.' } },
    { id: 'hero-1', role: 'hero', from: 2.6, to: 4.4, text: { en: 'I will!' } },
    { id: 'hero-2', role: 'hero', from: 6, to: 7.5, text: { en: 'Yes!' } },
  ],
};

describe('an upload’s stems against its lines and masks', () => {
  test('a stem per named role, of a role of the masks or the narrator, is fine', () => {
    assert.deepEqual(stemRoleProblems(lines, ['hero'], ['hero', 'friend']), []);
    assert.deepEqual(stemRoleProblems(lines, ['hero', 'narrator'], ['hero']), []);
  });

  test('a stem of an unknown role, a stem without lines, and a named stem not uploaded are named by field', () => {
    assert.deepEqual(stemRoleProblems(lines, ['hero', 'villain'], ['hero']), [
      { field: 'stem.villain', problem: 'no role "villain" in the masks file (roles: hero, narrator)' },
    ]);
    assert.equal(stemRoleProblems(null, ['hero'], ['hero'])[0].field, 'stem.hero');
    assert.match(stemRoleProblems(null, ['hero'], ['hero'])[0].problem, /needs a lines file/);
    assert.deepEqual(stemRoleProblems(lines, [], ['hero']), [
      { field: 'lines', problem: 'stems.hero names "hero-dialogue.wav": upload that file as the field "stem.hero"' },
    ]);
  });

  test('a stem must be audio and last to the end of its role’s last line (50 ms of slack)', () => {
    assert.deepEqual(stemProblems('hero', { hasAudio: false, durationSeconds: 0 }, lines), ['not an audio file']);
    assert.deepEqual(stemProblems('hero', { hasAudio: true, durationSeconds: 7.46 }, lines), []);
    assert.match(stemProblems('hero', { hasAudio: true, durationSeconds: 7.4 }, lines)[0], /ends at 7\.40 s, before its role's last line ends \(7\.50 s\)/);
    // The narrator's last line ends at 2 s: a 3 s narrator stem covers it.
    assert.deepEqual(stemProblems('narrator', { hasAudio: true, durationSeconds: 3 }, lines), []);
  });

  test('the decode check reads the first audio stream to the end and stops at the first error', () => {
    const args = stemDecodeArgs('/in/stem.bin');
    assert.deepEqual(args.slice(args.indexOf('-xerror'), args.indexOf('-xerror') + 3), ['-xerror', '-i', '/in/stem.bin']);
    assert.deepEqual(args.slice(-4), ['-dn', '-f', 'null', '-']);
    assert.ok(args.includes('0:a:0'));
  });
});
