import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FRAME_FIELDS, RECORD_FLOATS } from './story-manifest';
import { chooseShowcase, clipAround, steadyFrames } from './story-showcase';

/** Records for roles × frames: per (role, frame) present?, eye distance in px, yaw in degrees. */
function records(roles: { present: boolean; eyes: number; yaw: number }[][]): Float32Array {
  const frameCount = roles[0].length;
  const out = new Float32Array(roles.length * frameCount * RECORD_FLOATS);
  roles.forEach((frames, r) =>
    frames.forEach((s, f) => {
      const o = (r * frameCount + f) * RECORD_FLOATS;
      out[o + FRAME_FIELDS.present[0]] = s.present ? 1 : 0;
      for (let i = 36; i < 48; i++) {
        out[o + FRAME_FIELDS.landmarks[0] + i * 2] = i < 42 ? 50 : 50 + s.eyes;
        out[o + FRAME_FIELDS.landmarks[0] + i * 2 + 1] = 80;
      }
      out[o + FRAME_FIELDS.yaw[0]] = s.yaw;
    }),
  );
  return out;
}

const none = { present: false, eyes: 0, yaw: 0 };

test("the thumbnail is the hero's largest frontal frame, not a larger turned one nor another role", () => {
  const friend = [none, { present: true, eyes: 90, yaw: 0 }, none, none, none];
  const hero = [none, { present: true, eyes: 30, yaw: 5 }, { present: true, eyes: 70, yaw: 40 }, { present: true, eyes: 45, yaw: -12 }, none];
  const s = chooseShowcase(records([friend, hero]), ['friend', 'hero'], 5, 0.5, []);
  assert.equal(s.thumbnailFrame, 3, 'at 0.5 fps the margin is 0 frames: every present frame is steady');
});

test('a large face at the start of its run (a dissolve) loses to a steady one', () => {
  const fading = { present: true, eyes: 90, yaw: 0 };
  const solid = { present: true, eyes: 50, yaw: 0 };
  // 2 fps, margin round(0.6 × 2) = 1 frame: frame 1 starts the run, frames 2..4 are steady.
  const hero = [none, fading, solid, solid, { present: true, eyes: 60, yaw: 0 }, solid, none];
  assert.equal(chooseShowcase(records([hero]), ['hero'], 7, 2, []).thumbnailFrame, 4);
  assert.deepEqual([...steadyFrames((f) => hero[f].present, 7, 1, [])], [0, 0, 1, 1, 1, 0, 0]);
  assert.deepEqual([...steadyFrames((f) => hero[f].present, 7, 1, [4])], [0, 0, 1, 0, 0, 0, 0], 'and away from cuts');
});

test('without any face the thumbnail is the middle of the video', () => {
  assert.equal(chooseShowcase(records([[none, none, none, none]]), ['hero'], 4, 1, []).thumbnailFrame, 2);
});

test("the clip stays inside the thumbnail's shot when the shot is long enough", () => {
  assert.deepEqual(clipAround(50, 300, 120, [30, 200]), [30, 150], 'clamped to the shot start');
  assert.deepEqual(clipAround(190, 300, 120, [30, 200]), [80, 200], 'clamped to the shot end');
  assert.deepEqual(clipAround(100, 300, 120, [30, 200]), [40, 160], 'centred');
  assert.deepEqual(clipAround(10, 300, 120, [20]), [0, 120], 'a short shot: the clip crosses the cut');
  assert.deepEqual(clipAround(5, 60, 120, []), [0, 60], 'a video shorter than the clip');
});
