import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FrameData, FRAME_FIELDS, RECORD_FLOATS, StoryManifest } from '@talecast/precompute';
import { segmentTracks } from './segment-tracks';

test("segment tracks carry the story's eye data where it was measured, and none where it was not", () => {
  const frameCount = 3;
  const manifest = {
    video: { width: 64, height: 64, fps: 30, frameCount },
    roles: [{ name: 'hero', faceFrames: 3, occluders: [] }],
    frameData: { recordFloats: RECORD_FLOATS, roles: ['hero'] },
  } as unknown as StoryManifest;
  const records = new Float32Array(frameCount * RECORD_FLOATS);
  for (let f = 0; f < frameCount; f++) records[f * RECORD_FLOATS + FRAME_FIELDS.present[0]] = 1;
  const o = 1 * RECORD_FLOATS;
  records[o + FRAME_FIELDS.eyeData[0]] = 1;
  records.set([0.2, 0.9], o + FRAME_FIELDS.eyeOpen[0]);
  records.set([0.1, 0, -0.1, 0.05], o + FRAME_FIELDS.gaze[0]);
  const frames = new FrameData(manifest, records);
  const [track] = segmentTracks(
    manifest,
    frames,
    { index: 0, start: 0, end: 3 } as StoryManifest['segments'][number],
    new Map([['hero', Int32Array.of(0, 0, 0)]]),
  );
  assert.deepEqual([...track.hasEyes!], [0, 1, 0]);
  assert.deepEqual(
    [...track.eyes!.subarray(6, 12)].map((v) => Math.round(v * 100) / 100),
    [0.2, 0.9, 0.1, 0, -0.1, 0.05],
  );
});
