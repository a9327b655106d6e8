import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { engineSecondsOf } from './cli-render';

describe('cli render row', () => {
  test("the engine's seconds come from the summary line", () => {
    const out =
      'face sample1.jpg: 3 face(s), using #0 (happy); warnings: ROTATED\n' +
      'rendered /d/generated/x/video.mp4: 1800 frames, 60.0 s of video in 6.2 s (9.68x real time; 19 segments composited, 12 copied)\n';
    assert.equal(engineSecondsOf(out), 6.2);
    assert.equal(engineSecondsOf('error RENDER_FAILED: no\n'), undefined);
  });
});
