import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LAST_SEEN_FRAMES, lastSeenAfter, plausibleRestart } from './last-seen';

// Boxes recorded by the range analyser on the 8 s 960x540 tale's walk-out (both characters walk
// right at ≈33 px per frame, the friend ≈190 px behind the hero; the hero leaves the picture at 203–205).
const HERO = { 198: { x: 753, y: 286, width: 58, height: 77 }, 200: { x: 819, y: 289, width: 57, height: 78 } };
const FRIEND = { 197: { x: 533, y: 285, width: 55, height: 77 }, 198: { x: 567, y: 285, width: 53, height: 76 } };
/** The tiny detector's boxes: frame 201 finds both faces, 203–207 only the friend's. */
const DETECTED = {
  friend201: { x: 632, y: 293, width: 110, height: 110 },
  hero201: { x: 823, y: 293, width: 103, height: 96 },
  friend: {
    203: { x: 705, y: 300, width: 104, height: 100 },
    205: { x: 769, y: 300, width: 112, height: 102 },
    207: { x: 826, y: 291, width: 109, height: 106 },
  },
};

describe('last seen: a role restarts only where its own face was heading', () => {
  const hero = lastSeenAfter(lastSeenAfter(undefined, HERO[198], 198), HERO[200], 200);
  const friend = lastSeenAfter(lastSeenAfter(undefined, FRIEND[197], 197), FRIEND[198], 198);

  test('the speed comes from the two last records (at most 2 frames apart)', () => {
    assert.ok(Math.abs(hero.vx - 32.75) < 0.01 && Math.abs(hero.vy - 1.75) < 0.01, JSON.stringify(hero));
    assert.equal(lastSeenAfter(hero, HERO[200], 210).vx, 0, 'a record 10 frames later has no speed');
  });

  test('after the walk-out loss the hero restarts on its own face, never on the friend behind it', () => {
    assert.ok(plausibleRestart(hero, DETECTED.hero201, 201));
    assert.ok(!plausibleRestart(hero, DETECTED.friend201, 201));
    for (const [i, box] of Object.entries(DETECTED.friend)) assert.ok(!plausibleRestart(hero, box, Number(i)), `frame ${i}`);
  });

  test('the friend, lost at 199, restarts on its own face, not on the hero ahead of it', () => {
    assert.ok(plausibleRestart(friend, DETECTED.friend201, 201));
    assert.ok(!plausibleRestart(friend, DETECTED.hero201, 201));
  });

  test('with no record, or one older than the memory, any face may start the role', () => {
    assert.ok(plausibleRestart(undefined, DETECTED.friend201, 201));
    assert.ok(plausibleRestart(hero, DETECTED.friend201, 200 + LAST_SEEN_FRAMES + 1));
  });
});
