import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { engineSecondsOf, wasHandedOver } from './cli-render';

describe('cli render row', () => {
  test("the engine's seconds come from the summary line", () => {
    const out =
      'face sample1.jpg: 3 face(s), using #0 (happy); warnings: ROTATED\n' +
      'rendered /d/generated/x/video.mp4: 1800 frames, 60.0 s of video in 6.2 s (9.68x real time; 19 segments composited, 12 copied)\n';
    assert.equal(engineSecondsOf(out), 6.2);
    assert.equal(engineSecondsOf('error RENDER_FAILED: no\n'), undefined);
  });

  test('a handed-over run is told by the line the CLI writes, not by its timing', () => {
    assert.equal(wasHandedOver('render handed to the running Talecast process (pid 4242)\nrendered …\n'), true);
    assert.equal(wasHandedOver('the running Talecast process (pid 4242) runs another build; rendering in this process\n'), false);
    assert.equal(wasHandedOver('rendered /d/generated/x/video.mp4: 1800 frames\n'), false);
  });
});
