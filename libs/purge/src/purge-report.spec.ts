import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@talecast/config';
import { newId } from '@talecast/storage';
import {
  describePurgeReport,
  emptyPurgeReport,
  formatBytes,
  isPastGrace,
  isProtectedName,
  orphanSubjectId,
  overlappingRoots,
  printableName,
  purgeTotals,
} from './purge-report';

describe('purge rules', () => {
  test('.gitkeep is never data; an orphan is logged under its name only when that is an id', () => {
    assert.equal(isProtectedName('.gitkeep'), true);
    assert.equal(isProtectedName('.gitkeep2'), false);
    const id = newId();
    assert.equal(orphanSubjectId(id), id);
    assert.equal(orphanSubjectId(`.incoming-${id}`), 'orphan');
    assert.equal(orphanSubjectId('x.tmp'), 'orphan');
  });

  test('grace is measured from the newest change', () => {
    const now = 1_000_000_000;
    assert.equal(isPastGrace(now - 3600_000, now, 3600), true);
    assert.equal(isPastGrace(now - 3599_000, now, 3600), false);
    assert.equal(isPastGrace(now + 5_000, now, 1), false, 'a clock ahead of us never makes an entry old');
  });

  test('roots that overlap another data root are not swept', () => {
    assert.deepEqual(overlappingRoots(loadConfig({}, '/srv/tc').roots), []);
    assert.deepEqual(overlappingRoots(loadConfig({ TALECAST_UPLOADS_DIR: '.' }, '/srv/tc').roots), [
      { root: 'uploads', other: 'precomputed' },
      { root: 'generated', other: 'uploads' },
    ]);
    assert.deepEqual(
      overlappingRoots(loadConfig({ TALECAST_GENERATED_DIR: 'uploads' }, '/srv/tc').roots).map((o) => o.root),
      ['uploads', 'generated'],
    );
    assert.deepEqual(overlappingRoots(loadConfig({ TALECAST_GENERATED_DIR: 'precomputed/out' }, '/srv/tc').roots), [
      { root: 'generated', other: 'precomputed' },
    ]);
    assert.deepEqual(overlappingRoots(loadConfig({ TALECAST_UPLOADS_DIR: 'uploads-2' }, '/srv/tc').roots), [], 'a shared name prefix is not an overlap');
  });

  test('report lines and summary', () => {
    const r = emptyPurgeReport(false);
    r.purged.push({ kind: 'render', id: 'R'.repeat(22), bytes: 3 * 1024 * 1024 }, { kind: 'face', id: 'F'.repeat(22), bytes: 512 });
    r.orphans.push({ root: 'uploads', name: 'bad\nname', bytes: 2048 });
    r.inUse.push('U'.repeat(22));
    assert.deepEqual(purgeTotals(r), { subjects: 2, orphans: 1, bytes: 3 * 1024 * 1024 + 512 + 2048 });
    assert.deepEqual(describePurgeReport(r), [
      `purged render ${'R'.repeat(22)} (3.0 MiB)`,
      `purged face ${'F'.repeat(22)} (512 B)`,
      'removed orphan uploads/bad\\x0aname (2.0 KiB)',
      `kept face ${'U'.repeat(22)}: expired, but a render that is still running uses it`,
      'purge: 2 subjects, 1 orphan, 3.0 MiB freed',
    ]);
    const dry = { ...r, dryRun: true, inUse: [] };
    assert.deepEqual(
      describePurgeReport(dry).map((l) => l.split(' ').slice(0, 2).join(' ')),
      ['would purge', 'would purge', 'would remove', 'dry run:'],
    );
    assert.match(describePurgeReport({ ...emptyPurgeReport(false), skipped: true })[0], /skipped/);
    assert.equal(describePurgeReport(emptyPurgeReport(false)).at(-1), 'purge: 0 subjects, 0 orphans, 0 B freed (nothing had expired)');
  });

  test('bytes and names for a terminal', () => {
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1536), '1.5 KiB');
    assert.equal(formatBytes(25 * 1024 * 1024), '25 MiB');
    assert.equal(printableName('a\u001b[31mb'), 'a\\x1b[31mb');
    assert.equal(printableName('x'.repeat(300)).length, 121);
  });
});
