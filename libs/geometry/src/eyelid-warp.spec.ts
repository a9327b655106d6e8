import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  COVER_FROM,
  COVER_FULL,
  EYE_LID_PAIRS,
  eyeAspect,
  eyeFrame,
  eyeOpening,
  eyeSurround,
  gazeOf,
  irisShift,
  lidScale,
  LID_MEET,
  setEyelids,
  SURROUND_BELOW,
  SURROUND_FEATHER,
  SURROUND_REACH,
  surroundCover,
  surroundRadius,
  surroundWeight,
} from './eyelid-warp';
import { findIris, IRIS_RADIUS } from './iris';
import { createPlane } from './plane';
import { syntheticFaceLandmarks } from './synthetic-face';

const face = syntheticFaceLandmarks({ centerX: 256, centerY: 256, faceWidth: 270, rollDegrees: 12 });

describe('setEyelids', () => {
  for (const s of [0, 0.25, 0.5, 1, 1.1]) {
    test(`puts each lid edge at openness ${s}: the pair's gap is ${s} × the open gap, closing at the meeting line`, () => {
      const out = setEyelids(face, [s, s], new Float32Array(136));
      for (const eye of [0, 1] as const) {
        for (const [up, low] of EYE_LID_PAIRS[eye]) {
          const open = Math.hypot(face[2 * up] - face[2 * low], face[2 * up + 1] - face[2 * low + 1]);
          const gap = Math.hypot(out[2 * up] - out[2 * low], out[2 * up + 1] - out[2 * low + 1]);
          assert.ok(Math.abs(gap - s * open) < 1e-3, `eye ${eye} pair ${up}/${low}: gap ${gap} vs ${s * open}`);
          // The upper lid's edge lies on the segment from the open upper lid to the meeting point.
          const mx = face[2 * low] + LID_MEET * (face[2 * up] - face[2 * low]);
          const my = face[2 * low + 1] + LID_MEET * (face[2 * up + 1] - face[2 * low + 1]);
          assert.ok(Math.abs(out[2 * up] - (mx + s * (face[2 * up] - mx))) < 1e-3);
          assert.ok(Math.abs(out[2 * up + 1] - (my + s * (face[2 * up + 1] - my))) < 1e-3);
        }
        assert.ok(Math.abs(eyeAspect(out, eye) - s * eyeAspect(face, eye)) < 1e-4, 'aspect ratio scales with the openness');
      }
    });
  }

  test('closed: the upper lid comes down most of the way (the lower lid rises only LID_MEET)', () => {
    const out = setEyelids(face, [0, 1], new Float32Array(136));
    const [up, low] = EYE_LID_PAIRS[0][0];
    const travelUp = Math.hypot(out[2 * up] - face[2 * up], out[2 * up + 1] - face[2 * up + 1]);
    const travelLow = Math.hypot(out[2 * low] - face[2 * low], out[2 * low + 1] - face[2 * low + 1]);
    assert.ok(travelUp > 4 * travelLow, `${travelUp} vs ${travelLow}`);
    // The other eye and every non-lid point are untouched.
    for (let i = 0; i < 68; i++) {
      if (i === 37 || i === 38 || i === 40 || i === 41) continue;
      assert.equal(out[2 * i], face[2 * i]);
      assert.equal(out[2 * i + 1], face[2 * i + 1]);
    }
  });

  test('lidScale: ratio of openness, capped, neutral when the child is unknown', () => {
    assert.ok(Math.abs(lidScale(0.4, 1) - 0.15 / 0.55) < 1e-9); // 0.4 of the character's open eye: on the ramp from SHUT_BELOW to the dead band
    assert.equal(lidScale(0.2, 1), 0); // mid-blink: shut
    assert.equal(lidScale(0.85, 1), 1); // inside the dead band: open, whatever the noise
    assert.equal(lidScale(0.95, 1), 1);
    assert.equal(lidScale(Number.NaN, 0.95), 1 / 0.95); // no measurement: open
    assert.equal(lidScale(1, 0.5), 1.1);
    assert.equal(lidScale(0, 0.8), 0);
    assert.equal(lidScale(0.4, 0), 1);
  });
});

describe('irisShift', () => {
  test('follows the gaze where there is room and keeps the iris inside the eye for any gaze', () => {
    for (const eye of [0, 1] as const) {
      const f = eyeFrame(face, eye);
      const iris = { x: f.cx, y: f.cy, r: IRIS_RADIUS * f.width };
      const small = irisShift(f, iris, [0, 0], [0.1, 0]);
      assert.ok(Math.abs(Math.hypot(small[0], small[1]) - 0.1 * f.width) < 1e-3, 'a small gaze moves it by gaze × width');
      for (let gx = -2; gx <= 2; gx += 0.25) {
        for (let gy = -2; gy <= 2; gy += 0.5) {
          const d = irisShift(f, iris, [0, 0], [gx, gy]);
          const x = iris.x + d[0],
            y = iris.y + d[1];
          const along = (x - f.cx) * f.ux + (y - f.cy) * f.uy;
          const across = (x - f.cx) * f.nx + (y - f.cy) * f.ny;
          assert.ok(Math.abs(along) <= f.width / 2 - 0.8 * iris.r + 1e-4, `gaze ${gx},${gy}: along ${along}`);
          assert.ok(Math.abs(across) <= 0.25 * f.gap + 1e-4, `gaze ${gx},${gy}: across ${across}`);
          const g = gazeOf(f, { x, y });
          if (Math.abs(gx) <= 0.2 && Math.abs(gy) <= 0.25) assert.ok(Math.abs(g[0] - gx) < 1e-4 && Math.abs(g[1] - gy) < 1e-4);
        }
      }
    }
  });
});

describe('findIris', () => {
  test('finds a dark disc drawn off-centre in a bright eye', () => {
    const lm = syntheticFaceLandmarks({ centerX: 256, centerY: 256, faceWidth: 400 });
    const plane = createPlane(512, 512, 200);
    const f = eyeFrame(lm, 0);
    const tx = f.cx + 0.15 * f.width,
      ty = f.cy,
      r = IRIS_RADIUS * f.width;
    for (let y = 0; y < 512; y++) for (let x = 0; x < 512; x++) if (Math.hypot(x + 0.5 - tx, y + 0.5 - ty) < r) plane.data[y * 512 + x] = 40;
    const found = findIris(plane, lm, 0)!;
    assert.ok(found, 'found');
    assert.ok(Math.hypot(found.x - tx, found.y - ty) < 0.1 * r + 1, `${found.x},${found.y} vs ${tx},${ty}`);
    assert.ok(found.contrast > 100);
    assert.ok(Math.abs(gazeOf(f, found)[0] - 0.15) < 0.03);
    assert.equal(findIris(plane, setEyelids(lm, [0, 0], new Float32Array(136)), 0), null, 'a closed eye has no iris');
  });
});

describe('eyeOpening', () => {
  test('follows the lids and hardly moves when the head turns', () => {
    const front = syntheticFaceLandmarks({ centerX: 256, centerY: 256, faceWidth: 270 });
    const turned = syntheticFaceLandmarks({ centerX: 256, centerY: 256, faceWidth: 270, yawDegrees: 35 });
    const rel = (a: number, b: number) => Math.abs(a - b) / b;
    assert.ok(rel(eyeOpening(turned, 0), eyeOpening(front, 0)) < 0.05, 'opening steady under yaw');
    const half = setEyelids(front, [0.5, 0.5], new Float32Array(136));
    assert.ok(Math.abs(eyeOpening(half, 1) - 0.5 * eyeOpening(front, 1)) < 1e-4);
  });
});

describe('the shut eye surround', () => {
  // An upright eye 60 wide with a lid gap of 20: corners on the eye line, lid points a third of the way in.
  const eye = new Float32Array(136);
  const pts = [
    [100, 50],
    [120, 40],
    [140, 40],
    [160, 50],
    [140, 60],
    [120, 60],
  ];
  pts.forEach(([x, y], k) => {
    eye[2 * (36 + k)] = x;
    eye[2 * (36 + k) + 1] = y;
    eye[2 * (42 + k)] = x + 100;
    eye[2 * (42 + k) + 1] = y;
  });

  test('the ellipse runs through the corners and the upper lid points; its lower half reaches SURROUND_BELOW deeper', () => {
    const s = eyeSurround(eye, 0);
    assert.ok(Math.abs(s.cx - 130) < 1e-9 && Math.abs(s.cy - 50) < 1e-9);
    for (const [x, y] of [pts[0], pts[1], pts[2], pts[3]]) assert.ok(Math.abs(surroundRadius(s, x, y) - 1) < 1e-9, `${x},${y}: ${surroundRadius(s, x, y)}`);
    // The lower lid points sit well inside (the photo's eye reaches below them).
    for (const [x, y] of [pts[4], pts[5]]) assert.ok(surroundRadius(s, x, y) < 0.75);
    assert.ok(Math.abs(surroundRadius(s, 130, 50 + SURROUND_BELOW * s.b) - 1) < 1e-9);
    // Turned with the eye: the same eye rotated by 30° about its centre gives the same radii.
    const c = Math.cos(Math.PI / 6),
      sn = Math.sin(Math.PI / 6);
    const turned = new Float32Array(eye);
    for (let k = 36; k < 48; k++) {
      const x = eye[2 * k] - 130,
        y = eye[2 * k + 1] - 50;
      turned[2 * k] = 130 + c * x - sn * y;
      turned[2 * k + 1] = 50 + sn * x + c * y;
    }
    const t = eyeSurround(turned, 0);
    assert.ok(Math.abs(surroundRadius(t, 130 - sn * 12, 50 + c * 12) - surroundRadius(s, 130, 62)) < 1e-6);
  });

  test('weight: 1 inside, a soft edge, 0 from SURROUND_REACH on; degenerate eyes cover nothing', () => {
    assert.equal(surroundWeight(0.5), 1);
    assert.equal(surroundWeight(SURROUND_REACH - 1.01 * SURROUND_FEATHER), 1);
    assert.ok(Math.abs(surroundWeight(SURROUND_REACH - SURROUND_FEATHER / 2) - 0.5) < 1e-9);
    assert.equal(surroundWeight(SURROUND_REACH), 0);
    assert.equal(surroundWeight(Infinity), 0);
    const flat = new Float32Array(136);
    assert.equal(surroundRadius(eyeSurround(flat, 0), 0, 0), Infinity);
  });

  test('cover: none for an open or half-open eye, all of it once the lids meet, monotone between', () => {
    assert.equal(surroundCover(1), 0);
    assert.equal(surroundCover(COVER_FROM), 0);
    assert.equal(surroundCover(Number.NaN), 0);
    assert.equal(surroundCover(COVER_FULL), 1);
    assert.equal(surroundCover(0), 1);
    let last = 0;
    for (let s = 0.6; s >= 0; s -= 0.05) {
      assert.ok(surroundCover(s) >= last);
      last = surroundCover(s);
    }
    // A story blink (shut mid-blink) on an open photo eye: lidScale 0, fully covered.
    assert.equal(surroundCover(lidScale(0.2, 1)), 1);
    assert.equal(surroundCover(lidScale(0.9, 1)), 0);
  });
});
