import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setEyelids, syntheticFaceLandmarks } from '@talecast/geometry';
import { cleanRoleTrack, dropShortRuns, fillMissing, fillShortGaps } from './track-cleaning';
import { EXPRESSION_DIMS, LANDMARK_DIMS, RangeResult } from './range-analyzer';
import { COLOUR_DIMS } from './colour-stats';
import { EYE_TRACK_DIMS } from './eye-measure';
import { storyFrameRecords } from './frame-records';
import { FRAME_FIELDS, RECORD_FLOATS } from './story-manifest';

const presence = (s: string) => Uint8Array.from(s, (c) => (c === '#' ? 1 : 0));
const text = (p: Uint8Array) => Array.from(p, (v) => (v ? '#' : '.')).join('');

test('fillShortGaps: a gap of up to maxGap frames inside a shot is interpolated, not across a cut', () => {
  const present = presence('##..##...#');
  const landmarks = new Float32Array(present.length * LANDMARK_DIMS);
  landmarks.fill(10, 1 * LANDMARK_DIMS, 2 * LANDMARK_DIMS);
  landmarks.fill(40, 4 * LANDMARK_DIMS, 5 * LANDMARK_DIMS);
  fillShortGaps({ present, landmarks }, new Set(), 2);
  assert.equal(text(present), '######...#', 'the 3-frame gap stays open');
  assert.equal(landmarks[2 * LANDMARK_DIMS], 20);
  assert.equal(landmarks[3 * LANDMARK_DIMS + 5], 30);
  const cut = presence('##..##');
  fillShortGaps({ present: cut, landmarks: new Float32Array(cut.length * LANDMARK_DIMS) }, new Set([3]), 2);
  assert.equal(text(cut), '##..##');
});

test('dropShortRuns: runs shorter than the minimum go, a cut splits a run', () => {
  const p = presence('#.###.##..####');
  dropShortRuns(p, new Set(), 3);
  assert.equal(text(p), '..###.....####');
  const q = presence('######');
  dropShortRuns(q, new Set([2]), 3);
  assert.equal(text(q), '..####');
});

test('dropShortRuns: a short run that fills most of a short shot is the face of that shot and stays', () => {
  // Shots: 0..9, 10..14 (5 frames), 15..24. Minimum run 9 frames.
  const p = presence('..####....####.....####...');
  dropShortRuns(p, new Set([10, 15]), 9);
  assert.equal(text(p), '..........####............', 'the 4 frames of the 5-frame shot stay; the others are short in long shots');
  const q = presence('..........##..............');
  dropShortRuns(q, new Set([10, 15]), 9);
  assert.equal(text(q), '..........................', '2 of 5 frames are not enough');
});

test('fillMissing: NaN samples take the nearest known value in their run, else 0', () => {
  const present = presence('####.##');
  const v = Float32Array.from([NaN, 2, NaN, NaN, 7, NaN, NaN]);
  fillMissing(v, 1, present, new Set());
  assert.deepEqual([...v], [2, 2, 2, 2, 7, 0, 0]);
  const w = Float32Array.from([1, NaN, NaN, 5]);
  fillMissing(w, 1, presence('####'), new Set([2]));
  assert.deepEqual([...w], [1, 1, 5, 5]);
});

test("cleanRoleTrack: the eye track comes from the raw landmarks (a 3-frame blink survives the landmark smoothing) and the ranges' gaze; the records carry it", () => {
  const n = 30,
    open = syntheticFaceLandmarks({ centerX: 200, centerY: 200, faceWidth: 160 });
  const closed = setEyelids(open, [0.05, 0.05], new Float32Array(136));
  const range: RangeResult = {
    startFrame: 0,
    frameCount: n,
    cuts: [],
    roles: {
      hero: {
        present: new Uint8Array(n).fill(1),
        landmarks: new Float32Array(n * LANDMARK_DIMS),
        expressions: new Float32Array(n * EXPRESSION_DIMS).fill(0.1),
        colour: new Float32Array(n * COLOUR_DIMS).fill(100),
        gaze: new Float32Array(n * 4).fill(0.1),
        eyeWhite: new Float32Array(n * 2).fill(NaN),
      },
    },
    timings: {
      decodeMs: 0,
      detectMs: 0,
      landmarkMs: 0,
      expressionMs: 0,
      colourMs: 0,
      eyesMs: 0,
      detections: 0,
      verifications: 0,
      relocations: 0,
      landmarkRuns: 0,
      irisReads: 0,
      lookedBack: 0,
    },
  };
  for (let i = 0; i < n; i++) range.roles.hero.landmarks.set(i >= 14 && i < 17 ? closed : open, i * LANDMARK_DIMS);
  const track = cleanRoleTrack([range], 'hero', n, new Set(), {
    fps: 30,
    maxGapFrames: 3,
    minTrackSeconds: 0.2,
    landmarkSigma: 2,
    colourSigma: 2,
    expressionSigma: 2,
  });
  for (const i of [14, 15, 16]) assert.ok(track.eyes[i * EYE_TRACK_DIMS] < 0.5, `frame ${i}: ${track.eyes[i * EYE_TRACK_DIMS]}`);
  assert.ok(track.eyes[5 * EYE_TRACK_DIMS] > 0.95 && Math.abs(track.eyes[5 * EYE_TRACK_DIMS + 2] - 0.1) < 1e-5);
  const { records } = storyFrameRecords(['hero'], [track], n);
  const at = (i: number, field: keyof typeof FRAME_FIELDS, k = 0) => records[i * RECORD_FLOATS + FRAME_FIELDS[field][0] + k];
  assert.equal(at(15, 'eyeData'), 1);
  assert.ok(at(15, 'eyeOpen') < 0.5 && at(15, 'eyeOpen', 1) < 0.5 && at(5, 'eyeOpen') > 0.95);
  assert.ok(Math.abs(at(5, 'gaze', 2) - 0.1) < 1e-5);
});

test('storyFrameRecords: a head turning away gets the yaw its eye spacing says when the nose offset under-reads it; a frontal face keeps its own', () => {
  const n = 40;
  const track = {
    present: new Uint8Array(n).fill(1),
    landmarks: new Float32Array(n * LANDMARK_DIMS),
    expressions: new Float32Array(n * EXPRESSION_DIMS).fill(0.1),
    colour: new Float32Array(n * COLOUR_DIMS).fill(100),
    gaze: new Float32Array(n * 4).fill(0.1),
    eyeWhite: new Float32Array(n * 2).fill(NaN),
  };
  const frontal = syntheticFaceLandmarks({ centerX: 200, centerY: 200, faceWidth: 160 });
  const turned = syntheticFaceLandmarks({ centerX: 200, centerY: 200, faceWidth: 160, yawDegrees: 57 });
  // The turned face's nose put back in the middle of the face, as the landmark network does on a drawn face turning away.
  const underRead = Float32Array.from(turned);
  const frontalNoseX = frontal[60] - 200 + (turned[0] + turned[32]) / 2;
  for (const p of [54, 56, 58, 60, 62, 64, 66, 68, 70]) underRead[p] += frontalNoseX - turned[60];
  for (let i = 0; i < n; i++) track.landmarks.set(i === 20 ? underRead : frontal, i * LANDMARK_DIMS);
  const { records } = storyFrameRecords(['hero'], [track], n);
  const yawAt = (i: number) => records[i * RECORD_FLOATS + FRAME_FIELDS.yaw[0]];
  assert.ok(Math.abs(yawAt(5)) < 1, `frontal ${yawAt(5)}`);
  assert.ok(Math.abs(Math.abs(yawAt(20)) - 57) < 5, `turned ${yawAt(20)}`);
});
