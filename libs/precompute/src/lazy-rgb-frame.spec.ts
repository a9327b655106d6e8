import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rgbaToYuv420, yuv420FrameBytes, yuv420ToRgba, yuv420View, yuvCoefficients } from '@talecast/geometry';
import { LazyRgbFrame } from './lazy-rgb-frame';

/** A packed yuv420p frame (as ffmpeg writes it) of a colourful test pattern, odd size. */
function packedFrame(width: number, height: number): Uint8Array {
  const rgba = new Uint8Array(width * height * 4);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const o = 4 * (j * width + i);
      rgba[o] = (i * 7) & 255;
      rgba[o + 1] = (j * 11) & 255;
      rgba[o + 2] = ((i + j) * 5) & 255;
      rgba[o + 3] = 255;
    }
  }
  const yuv = rgbaToYuv420(rgba, width, height, 'bt709', 'tv');
  const buf = new Uint8Array(yuv420FrameBytes(width, height));
  buf.set(yuv.y.data, 0);
  buf.set(yuv.u.data, width * height);
  buf.set(yuv.v.data, width * height + yuv.u.data.length);
  return buf;
}

test('converted areas match a whole-frame conversion; other pixels are left alone', () => {
  const width = 37,
    height = 23;
  const buf = packedFrame(width, height);
  const frame = yuv420View(buf, width, height);
  const reference = yuv420ToRgba(frame, 'bt709', 'tv');
  const lazy = new LazyRgbFrame(width, height, yuvCoefficients('bt709', 'tv'));
  lazy.rgb.fill(7);
  lazy.reset(frame);
  lazy.ensure({ x: 10.4, y: 5.6, width: 8, height: 6 }, 1);
  lazy.ensurePixels(Int32Array.of(0, width * height - 1));
  const inside = (i: number, j: number) => (i >= 9 && i < 20 && j >= 4 && j < 13) || (i === 0 && j === 0) || (i === width - 1 && j === height - 1);
  let maxDiff = 0;
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const o = j * width + i;
      for (let c = 0; c < 3; c++) {
        if (inside(i, j)) maxDiff = Math.max(maxDiff, Math.abs(lazy.rgb[3 * o + c] - reference[4 * o + c]));
        else assert.equal(lazy.rgb[3 * o + c], 7, `pixel ${i},${j} was converted`);
      }
    }
  }
  assert.ok(maxDiff <= 1, `converted pixels differ from the whole-frame conversion by ${maxDiff}`);
  lazy.ensureAll();
  for (let o = 0; o < width * height; o++) for (let c = 0; c < 3; c++) assert.ok(Math.abs(lazy.rgb[3 * o + c] - reference[4 * o + c]) <= 1);
});

test('a new frame is converted afresh, and a rectangle outside the frame converts nothing', () => {
  const width = 16,
    height = 10;
  const a = yuv420View(packedFrame(width, height), width, height);
  const b = yuv420View(new Uint8Array(yuv420FrameBytes(width, height)).fill(128), width, height);
  const lazy = new LazyRgbFrame(width, height, yuvCoefficients('bt601', 'pc'));
  lazy.reset(a);
  lazy.ensure({ x: 0, y: 0, width: 4, height: 4 });
  lazy.reset(b);
  lazy.ensure({ x: 0, y: 0, width: 4, height: 4 }); // same area, new frame: converted again
  assert.deepEqual([...lazy.rgb.subarray(0, 3)], [128, 128, 128]);
  lazy.ensure({ x: -50, y: -50, width: 10, height: 10 });
  assert.throws(() => lazy.reset(yuv420View(new Uint8Array(yuv420FrameBytes(8, 8)), 8, 8)), RangeError);
});
