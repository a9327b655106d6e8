import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPlane, eyeFrame, IRIS_RADIUS, setEyelids, syntheticFaceLandmarks, Yuv420 } from '@talecast/geometry';

function createYuv(w: number, h: number): Yuv420 {
  return { y: createPlane(w, h, 0), u: createPlane(w >> 1, h >> 1, 128), v: createPlane(w >> 1, h >> 1, 128) };
}
import {
  EYE_TRACK_DIMS,
  eyeTrack,
  eyeWhiteArea,
  heldFrom,
  IRIS_HOLD,
  IRIS_READ,
  IRIS_TIE,
  irisOpenness,
  irisReadingDue,
  lidCap,
  measureGaze,
  whiteOpenness,
} from './eye-measure';

describe('eyeTrack', () => {
  test('openness is 1 when open for this character, and a 3-frame blink stays below half on its frames', () => {
    const n = 40,
      open = syntheticFaceLandmarks({ centerX: 200, centerY: 200, faceWidth: 180 });
    const lm = new Float32Array(n * 136);
    const blink = [20, 21, 22];
    for (let i = 0; i < n; i++) lm.set(blink.includes(i) ? setEyelids(open, [0.1, 0.1], new Float32Array(136)) : open, i * 136);
    const track = eyeTrack(lm, null, new Uint8Array(n).fill(1), new Set());
    for (let i = 0; i < n; i++) {
      const o = track[i * EYE_TRACK_DIMS];
      if (blink.includes(i)) assert.ok(o < 0.5, `frame ${i}: ${o}`);
      else if (Math.abs(i - 21) > 3) assert.ok(o > 0.95, `frame ${i}: ${o}`);
    }
  });

  test('gaze: unknown frames hold their neighbours, and a run never crosses a cut', () => {
    const n = 10,
      lm = new Float32Array(n * 136),
      gaze = new Float32Array(n * 4).fill(NaN);
    for (let i = 0; i < n; i++) lm.set(syntheticFaceLandmarks({ centerX: 100, centerY: 100, faceWidth: 90 }), i * 136);
    gaze[1 * 4] = 0.2;
    gaze[8 * 4] = -0.2;
    const track = eyeTrack(lm, gaze, new Uint8Array(n).fill(1), new Set([5]));
    assert.ok(Math.abs(track[0 * EYE_TRACK_DIMS + 2] - 0.2) < 1e-5 && Math.abs(track[4 * EYE_TRACK_DIMS + 2] - 0.2) < 1e-5);
    assert.ok(Math.abs(track[5 * EYE_TRACK_DIMS + 2] + 0.2) < 1e-5 && Math.abs(track[9 * EYE_TRACK_DIMS + 2] + 0.2) < 1e-5);
  });
});

describe('measureGaze', () => {
  test('reads a drawn iris looking right, and NaN for a closed eye', () => {
    const lm = syntheticFaceLandmarks({ centerX: 320, centerY: 240, faceWidth: 300 });
    const luma = createPlane(640, 480, 220);
    for (const eye of [0, 1] as const) {
      const f = eyeFrame(lm, eye),
        cx = f.cx + 0.2 * f.width,
        r = IRIS_RADIUS * f.width;
      for (let y = 0; y < 480; y++) for (let x = 0; x < 640; x++) if (Math.hypot(x + 0.5 - cx, y + 0.5 - f.cy) < r) luma.data[y * 640 + x] = 30;
    }
    const g = measureGaze(luma, lm, new Float32Array(4));
    assert.ok(Math.abs(g[0] - 0.2) < 0.04 && Math.abs(g[2] - 0.2) < 0.04, `${g}`);
    const closed = measureGaze(luma, setEyelids(lm, [0, 0], new Float32Array(136)), new Float32Array(4));
    assert.ok(Number.isNaN(closed[0]) && Number.isNaN(closed[2]));
  });
});

describe('eye white', () => {
  test('an eye whose lid landmarks stay open but whose white dips counts as closing; a lasting change of level does not', () => {
    const n = 60,
      open = syntheticFaceLandmarks({ centerX: 200, centerY: 200, faceWidth: 180 });
    const lm = new Float32Array(n * 136),
      white = new Float32Array(n * 2).fill(0.12);
    for (let i = 0; i < n; i++) lm.set(open, i * 136);
    for (const i of [20, 21, 22]) white[i * 2] = white[i * 2 + 1] = 0.01;
    // From frame 40 on the white is lower for good (a turned head, other light): no dip.
    for (let i = 40; i < n; i++) white[i * 2] = white[i * 2 + 1] = 0.07;
    const track = eyeTrack(lm, null, new Uint8Array(n).fill(1), new Set(), white);
    for (const i of [20, 21, 22]) assert.ok(track[i * EYE_TRACK_DIMS] < 0.5 && track[i * EYE_TRACK_DIMS + 1] < 0.5, `frame ${i}: ${track[i * EYE_TRACK_DIMS]}`);
    for (const i of [5, 35, 39, 40, 41, 55])
      assert.ok(track[i * EYE_TRACK_DIMS] > 0.95 && track[i * EYE_TRACK_DIMS + 1] > 0.95, `frame ${i}: ${track[i * EYE_TRACK_DIMS]}`);
  });

  test('the level never crosses a cut, and too little white around a frame tells nothing', () => {
    const n = 30,
      present = new Uint8Array(n).fill(1),
      white = new Float32Array(n * 2).fill(0.12);
    // A short shot with less white between two with more: read across the cuts it would be a look down.
    for (let i = 10; i < 20; i++) white[i * 2] = white[i * 2 + 1] = 0.065;
    white[25 * 2] = 0.0;
    assert.ok(whiteOpenness(white, present, new Set())[15 * 2] < 0.5);
    const o = whiteOpenness(white, present, new Set([10, 20]));
    for (const i of [10, 15, 19]) assert.equal(o[i * 2], 1);
    assert.ok(o[25 * 2] === 0, `a dip inside the shot: ${o[25 * 2]}`);
    const little = new Float32Array(n * 2).fill(0.12);
    for (let i = 10; i < 20; i++) little[i * 2] = little[i * 2 + 1] = 0.02;
    assert.ok(Number.isNaN(whiteOpenness(little, present, new Set([10, 20]))[15 * 2]));
  });

  test("counts a drawn eye's white, none when the eye is shut; NaN on a neutral skin or a tiny eye", () => {
    const lm = syntheticFaceLandmarks({ centerX: 320, centerY: 240, faceWidth: 300 });
    const skin = () => {
      const f = createYuv(640, 480);
      f.y.data.fill(190);
      f.u.data.fill(112);
      f.v.data.fill(148);
      return f;
    };
    const openEye = skin(),
      shut = skin(),
      grey = skin();
    grey.u.data.fill(128);
    grey.v.data.fill(129);
    for (const eye of [0, 1] as const) {
      const f = eyeFrame(lm, eye);
      for (let y = 0; y < 480; y++)
        for (let x = 0; x < 640; x++) {
          const inEye = Math.abs(x + 0.5 - f.cx) < f.width / 2 && Math.abs(y + 0.5 - f.cy) < 0.25 * f.width;
          if (inEye) {
            openEye.y.data[y * 640 + x] = 245;
            openEye.u.data[(y >> 1) * 320 + (x >> 1)] = 127;
            openEye.v.data[(y >> 1) * 320 + (x >> 1)] = 129;
          }
          if (Math.abs(y + 0.5 - f.cy) < 1.5 && Math.abs(x + 0.5 - f.cx) < f.width / 2) shut.y.data[y * 640 + x] = 30;
        }
    }
    const a = eyeWhiteArea(openEye, lm, new Float32Array(2)),
      b = eyeWhiteArea(shut, lm, new Float32Array(2));
    for (const e of [0, 1]) assert.ok(a[e] > 0.2 && b[e] === 0, `eye ${e}: open ${a[e]}, shut ${b[e]}`);
    assert.ok(eyeWhiteArea(grey, lm, new Float32Array(2)).every(Number.isNaN));
    const tiny = syntheticFaceLandmarks({ centerX: 320, centerY: 240, faceWidth: 30 });
    assert.ok(eyeWhiteArea(openEye, tiny, new Float32Array(2)).every(Number.isNaN));
  });
});

describe('iris model readings', () => {
  const openLm = syntheticFaceLandmarks({ centerX: 200, centerY: 200, faceWidth: 180 });
  const steady = (n: number, w = 0.12) => new Float32Array(n * 2).fill(w);

  test('read where the white cannot tell, where an eye dips, and on the level samples; a dip of both eyes every other frame', () => {
    const n = 20,
      present = new Uint8Array(n).fill(1),
      none = new Float32Array(n * 2).fill(NaN),
      frame = (k: number) => 2 + k; // even story frames at even k, never a multiple of IRIS_READ.every for k < 20
    // Analysed forwards: the frames up to k are measured, those after not yet.
    const upTo = (k: number) => present.map((p, j) => (j <= k ? p : 0));
    const due = (white: Float32Array, k: number, start = 0, iris = none) => irisReadingDue(white, iris, upTo(k), k, start, frame(k), ['none', 'none']);
    const white = steady(n);
    assert.deepEqual(due(white, 10), ['none', 'none']);
    white[10 * 2 + 1] = NaN;
    assert.deepEqual(due(white, 10), ['none', 'read'], 'no white reading');
    white[10 * 2 + 1] = 0.12;
    white[10 * 2] = 0.5 * 0.12;
    assert.deepEqual(due(white, 10), ['read', 'none'], 'one eye dips');
    // Both eyes dip (a look down, a blink) on frames 10–12: read on the even story frames, held on the odd one between.
    for (const k of [10, 11, 12]) white[k * 2] = white[k * 2 + 1] = 0.5 * 0.12;
    const iris = new Float32Array(n * 2).fill(NaN);
    assert.deepEqual(due(white, 10, 0, iris), ['read', 'read'], 'both dip, an even frame');
    iris[10 * 2] = iris[10 * 2 + 1] = 0.4;
    assert.deepEqual(due(white, 11, 0, iris), ['hold', 'hold'], 'both dip, an odd frame after a reading');
    assert.deepEqual(due(white, 11, 0, none), ['read', 'read'], 'nothing read the frame before: read');
    assert.deepEqual(due(white, 11, 11, iris), ['none', 'none'], "the frame before is another shot's");
    // A dip is measured against the same shot's frames only: on a shot's first frame there is nothing to compare with.
    assert.deepEqual(due(white, 10, 10), ['none', 'none']);
    assert.deepEqual(irisReadingDue(steady(n), none, present, 10, 0, IRIS_READ.every * 3, ['none', 'none']), ['read', 'read'], 'level sample');
  });

  test('a frame reached by a look back (the frames after it measured, not those before) weighs its white against the frames after', () => {
    const n = 20,
      frame = (k: number) => 2 + k,
      none = new Float32Array(n * 2).fill(NaN);
    // The face was found on k 12 and followed back to k 8: only 8–12 are measured.
    const present = new Uint8Array(n);
    for (let k = 8; k <= 12; k++) present[k] = 1;
    const white = steady(n);
    white[8 * 2] = 0.3 * 0.12; // one eye's white dips alone (a misread wink): the model is asked
    assert.deepEqual(irisReadingDue(white, none, present, 8, 0, frame(8), ['none', 'none']), ['read', 'none']);
    // The level comes only from the unbroken run after k: a measured frame beyond a gap does not count.
    const gap = new Uint8Array(n);
    gap[8] = gap[11] = 1;
    assert.deepEqual(irisReadingDue(white, none, gap, 8, 0, frame(8), ['none', 'none']), ['none', 'none']);
    // Both eyes dip on an odd frame: the frame after's reading stands when the frame before is not measured.
    white[7 * 2] = white[7 * 2 + 1] = 0.3 * 0.12;
    present[7] = 1;
    const iris = new Float32Array(n * 2).fill(NaN);
    iris[8 * 2] = iris[8 * 2 + 1] = 0.2;
    const before = new Uint8Array(present);
    before[6] = 0;
    assert.deepEqual(irisReadingDue(white, iris, before, 7, 0, frame(7), ['none', 'none']), ['hold', 'hold']);
    assert.equal(heldFrom(before, 7, 0), 8);
    before[6] = 1;
    assert.equal(heldFrom(before, 7, 0), 6, 'the frame before first');
    assert.equal(heldFrom(before, 7, 7), 8, "the frame before is another shot's");
    assert.equal(heldFrom(new Uint8Array(n), 7, 0), -1);
  });

  test('an odd frame of a both-eye dip holds only a reading near the eye’s open level; a closing eye is read', () => {
    const n = 20,
      frame = (k: number) => 2 + k,
      present = new Uint8Array(n),
      white = steady(n),
      iris = new Float32Array(n * 2).fill(NaN);
    for (let k = 0; k <= 11; k++) present[k] = 1;
    iris[2 * 2] = iris[2 * 2 + 1] = 0.45; // the eye's open level (a level sample)
    for (const k of [10, 11]) white[k * 2] = white[k * 2 + 1] = 0.2 * 0.12;
    iris[10 * 2] = 0.42; // eye 0 read near open the frame before: a look down, held
    iris[10 * 2 + 1] = 0.3; // eye 1 read closing: a blink, read again
    assert.deepEqual(irisReadingDue(white, iris, present, 11, 0, frame(11), ['none', 'none']), ['hold', 'read']);
    assert.ok(0.42 >= IRIS_HOLD * 0.45 && 0.3 < IRIS_HOLD * 0.45);
    // Without any earlier reading the neighbour's own is the level: held (a look down's first frames).
    const alone = new Float32Array(n * 2).fill(NaN);
    alone[10 * 2] = alone[10 * 2 + 1] = 0.3;
    assert.deepEqual(irisReadingDue(white, alone, present, 11, 0, frame(11), ['none', 'none']), ['hold', 'hold']);
  });

  test('a reading is taken over the role’s own open level; too few readings give none', () => {
    const n = 40,
      present = new Uint8Array(n).fill(1),
      iris = new Float32Array(n * 2).fill(NaN);
    for (let i = 0; i < 20; i++) iris[i * 2] = 0.45;
    iris[5 * 2] = 0.1;
    iris[6 * 2] = 0.3;
    const o = irisOpenness(iris, present);
    assert.equal(o[0], 1);
    assert.equal(o[5 * 2], 0, 'a blink');
    assert.ok(Math.abs(o[6 * 2] - (0.3 / 0.45 - 0.3) / 0.5) < 1e-6, `half-lidded: ${o[6 * 2]}`);
    assert.ok(Number.isNaN(o[30 * 2]) && Number.isNaN(o[1]), 'not read; eye 1 never read');
  });

  test('the white may read at most IRIS_TIE more closed than the model; either alone caps', () => {
    assert.equal(lidCap(0.02, 0.95), 0.95 - IRIS_TIE, 'a misread white (one eye, a shot end)');
    assert.equal(lidCap(0.1, 0.05), 0.1, 'a blink both read');
    assert.equal(lidCap(NaN, 0.2), 0.2);
    assert.equal(lidCap(0.3, NaN), 0.3);
    assert.ok(Number.isNaN(lidCap(NaN, NaN)));
  });

  test('eyeTrack: a blink the white cannot see (a tiny eye) closes by the model, and a one-eyed white dip the model reads open does not', () => {
    const n = 60,
      lm = new Float32Array(n * 136),
      white = steady(n),
      iris = new Float32Array(n * 2).fill(NaN);
    for (let i = 0; i < n; i++) lm.set(openLm, i * 136);
    // Frames 10–29: no white (eyes too small), the model read every frame: open 0.45, a blink at 18–20.
    for (let i = 10; i < 30; i++) {
      white[i * 2] = white[i * 2 + 1] = NaN;
      iris[i * 2] = iris[i * 2 + 1] = i >= 18 && i <= 20 ? 0.08 : 0.45;
    }
    // Frame 45: eye 0's white drops to nothing (a misread), the model reads it open.
    white[45 * 2] = 0;
    iris[45 * 2] = 0.44;
    const without = eyeTrack(lm, null, new Uint8Array(n).fill(1), new Set(), white);
    const track = eyeTrack(lm, null, new Uint8Array(n).fill(1), new Set(), white, iris);
    assert.ok(without[19 * EYE_TRACK_DIMS] > 0.9, 'the white alone misses the blink');
    for (const i of [18, 19, 20]) assert.ok(track[i * EYE_TRACK_DIMS] < 0.5 && track[i * EYE_TRACK_DIMS + 1] < 0.5, `frame ${i}: ${track[i * EYE_TRACK_DIMS]}`);
    assert.ok(track[14 * EYE_TRACK_DIMS] > 0.95, `open: ${track[14 * EYE_TRACK_DIMS]}`);
    assert.ok(without[45 * EYE_TRACK_DIMS] < 0.5, 'the white alone shuts it');
    assert.ok(track[45 * EYE_TRACK_DIMS] > 0.5, `vetoed: ${track[45 * EYE_TRACK_DIMS]}`);
  });

  test('eyeTrack: a look down both whites overstate stays over half where the model reads it nearly open', () => {
    const n = 60,
      lm = new Float32Array(n * 136),
      white = steady(n),
      iris = new Float32Array(n * 2).fill(NaN);
    for (let i = 0; i < n; i++) lm.set(openLm, i * 136);
    for (let i = 0; i < n; i += 5) iris[i * 2] = iris[i * 2 + 1] = 0.45; // the level samples
    // Frames 30–35: both whites drop to a fifth (the lids lowered over a look down); the model reads 0.9 of open on the
    // even frames, held on the odd ones (as irisReadingDue asks).
    for (let i = 30; i <= 35; i++) {
      white[i * 2] = white[i * 2 + 1] = 0.2 * 0.12;
      iris[i * 2] = iris[i * 2 + 1] = 0.9 * 0.45;
    }
    const without = eyeTrack(lm, null, new Uint8Array(n).fill(1), new Set(), white);
    const track = eyeTrack(lm, null, new Uint8Array(n).fill(1), new Set(), white, iris);
    for (let i = 31; i <= 34; i++) {
      assert.ok(without[i * EYE_TRACK_DIMS] < 0.1, `the white alone shuts it: ${without[i * EYE_TRACK_DIMS]}`);
      assert.ok(track[i * EYE_TRACK_DIMS] > 0.5 && track[i * EYE_TRACK_DIMS] < 1, `frame ${i}: ${track[i * EYE_TRACK_DIMS]}`);
    }
  });
});
