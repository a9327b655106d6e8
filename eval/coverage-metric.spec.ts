import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CoverageTruthFrame, measureCoverage } from './coverage-metric';

// 20 frames: shot 0 = 0..9 (hero visible), shot 1 = 10..13 (short, hero visible), shot 2 = 14..19 (no hero).
const truth: CoverageTruthFrame[] = Array.from({ length: 20 }, (_, i) => ({
  visible: i < 14,
  nose: i < 14 ? [100, 100] : null,
  others: i >= 10 && i < 14 ? [[300, 80, 40, 40]] : [],
}));
const base = { truth, cuts: [10, 14], interOcular: () => 30, shortShotFrames: 8, firstFrames: 2 };

test('coverage counts visible frames, short shots and first frames after cuts', () => {
  const missing = new Set([10, 11, 5]);
  const r = measureCoverage({ ...base, present: (i) => i < 14 && !missing.has(i), nose: () => [100, 100] });
  assert.deepEqual(r.visible, { frames: 14, found: 11, share: 11 / 14 });
  assert.deepEqual(r.shortShots, { frames: 4, found: 2, share: 0.5 });
  assert.deepEqual(r.afterCuts, { frames: 2, found: 0, share: 0 });
  assert.deepEqual(r.missedRuns, [
    [5, 5],
    [10, 11],
  ]);
  assert.equal(r.wrongFace, 0);
  assert.equal(r.falseFrames, 0);
});

test('a hero on another face, away from the hero, or where there is none is counted', () => {
  const r = measureCoverage({ ...base, present: () => true, nose: (i) => (i === 12 ? [320, 100] : i === 3 ? [140, 100] : [100, 100]) });
  assert.equal(r.wrongFace, 2); // frame 12 on the other face, frame 3 more than one eye distance away
  assert.deepEqual(r.wrongRuns, [
    [3, 3],
    [12, 12],
  ]);
  assert.equal(r.falseFrames, 6); // frames 14..19
  assert.equal(r.visible.share, 1);
});
