import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticFaceLandmarks } from '@talecast/geometry';
import { FEATURE_POINTS, featureCover, featurePointName } from './insertion-metrics';
import { compactFrames } from './tale-eval';

describe('drawn features under the insertion (featureCover)', () => {
  const truth = syntheticFaceLandmarks({ centerX: 160, centerY: 130, faceWidth: 100 });
  const bbox = { x: 60, y: 40, width: 200, height: 200 };
  const plane = (value: number) => ({ data: new Float32Array(bbox.width * bbox.height).fill(value), width: bbox.width, height: bbox.height });
  const set = (p: ReturnType<typeof plane>, x: number, y: number, v: number) => (p.data[(y - bbox.y) * p.width + (x - bbox.x)] = v);

  test('every feature under full alpha: 1, and all 43 points checked', () => {
    const c = featureCover(plane(1), bbox, truth, 0.1);
    assert.equal(c.minAlpha, 1);
    assert.equal(c.points, FEATURE_POINTS.length);
  });

  test("a hole just outside the image-right eye's outer corner, within the margin, is found there; outside the margin it is not", () => {
    const a = plane(1);
    const x = Math.round(truth[90]),
      y = Math.round(truth[91]);
    // The corner's path runs outwards (away from the features' centroid: to the right and a little up here).
    for (let k = 2; k <= 5; k++) for (let dy = -2; dy <= 2; dy++) set(a, x + k, y + dy, 0.2);
    const c = featureCover(a, bbox, truth, 0.2);
    assert.ok(Math.abs(c.minAlpha - 0.2) < 1e-6);
    assert.equal(c.worst, 45);
    assert.match(featurePointName(c.worst), /outer corner/);
    // With no margin only the points themselves are read: the hole is past the corner.
    assert.equal(featureCover(a, bbox, truth, 0).minAlpha, 1);
  });

  test('skipped points (behind an occluder) are not checked; no insertion reads 0', () => {
    const a = plane(1);
    set(a, Math.floor(truth[2 * 30]), Math.floor(truth[2 * 30 + 1]), 0);
    assert.equal(featureCover(a, bbox, truth, 0).minAlpha, 0);
    const nose = (x: number, y: number) => Math.hypot(x - truth[60], y - truth[61]) < 0.5;
    assert.equal(featureCover(a, bbox, truth, 0, nose).minAlpha, 1);
    assert.equal(featureCover(a, bbox, truth, 0, nose).points, FEATURE_POINTS.length - 1);
    assert.equal(featureCover(a, null, truth, 0.1).minAlpha, 0);
    // A path stops where it leaves what is checked: a hole past the frame's edge beside the corner is not read.
    const b = plane(1);
    const x = Math.round(truth[90]),
      y = Math.round(truth[91]);
    for (let k = 2; k <= 5; k++) for (let dy = -2; dy <= 2; dy++) set(b, x + k, y + dy, 0);
    assert.equal(featureCover(b, bbox, truth, 0.2).minAlpha, 0);
    assert.equal(featureCover(b, bbox, truth, 0.2, (px) => px > x + 1).minAlpha, 1);
  });

  test('frame lists print as runs', () => {
    assert.equal(compactFrames([9, 17, 18, 19, 20, 82, 84, 85]), '9, 17-20, 82, 84-85');
    assert.equal(compactFrames([]), '');
  });
});
