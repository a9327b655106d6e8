import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameData } from './frame-data';
import { FRAME_FIELDS, RECORD_FLOATS, RECORD_FLOATS_NO_EYES, StoryManifest } from './story-manifest';

const manifest = (recordFloats: number) => ({ video: { frameCount: 2 }, frameData: { recordFloats, roles: ['hero'] } }) as unknown as StoryManifest;

test('FrameData reads the eye fields where measured, and an older layout without them as "no eye data"', () => {
  const records = new Float32Array(2 * RECORD_FLOATS);
  records[RECORD_FLOATS + FRAME_FIELDS.present[0]] = 1;
  records[RECORD_FLOATS + FRAME_FIELDS.eyeData[0]] = 1;
  records[RECORD_FLOATS + FRAME_FIELDS.eyeOpen[0] + 1] = 0.25;
  const now = new FrameData(manifest(RECORD_FLOATS), records);
  assert.equal(now.hasEyes(0, 0), false);
  assert.equal(now.hasEyes(0, 1), true);
  assert.equal(now.field(0, 1, 'eyeOpen')[1], 0.25);
  const old = new FrameData(manifest(RECORD_FLOATS_NO_EYES), new Float32Array(2 * RECORD_FLOATS_NO_EYES).fill(1));
  assert.equal(old.present(0, 1), true);
  assert.equal(old.hasEyes(0, 1), false);
  assert.throws(() => old.field(0, 1, 'gaze'), RangeError);
});
