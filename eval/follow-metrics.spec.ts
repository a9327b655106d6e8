import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { followMeasure, normaliseOpenness, profileStillness, STILL_MOUTH_RATIO, stillnessMeasure } from './follow-metrics';

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

describe('stillnessMeasure', () => {
  // Two shots of a still mouth read with noise (sd ~0.004) around a different bias per shot, as the net reads story b.
  const n = 120;
  const shotOf = Array.from({ length: n }, (_, i) => (i < 60 ? 0 : 1));
  const noise = (i: number, seed: number) => 0.004 * Math.SQRT2 * Math.sin(i * 2.39996 + seed);
  const story = Array.from({ length: n }, (_, i) => (i < 60 ? -0.02 : 0.01) + noise(i, 0));
  test('an output held still, read with the same noise, passes; a shot bias is not spread', () => {
    const still = story.map((_, i) => (i < 60 ? 0.05 : 0.02) + noise(i, 1.3));
    const r = stillnessMeasure(story, still, shotOf);
    assert.ok(Math.abs(r.storySpread - 0.004) < 0.0005, `${r.storySpread}`);
    assert.ok(r.ratio < 1.1 && r.ratio <= STILL_MOUTH_RATIO, `${r.ratio}`);
    assert.equal(r.frames, n);
  });
  test('an output whose lips open and close (0 → 0.05 every 20 frames) fails; one following the story noise on top of its own is at the limit', () => {
    const moving = story.map((_, i) => 0.03 + noise(i, 1.3) + (0.05 * (1 - Math.cos((2 * Math.PI * i) / 20))) / 2);
    assert.ok(stillnessMeasure(story, moving, shotOf).ratio > 3 * STILL_MOUTH_RATIO);
    const following = story.map((v, i) => v + noise(i, 1.3));
    const r = stillnessMeasure(story, following, shotOf).ratio;
    assert.ok(r > 1.3 && r < 1.6, `${r}`);
  });
  test('frames read in only one series are left out; too few frames give NaN', () => {
    const out = story.map((v, i) => (i % 2 ? NaN : v));
    assert.equal(stillnessMeasure(story, out, shotOf).frames, 60);
    assert.ok(Number.isNaN(stillnessMeasure([0.1, 0.2], [0.1, 0.2], [0, 0]).ratio));
  });
});

describe('profileStillness', () => {
  // Profiles of 9 entries: a dark lip line in the middle, read with noise (sd 0.01 per entry); two shots with a different shape.
  const n = 80;
  const shotOf = Array.from({ length: n }, (_, i) => (i < 40 ? 0 : 1));
  const noise = (i: number, k: number, seed: number) => 0.01 * Math.SQRT2 * Math.sin(i * 2.39996 + k * 1.7 + seed);
  const line = (i: number, depth: number, seed: number) =>
    Float64Array.from({ length: 9 }, (_, k) => 1 - (k === 4 ? depth : k === 3 || k === 5 ? depth / 2 : 0) + (i < 40 ? 0 : 0.05 * k) + noise(i, k, seed));
  const story = Array.from({ length: n }, (_, i) => line(i, 0.3, 0));
  test('a still output read with the same noise passes; a shot’s different shape is not change', () => {
    const r = profileStillness(
      story,
      story.map((_, i) => line(i, 0.5, 2.1)),
      shotOf,
    );
    assert.ok(Math.abs(r.storySpread - 0.01) < 0.002, `${r.storySpread}`);
    assert.ok(r.ratio > 0.8 && r.ratio < 1.2, `${r.ratio}`);
    assert.equal(r.frames, n);
  });
  test('a lip line that darkens and fades every 20 frames fails; so does one that turns bright (teeth), which a darkness figure would not see', () => {
    const opening = (i: number) => (1 - Math.cos((2 * Math.PI * i) / 20)) / 2;
    const darkening = story.map((_, i) => line(i, 0.3 + 0.15 * opening(i), 2.1));
    assert.ok(profileStillness(story, darkening, shotOf).ratio > 2);
    const teeth = story.map((_, i) => line(i, 0.3 - 0.3 * opening(i), 2.1));
    assert.ok(profileStillness(story, teeth, shotOf).ratio > 2 * STILL_MOUTH_RATIO);
  });
  test('frames not read in both are left out; too few give NaN', () => {
    const out = story.map((p, i) => (i % 4 ? p : null));
    assert.equal(profileStillness(story, out, shotOf).frames, 60);
    assert.ok(Number.isNaN(profileStillness([story[0], story[1]], [story[0], story[1]], [0, 0]).ratio));
  });
});
