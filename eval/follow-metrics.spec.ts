import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { followMeasure, normaliseOpenness } from './follow-metrics';

describe('followMeasure', () => {
  const story = Array.from({ length: 60 }, (_, i) => ((i >= 20 && i < 23) || (i >= 40 && i < 44) ? 0.05 : 0.3 + 0.01 * Math.sin(i)));
  test('an output that blinks with the story (one frame late) correlates and shows every blink', () => {
    const out = story.map((_, i) => story[Math.max(0, i - 1)] * 0.9);
    const r = followMeasure(story, out, true);
    assert.ok(r.correlation > 0.6, `${r.correlation}`);
    assert.equal(r.blinks, 2);
    assert.equal(r.blinksShown, 2);
  });
  test('an output whose eyes never move shows no blink and does not correlate', () => {
    const r = followMeasure(
      story,
      story.map(() => 0.31),
      true,
    );
    assert.ok(!(r.correlation > 0.6));
    assert.equal(r.blinksShown, 0);
    assert.deepEqual(r.missedBlinks, [20, 40]);
  });
  test('a blink two frames late is missed; NaN frames are skipped', () => {
    const out = story.map((_, i) => story[Math.max(0, i - 5)]);
    out[10] = NaN;
    const r = followMeasure(story, out, true);
    assert.equal(r.blinksShown, 0);
    assert.equal(r.frames, 59);
    assert.ok(Number.isNaN(normaliseOpenness([NaN, 1])[0]));
  });
});
