import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FRAME_FIELDS, FrameData, RECORD_FLOATS, StoryManifest } from '@talecast/precompute';
import { pickPreviewFrame, previewRole } from './hero-preview';

/** Frame data for one role: per frame, present?, inter-ocular distance (px) and yaw (degrees). */
function framesOf(spec: { present: boolean; eyes: number; yaw: number }[], fps = 30): FrameData {
  const manifest = { video: { frameCount: spec.length, fps }, cuts: [], frameData: { roles: ['hero'] } } as unknown as StoryManifest;
  const records = new Float32Array(spec.length * RECORD_FLOATS);
  spec.forEach((s, f) => {
    const o = f * RECORD_FLOATS;
    records[o + FRAME_FIELDS.present[0]] = s.present ? 1 : 0;
    // Eyes as six points each around two centres `eyes` apart (landmarks 36-41 and 42-47).
    const lm = FRAME_FIELDS.landmarks[0];
    for (let i = 36; i < 48; i++) {
      records[o + lm + i * 2] = i < 42 ? 100 : 100 + s.eyes;
      records[o + lm + i * 2 + 1] = 200;
    }
    records[o + FRAME_FIELDS.yaw[0]] = s.yaw;
  });
  return new FrameData(manifest, records);
}

test('the first present, frontal frame at least 60 % as large as the largest', () => {
  const frames = framesOf([
    { present: false, eyes: 0, yaw: 0 },
    { present: true, eyes: 20, yaw: 0 }, // too small (20 < 0.6 × 60)
    { present: true, eyes: 50, yaw: 40 }, // turned
    { present: true, eyes: 40, yaw: -10 }, // this one
    { present: true, eyes: 60, yaw: 0 },
  ]);
  assert.equal(pickPreviewFrame(frames, 'hero'), 3);
});

test('without a frontal frame, the largest; without the role or any face, none', () => {
  assert.equal(
    pickPreviewFrame(
      framesOf([
        { present: true, eyes: 30, yaw: 50 },
        { present: true, eyes: 60, yaw: 45 },
      ]),
      'hero',
    ),
    1,
  );
  assert.equal(pickPreviewFrame(framesOf([{ present: false, eyes: 0, yaw: 0 }]), 'hero'), null);
  assert.equal(pickPreviewFrame(framesOf([{ present: true, eyes: 50, yaw: 0 }]), 'villain'), null);
});

test('the preview shows the hero, else the first role', () => {
  assert.equal(previewRole(['friend', 'hero']), 'hero');
  assert.equal(previewRole(['fox']), 'fox');
  assert.equal(previewRole([]), null);
});

test('a face fading in (the first frames of its run) is passed over for a steady one', () => {
  const on = (eyes: number) => ({ present: true, eyes, yaw: 0 });
  // 2 fps: a margin of round(0.6 × 2) = 1 frame at each end of the run 1..5.
  const frames = framesOf([{ present: false, eyes: 0, yaw: 0 }, on(80), on(30), on(50), on(55), on(60), { present: false, eyes: 0, yaw: 0 }], 2);
  assert.equal(pickPreviewFrame(frames, 'hero'), 3, 'frame 1 (the dissolve) and 2 (too small against 55) are skipped');
});
