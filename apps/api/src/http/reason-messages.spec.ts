import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REASON_STATUS } from '@talecast/core';

// Every reason code the API can answer with reaches a parent or an admin as a sentence from the
// page's dictionary (apps/web/src/i18n.ts, English and Korean); a code without one shows only
// "something unexpected happened". The page is not compiled into this build, so its dictionary
// is read as text.

function repoFile(rel: string): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, rel))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`${rel} not found above ${__dirname}`);
    dir = up;
  }
  return readFileSync(path.join(dir, rel), 'utf8');
}

function dictionaryKeys(source: string, name: 'en' | 'ko'): Set<string> {
  const start = source.search(new RegExp(`^const ${name}\\b`, 'm'));
  assert.ok(start >= 0, `dictionary ${name} not found`);
  const end = source.indexOf('\n};', start);
  return new Set([...source.slice(start, end).matchAll(/^\s+'([^']+)':/gm)].map((m) => m[1]));
}

/** Codes only machines see: a byte range the player asked for that the file does not have. */
const NOT_FOR_PEOPLE = new Set(['RANGE_NOT_SATISFIABLE']);

describe('reason codes have words on the page', () => {
  const i18n = repoFile('apps/web/src/i18n.ts');
  const qualitySource = repoFile('libs/face-upload/src/face-quality.ts');
  const union = /export type QualityCode =([^;]+);/.exec(qualitySource);
  const qualityCodes = union ? [...union[1].matchAll(/'([A-Z_]+)'/g)].map((m) => m[1]) : [];

  test('the photo checks are read from their source', () => {
    assert.ok(qualityCodes.includes('SUNGLASSES') && qualityCodes.includes('EYES_CLOSED'), qualityCodes.join(' '));
  });

  for (const lang of ['en', 'ko'] as const) {
    const keys = dictionaryKeys(i18n, lang);
    test(`${lang}: every reason code the API answers with`, () => {
      const missing = Object.keys(REASON_STATUS).filter((code) => !NOT_FOR_PEOPLE.has(code) && !keys.has(`error.${code}`));
      assert.deepEqual(missing, []);
    });
    test(`${lang}: every photo check, as a warning`, () => {
      assert.deepEqual(
        qualityCodes.filter((code) => !keys.has(`warn.${code}`)),
        [],
      );
    });
  }
});
