import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planRuns } from './render-plan';

const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);

test('planRuns: about one run per lane, in order, covering every segment', () => {
  assert.deepEqual(planRuns(new Array(18).fill(60), 2, 600), [9, 9]);
  assert.deepEqual(planRuns([], 2, 600), []);
  assert.deepEqual(planRuns([60], 4, 600), [1]);
  assert.deepEqual(planRuns([60, 60, 60], 4, 600), [1, 1, 1]);
});

test('planRuns: no run over the frame cap, so a task does not grow with the story', () => {
  const segs = new Array(72).fill(60);
  const runs = planRuns(segs, 2, 600);
  assert.equal(sum(runs), 72);
  let i = 0;
  for (const r of runs) {
    assert.ok(sum(segs.slice(i, i + r)) <= 600, `run of ${r} segments`);
    i += r;
  }
  // A single segment longer than the cap still gets its own run.
  assert.deepEqual(planRuns([900, 60], 1, 600), [1, 1]);
});

test('planRuns: uneven segments are split near equal frame counts', () => {
  const segs = [30, 90, 60, 45, 75, 60, 20, 80];
  const runs = planRuns(segs, 2, 10_000);
  assert.equal(runs.length, 2);
  const first = sum(segs.slice(0, runs[0]));
  assert.ok(Math.abs(first - sum(segs) / 2) <= 45, `first run ${first} of ${sum(segs)}`);
});

test('renderEncoderThreads: the cores shared among lanes unless configured', async () => {
  const { renderEncoderThreads } = await import('./render-pool');
  assert.equal(renderEncoderThreads(0, 2, 2), 1);
  assert.equal(renderEncoderThreads(0, 2, 8), 4);
  assert.equal(renderEncoderThreads(0, 4, 2), 1);
  assert.equal(renderEncoderThreads(3, 2, 2), 3);
});
