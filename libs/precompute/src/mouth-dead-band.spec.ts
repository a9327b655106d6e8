import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeMouth, gatherPoints, INNER_MOUTH, mouthOpenness, polygonArea, signedLipGap, syntheticFaceLandmarks } from '@talecast/geometry';
import { MOUTH_BAND_KNEE, MOUTH_DEAD_BAND, mouthGapThroughDeadBand, settleMouth } from './mouth-dead-band';
import { storyFrameRecords } from './frame-records';
import { COLOUR_DIMS } from './colour-stats';
import { EXPRESSION_DIMS, LANDMARK_DIMS } from './range-analyzer';
import { FRAME_FIELDS, RECORD_FLOATS } from './story-manifest';

test('mouthGapThroughDeadBand: closed in the band, continuous ramp, the reading again from the knee', () => {
  // The readings of a still photo mouth (stories a and b: 0.015–0.039) are all closed.
  for (const g of [0, 0.015, 0.027, 0.039, MOUTH_DEAD_BAND]) assert.equal(mouthGapThroughDeadBand(g), 0, `${g}`);
  assert.equal(mouthGapThroughDeadBand(NaN), 0);
  const full = MOUTH_DEAD_BAND * MOUTH_BAND_KNEE;
  for (const g of [full, 0.25, 0.45]) assert.equal(mouthGapThroughDeadBand(g), g);
  // Half way up the ramp: half the knee's gap; monotonic and continuous at both ends.
  assert.ok(Math.abs(mouthGapThroughDeadBand((MOUTH_DEAD_BAND + full) / 2) - full / 2) < 1e-12);
  let last = 0;
  for (let g = 0; g <= 0.3; g += 0.001) {
    const v = mouthGapThroughDeadBand(g);
    assert.ok(v >= last && v - last < 0.002, `${g}: ${last} → ${v}`);
    last = v;
  }
});

test('settleMouth: a mouth read slightly open is closed, a speaking one keeps its gap, on a turned face too', () => {
  for (const roll of [0, 14, -14]) {
    const ajar = Float32Array.from(syntheticFaceLandmarks({ centerX: 300, centerY: 240, faceWidth: 140, rollDegrees: roll, mouthOpen: 0.035 }));
    assert.ok(mouthOpenness(ajar) > 0.025, `${mouthOpenness(ajar)}`);
    assert.ok(mouthOpenness(settleMouth(ajar)) < 0.005, `roll ${roll}: ${mouthOpenness(ajar)}`);
    const talking = Float32Array.from(syntheticFaceLandmarks({ centerX: 300, centerY: 240, faceWidth: 140, rollDegrees: roll, mouthOpen: 0.3 }));
    const before = mouthOpenness(talking);
    assert.equal(mouthOpenness(settleMouth(talking)), before);
  }
});

test('storyFrameRecords: a mouth whose read gap wanders in the band is recorded still, an opening mouth keeps opening', () => {
  const n = 20;
  const track = {
    present: new Uint8Array(n).fill(1),
    landmarks: new Float32Array(n * LANDMARK_DIMS),
    expressions: new Float32Array(n * EXPRESSION_DIMS).fill(0.1),
    colour: new Float32Array(n * COLOUR_DIMS).fill(100),
    gaze: new Float32Array(n * 4).fill(0.1),
    eyeWhite: new Float32Array(n * 2).fill(NaN),
  };
  // Frames 0–9: the net's error on a still mouth (0.015–0.04); 10–19: the mouth opens to 0.3.
  for (let i = 0; i < n; i++) {
    const mouthOpen = i < 10 ? 0.015 + 0.025 * Math.abs(Math.sin(i)) : 0.03 * (i - 9);
    track.landmarks.set(syntheticFaceLandmarks({ centerX: 200, centerY: 200, faceWidth: 160, mouthOpen }), i * LANDMARK_DIMS);
  }
  const { records, expressionFrames } = storyFrameRecords(['hero'], [track], n);
  const gap = (i: number) => records[i * RECORD_FLOATS + FRAME_FIELDS.mouthOpen[0]];
  const lm = (i: number) => records.subarray(i * RECORD_FLOATS + FRAME_FIELDS.landmarks[0], i * RECORD_FLOATS + FRAME_FIELDS.landmarks[0] + LANDMARK_DIMS);
  for (let i = 0; i < 10; i++) {
    assert.ok(gap(i) < 0.005, `frame ${i}: ${gap(i)}`);
    assert.ok(Math.abs(mouthOpenness(lm(i)) - gap(i)) < 1e-6, 'the recorded landmarks are the settled ones');
  }
  for (let i = 13; i < n; i++) assert.ok(gap(i) > gap(i - 1), `frame ${i}: ${gap(i - 1)} → ${gap(i)}`);
  assert.ok(gap(19) > 0.28);
  assert.equal(expressionFrames[3].mouthOpen, Math.round(gap(3) * 1000) / 1000);
});

test('settleMouth: lips the net put crossed (pressed lips, story b) meet, whatever the crossing', () => {
  for (const cross of [0.01, 0.04]) {
    const lm = closeMouth(Float32Array.from(syntheticFaceLandmarks({ centerX: 300, centerY: 240, faceWidth: 140, rollDegrees: 10 })));
    // Lower inner lips pushed above the upper ones by `cross` of the mouth's width, along the face's down.
    const width = Math.hypot(lm[108] - lm[96], lm[109] - lm[97]);
    const down = [-Math.sin((10 * Math.PI) / 180), Math.cos((10 * Math.PI) / 180)];
    // ... and 61/67 apart across the face as well, as the net read story b (0.019 of the width): no inner mouth area may stay.
    for (const k of [65, 66, 67]) {
      lm[2 * k] -= cross * width * down[0];
      lm[2 * k + 1] -= cross * width * down[1];
    }
    lm[2 * 67] += 0.019 * width * down[1];
    lm[2 * 67 + 1] -= 0.019 * width * down[0];
    assert.ok(mouthOpenness(lm) > 0.9 * cross, 'distances read a crossed mouth as open');
    assert.ok(Math.abs(signedLipGap(lm) + cross) < 1e-4);
    assert.ok(Math.abs(polygonArea(gatherPoints(lm, INNER_MOUTH, new Float32Array(16)))) > 0.5, 'the crossed inner mouth has an area');
    settleMouth(lm);
    assert.ok(Math.abs(signedLipGap(lm)) < 1e-4, `${cross}: ${signedLipGap(lm)}`);
    assert.ok(mouthOpenness(lm) < 1e-6, `${cross}: ${mouthOpenness(lm)}`);
    assert.ok(Math.abs(polygonArea(gatherPoints(lm, INNER_MOUTH, new Float32Array(16)))) < 1e-3, 'no inner mouth left to draw an interior in');
  }
});
