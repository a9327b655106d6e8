import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectionAreas } from './detection-area';

const WHOLE = { crop: { x: 0, y: 0, width: 1280, height: 720 }, inputSize: 416 };

test('no active region: nothing to detect', () => {
  assert.deepEqual(detectionAreas([], 1280, 720, 416), []);
});

test('a small region: a crop around it with a margin, on a smaller input at the whole frame scale', () => {
  const [area, ...rest] = detectionAreas([{ box: [0.22, 0.216, 0.38, 0.535] }], 1280, 720, 416);
  assert.equal(rest.length, 0);
  // 0.15 of 1280 = 192 px around x 281.6..486.4, y 155.5..385.2, clipped to the frame
  assert.deepEqual(area.crop, { x: 89, y: 0, width: 590, height: 578 });
  // 590 px at 416/1280 = 192 (a multiple of 32): under a quarter of the whole frame's 416² input
  assert.equal(area.inputSize, 192);
  assert.ok(area.inputSize * (1280 / 416) >= area.crop.width, 'the crop fits the input at the whole frame scale or larger');
});

test('two regions far apart: two small crops when they cost less than one around both', () => {
  const areas = detectionAreas([{ box: [0.22, 0.216, 0.38, 0.535] }, { box: [0.8, 0.3, 0.95, 0.5] }], 1280, 720, 416);
  assert.equal(areas.length, 2);
  assert.ok(areas.reduce((c, a) => c + a.inputSize ** 2, 0) < 416 ** 2);
});

test('overlapping regions share one crop', () => {
  const areas = detectionAreas([{ box: [0.3, 0.3, 0.4, 0.5] }, { box: [0.35, 0.3, 0.45, 0.5] }], 1280, 720, 416);
  assert.equal(areas.length, 1);
  assert.ok(areas[0].crop.x <= 0.3 * 1280 - 192 && areas[0].crop.x + areas[0].crop.width >= 0.45 * 1280 + 192);
});

test('regions spread over the frame cost no more than the whole frame; one region as large as the frame: the whole frame alone', () => {
  const spread = detectionAreas([{ box: [0, 0.1, 0.1, 0.9] }, { box: [0.45, 0.1, 0.55, 0.9] }, { box: [0.9, 0.1, 1, 0.9] }], 1280, 720, 416);
  assert.ok(spread.reduce((c, a) => c + a.inputSize ** 2, 0) < 416 ** 2);
  assert.deepEqual(detectionAreas([{ box: [0, 0, 1, 1] }], 1280, 720, 416), [WHOLE]);
});

test('a tiny region: the input never goes below 128', () => {
  const areas = detectionAreas([{ box: [0.5, 0.5, 0.5001, 0.5001] }], 2000, 1000, 416);
  assert.equal(areas.length, 1);
  assert.equal(areas[0].inputSize, 128);
});
