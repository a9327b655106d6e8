import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidLinesError, isRecordable, parseLinesFile, summariseLines } from './lines-file';

const valid = {
  version: 1,
  defaultLanguage: 'en',
  stems: { hero: 'hero-dialogue.wav' },
  lines: [
    { id: 'hero-2', role: 'hero', from: 7, to: 9, text: { en: 'Open!', ko: '열려라!' } },
    { id: 'hero-1', role: 'hero', from: 3.2, to: 5.0, text: { en: 'I will find the golden key!', ko: '황금 열쇠를 찾을 거야!' } },
    { id: 'n-1', role: 'narrator', from: 0.5, to: 3, text: { en: 'Once upon a time' } },
  ],
};

describe('parseLinesFile', () => {
  test('accepts the contract example, sorted by time', () => {
    const l = parseLinesFile(JSON.stringify(valid), ['hero'], 20);
    assert.deepEqual(
      l.lines.map((x) => x.id),
      ['n-1', 'hero-1', 'hero-2'],
    );
    assert.equal(l.stems.hero, 'hero-dialogue.wav');
    assert.equal(isRecordable(l.lines[0]), false);
    assert.equal(isRecordable(l.lines[1]), true);
  });

  test('summaries carry the default language, or the asked one when present', () => {
    const l = parseLinesFile(JSON.stringify(valid), ['hero']);
    assert.deepEqual(summariseLines(l)[1], { id: 'hero-1', role: 'hero', from: 3.2, to: 5, text: 'I will find the golden key!' });
    assert.equal(summariseLines(l, 'ko')[1].text, '황금 열쇠를 찾을 거야!');
    assert.equal(summariseLines(l, 'ko')[0].text, 'Once upon a time');
  });

  test('names the field of each problem', () => {
    const bad: { lines: Record<string, unknown>[]; stems?: Record<string, string> } = structuredClone(valid);
    bad.lines[0].id = 'Hero 2';
    bad.lines[1].role = 'villain';
    bad.lines[2].to = 0.2;
    bad.lines.push({ id: 'x', role: 'hero', from: 1, to: 2, text: { ko: '안녕' } });
    bad.stems = { villain: '../../etc/passwd' };
    try {
      parseLinesFile(JSON.stringify(bad), ['hero'], 20);
      assert.fail('expected InvalidLinesError');
    } catch (err) {
      assert.ok(err instanceof InvalidLinesError);
      const p = err.problems.join('\n');
      assert.match(p, /lines\[0\]\.id/);
      assert.match(p, /lines\[1\]\.role/);
      assert.match(p, /lines\[2\]\.to must be greater than from/);
      assert.match(p, /lines\[3\]\.text needs the default language "en"/);
      assert.match(p, /stems\.villain: no such role/);
      assert.match(p, /stems\.villain must be a relative path/);
    }
  });

  test('duplicate ids, overlapping lines of one role and lines past the end are refused', () => {
    const bad: { lines: Record<string, unknown>[]; stems?: Record<string, string> } = structuredClone(valid);
    bad.lines.push({ id: 'hero-1', role: 'hero', from: 4, to: 6, text: { en: 'again' } });
    bad.lines.push({ id: 'late', role: 'hero', from: 19, to: 21, text: { en: 'late' } });
    assert.throws(
      () => parseLinesFile(JSON.stringify(bad), ['hero'], 20),
      (err: InvalidLinesError) => /"hero-1" is used twice/.test(err.message) && /overlap/.test(err.message) && /past the end/.test(err.message),
    );
  });

  test('not JSON', () => {
    assert.throws(() => parseLinesFile('{', ['hero']), /not valid JSON/);
  });
});
