import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rgbToYuv, Yuv420, yuvCoefficients } from '@talecast/geometry';
import { blendCardOverlay, cardOverlayFromRgba } from './title-card-overlay';

function greyFrame(width: number, height: number, y: number, u: number, v: number): Yuv420 {
  const plane = (w: number, h: number, value: number) => ({ data: new Uint8Array(w * h).fill(value), width: w, height: h, stride: w });
  return { y: plane(width, height, y), u: plane(width >> 1, height >> 1, u), v: plane(width >> 1, height >> 1, v) };
}

/** A 16×8 card: transparent, with an opaque white 4×2 block at (5, 3) and a half-transparent red pixel at (12, 6). */
function card(): Uint8Array {
  const rgba = new Uint8Array(16 * 8 * 4);
  for (let y = 3; y < 5; y++) for (let x = 5; x < 9; x++) rgba.set([255, 255, 255, 255], (y * 16 + x) * 4);
  rgba.set([255, 0, 0, 128], (6 * 16 + 12) * 4);
  return rgba;
}

test('cardOverlayFromRgba: cropped to the non-transparent pixels on even bounds, codes in the story matrix and range', () => {
  const o = cardOverlayFromRgba(card(), 16, 8, 'bt709', 'tv')!;
  assert.deepEqual([o.x, o.y, o.width, o.height], [4, 2, 10, 6]);
  // White in limited range is Y 235, neutral chroma.
  assert.equal(o.luma[(3 - 2) * 10 + (5 - 4)], 235);
  assert.equal(o.alpha[(3 - 2) * 10 + (5 - 4)], 255);
  assert.equal(o.alpha[0], 0);
  // The red pixel's chroma sample: alpha is the 2x2 mean, the colour is the red one (transparent neighbours lend nothing).
  const c = (6 >> 1) - 1;
  const cx = (12 >> 1) - 2;
  const red = rgbToYuv(255, 0, 0, yuvCoefficients('bt709', 'tv'));
  assert.equal(o.chromaAlpha[c * 5 + cx], 32);
  assert.equal(o.cr[c * 5 + cx], Math.round(red[2]));
  assert.equal(cardOverlayFromRgba(new Uint8Array(16 * 8 * 4), 16, 8, 'bt709', 'tv'), null, 'nothing to draw');
});

test('blendCardOverlay: opaque pixels take the card, transparent ones stay, opacity scales, 0 leaves the frame alone', () => {
  const o = cardOverlayFromRgba(card(), 16, 8, 'bt601', 'tv')!;
  const full = greyFrame(16, 8, 100, 128, 128);
  blendCardOverlay(full, o, 1);
  assert.equal(full.y.data[3 * 16 + 5], 235, 'white where the card is opaque');
  assert.equal(full.y.data[0], 100, 'untouched outside the card');
  assert.equal(full.y.data[3 * 16 + 4], 100, 'untouched where the card is transparent');
  const red = rgbToYuv(255, 0, 0, yuvCoefficients('bt601', 'tv'));
  const halfWay = 100 + (red[0] - 100) * (128 / 255);
  assert.ok(Math.abs(full.y.data[6 * 16 + 12] - halfWay) <= 1, `half-transparent: half way (${full.y.data[6 * 16 + 12]} vs ${halfWay.toFixed(1)})`);

  const half = greyFrame(16, 8, 100, 128, 128);
  blendCardOverlay(half, o, 0.5);
  assert.ok(Math.abs(half.y.data[3 * 16 + 5] - (100 + 135 / 2)) <= 1, `half opacity: ${half.y.data[3 * 16 + 5]}`);

  const none = greyFrame(16, 8, 100, 128, 128);
  blendCardOverlay(none, o, 0);
  assert.ok(none.y.data.every((v) => v === 100) && none.u.data.every((v) => v === 128));
});
