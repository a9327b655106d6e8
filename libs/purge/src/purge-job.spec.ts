import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobQueue } from '@talecast/queue';
import { PurgeJobs } from './purge-job';
import { emptyPurgeReport, PurgeReport } from './purge-report';
import type { PurgeService } from './purge.service';

const jobs = (report: PurgeReport, registered: string[] = []) =>
  new PurgeJobs({ run: async () => report } as unknown as PurgeService, { register: (name: string) => registered.push(name) } as unknown as JobQueue);

describe('PurgeJobs', () => {
  test('registers the purge handler', () => {
    const registered: string[] = [];
    jobs(emptyPurgeReport(false), registered).register();
    assert.deepEqual(registered, ['purge']);
  });

  test('a run skipped for the purge lock ends as a status, not an error', async () => {
    const report = { ...emptyPurgeReport(false), skipped: true };
    assert.deepEqual(await jobs(report).handle(), { status: 'skipped' });
  });

  test('a run reports what it removed', async () => {
    const report: PurgeReport = {
      ...emptyPurgeReport(false),
      purged: [
        { kind: 'face', id: 'a', bytes: 10 },
        { kind: 'render', id: 'b', bytes: 30 },
      ],
      orphans: [{ root: 'generated', name: 'x.tmp', bytes: 2 }],
      failed: [{ kind: 'face', id: 'c', reason: 'EACCES' }],
    };
    assert.deepEqual(await jobs(report).handle(), { status: 'purged', subjects: 2, orphans: 1, bytes: 42, failed: 1 });
  });
});
