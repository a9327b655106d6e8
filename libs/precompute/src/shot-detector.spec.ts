import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frameThumbnail, ShotCutDetector, thumbnailDifference } from './shot-detector';

function frame(w: number, h: number, rgb: [number, number, number], shift = 0): Uint8Array {
  const f = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      const stripe = ((x + shift) >> 4) & 1 ? 20 : 0;
      f[o] = rgb[0] + stripe;
      f[o + 1] = rgb[1] + stripe;
      f[o + 2] = rgb[2] + stripe;
    }
  return f;
}

test('a change of scene is a cut; motion within a shot is not', () => {
  const detector = new ShotCutDetector();
  const w = 128,
    h = 72;
  let prev = frameThumbnail(frame(w, h, [100, 140, 200]), w, h);
  const cuts: number[] = [];
  for (let i = 1; i < 40; i++) {
    // Same brightness, different hue after frame 20; the stripes move every frame.
    const colour: [number, number, number] = i < 20 ? [100, 140, 200] : [170, 140, 110];
    const cur = frameThumbnail(frame(w, h, colour, i * 3), w, h);
    if (detector.isCut(thumbnailDifference(prev, cur))) cuts.push(i);
    prev = cur;
  }
  assert.deepEqual(cuts, [20]);
});
