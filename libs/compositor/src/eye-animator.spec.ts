import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  eyeFrame,
  eyeSurround,
  gatherPoints,
  IRIS_RADIUS,
  LEFT_EYE,
  pointInPolygon,
  RIGHT_EYE,
  surroundRadius,
  syntheticFaceLandmarks,
  Yuv420,
} from '@talecast/geometry';
import { FrameCompositor, FrameTarget } from './frame-compositor';
import { prepareFace } from './prepared-face';
import { flatFace, greyFrame } from './test-faces';

const SIZE = 256,
  W = 640,
  H = 480;
const SKIN: [number, number, number] = [205, 160, 130];

/**
 * A flat face with white eyes and a dark iris drawn at `gaze` (x over eye width) in each eye; with
 * `reach` > 0 the white and the iris reach past the 68-point hexagon, as a photo's do (the white
 * out to that radius of the eye's surround ellipse, see eyeSurround).
 */
function eyedFace(gazeX: number, reach = 0) {
  const f = flatFace(SIZE, SKIN, { eyes: [250, 250, 250], brows: [90, 60, 40], mouth: [80, 30, 30] }, 0.05);
  for (const eye of [0, 1] as const) {
    if (reach > 0) {
      const s = eyeSurround(f.landmarks, eye);
      for (let y = 0; y < SIZE; y++)
        for (let x = 0; x < SIZE; x++) if (surroundRadius(s, x + 0.5, y + 0.5) < reach) f.rgba.set([250, 250, 250], 4 * (y * SIZE + x));
    }
    const fr = eyeFrame(f.landmarks, eye);
    const cx = fr.cx + gazeX * fr.width,
      cy = fr.cy,
      r = IRIS_RADIUS * fr.width;
    const poly = gatherPoints(f.landmarks, eye === 0 ? RIGHT_EYE : LEFT_EYE);
    for (let y = 0; y < SIZE; y++)
      for (let x = 0; x < SIZE; x++) {
        const inEye = reach > 0 ? surroundRadius(eyeSurround(f.landmarks, eye), x + 0.5, y + 0.5) < reach : pointInPolygon(poly, x + 0.5, y + 0.5);
        if (Math.hypot(x + 0.5 - cx, y + 0.5 - cy) < r && inEye) f.rgba.set([40, 30, 20], 4 * (y * SIZE + x));
      }
  }
  return prepareFace({ ...f, matrix: 'bt709', range: 'tv', style: 'photo', smallerLevels: 0 });
}

const frameLandmarks = syntheticFaceLandmarks({ centerX: 320, centerY: 240, faceWidth: 300, mouthOpen: 0.05 });
const colour = { mean: [150, 120, 140], std: [20, 4, 4], weight: 1000 };

function render(face: ReturnType<typeof eyedFace>, eyes: FrameTarget['eyes']): Yuv420 {
  const frame = greyFrame(W, H, 60);
  new FrameCompositor().composite(frame, face, { landmarks: frameLandmarks, colour, yaw: 0, mouthOpen: 0.05, occluders: [], eyes }, { childShape: 0 });
  return frame;
}

/** Dark (iris) and bright (sclera) luma pixels and the dark ones' mean x, within `box` around an eye. */
function eyeStats(frame: Yuv420, eye: 0 | 1) {
  const fr = eyeFrame(frameLandmarks, eye);
  let dark = 0,
    bright = 0,
    sx = 0;
  const perColumn = new Map<number, number>();
  for (let y = Math.floor(fr.cy - 0.45 * fr.width); y < fr.cy + 0.45 * fr.width; y++) {
    for (let x = Math.floor(fr.cx - fr.width); x < fr.cx + fr.width; x++) {
      const v = frame.y.data[y * W + x];
      if (v < 45) {
        dark++;
        sx += x + 0.5;
        perColumn.set(x, (perColumn.get(x) ?? 0) + 1);
      }
      if (v > 200) bright++;
    }
  }
  // How thick the dark pixels are (most in one column): an iris is a disc, a shut eye's lash line a line.
  return { dark, bright, meanX: dark ? sx / dark : NaN, darkHeight: Math.max(0, ...perColumn.values()), frame: fr };
}

describe('measureChildEyes', () => {
  test('finds each iris and its gaze in the photo, and paints it out of the iris-less copy', () => {
    const face = eyedFace(0.12);
    for (const eye of [0, 1] as const) {
      const iris = face.eyes.iris[eye]!;
      assert.ok(iris, `eye ${eye} iris`);
      assert.ok(Math.abs(face.eyes.gaze[2 * eye] - 0.12) < 0.04, `gaze ${face.eyes.gaze[2 * eye]}`);
      assert.equal(face.eyes.open[eye], 1);
      const p = Math.round(iris.y) * SIZE + Math.round(iris.x);
      assert.ok(face.texture.y.data[p] < 60 && face.eyes.irisless.y.data[p] > 180, 'iris in the texture, sclera in the iris-less copy');
    }
    assert.ok(face.eyes.eyeTriangles.length >= 6 * 3, 'eye triangles');
  });
});

describe('EyeAnimator in the compositor', () => {
  const face = eyedFace(0);

  test("eyes open and level: the child's eye shows as in the photo (iris and sclera)", () => {
    const frame = render(face, { open: [1, 1], gaze: [0, 0, 0, 0] });
    for (const eye of [0, 1] as const) {
      const s = eyeStats(frame, eye);
      assert.ok(s.dark > 30 && s.bright > 30, `eye ${eye}: ${s.dark} dark, ${s.bright} bright`);
      assert.ok(Math.abs(s.meanX - s.frame.cx) < 0.05 * s.frame.width, `iris centred: ${s.meanX} vs ${s.frame.cx}`);
    }
  });

  test("a blink: the lids close over the eye with the child's lid skin (no iris, no sclera)", () => {
    const open = render(face, { open: [1, 1], gaze: [0, 0, 0, 0] });
    const closed = render(face, { open: [0, 0], gaze: [0, 0, 0, 0] });
    const half = render(face, { open: [0.5, 0.5], gaze: [0, 0, 0, 0] });
    for (const eye of [0, 1] as const) {
      const o = eyeStats(open, eye),
        c = eyeStats(closed, eye),
        h = eyeStats(half, eye);
      // Shut: no sclera, and what is dark is the lash line (a few pixels tall), not the iris.
      assert.ok(c.bright < 0.1 * o.bright, `eye ${eye} closed: ${c.bright} bright vs open ${o.bright}`);
      assert.ok(c.darkHeight <= 0.35 * o.darkHeight, `eye ${eye} closed: dark ${c.darkHeight} px thick vs the open iris ${o.darkHeight}`);
      assert.ok(h.dark + h.bright < 0.75 * (o.dark + o.bright) && h.dark + h.bright > 0.25 * (o.dark + o.bright), `half: ${h.dark + h.bright}`);
    }
  });

  test('a blink also covers the white and iris the photo shows past the 68-point hexagon (the shut eye is lid skin only)', () => {
    const big = eyedFace(0, 1.25);
    const open = render(big, { open: [1, 1], gaze: [0, 0, 0, 0] });
    const closed = render(big, { open: [0, 0], gaze: [0, 0, 0, 0] });
    const half = render(big, { open: [0.6, 0.6], gaze: [0, 0, 0, 0] });
    for (const eye of [0, 1] as const) {
      const o = eyeStats(open, eye),
        c = eyeStats(closed, eye),
        h = eyeStats(half, eye);
      assert.ok(c.bright < 0.05 * o.bright, `eye ${eye} closed: ${c.bright} bright vs open ${o.bright}`);
      assert.ok(c.darkHeight <= 0.35 * o.darkHeight, `eye ${eye} closed: dark ${c.darkHeight} px thick vs the open iris ${o.darkHeight}`);
      // Partly open (story 0.6: lids at 0.64 of the photo's gap): the white past the hexagon is still the eye's own.
      assert.ok(h.bright > 0.4 * o.bright, `half-open keeps its white: ${h.bright} vs ${o.bright}`);
    }
  });

  test("the iris follows the gaze beyond the finder's noise and stays inside the eye, whatever the gaze", () => {
    for (const g of [0.05, 0.2, -0.2, 3, -3]) {
      const frame = render(face, { open: [1, 1], gaze: [g, 0, g, 0] });
      for (const eye of [0, 1] as const) {
        const s = eyeStats(frame, eye),
          fr = s.frame;
        assert.ok(s.dark > 20, `gaze ${g}: iris still visible (${s.dark})`);
        const moved = (s.meanX - fr.cx) / fr.width;
        // Within the dead band (0.08 eye widths) the iris stays; beyond it, it moves by the rest.
        const expected = Math.sign(g) * Math.max(0, Math.abs(g) - 0.08);
        if (Math.abs(g) < 1) assert.ok(Math.abs(moved - expected) < 0.05, `gaze ${g}: iris moved ${moved}, expected ${expected}`);
        else assert.ok(Math.sign(moved) === Math.sign(g) && Math.abs(moved) < 0.5 - (0.8 * IRIS_RADIUS) / 2, `gaze ${g}: clamped at ${moved}`);
        // No dark pixel outside the eye's contour.
        const poly = gatherPoints(frameLandmarks, eye === 0 ? RIGHT_EYE : LEFT_EYE);
        for (let y = Math.floor(fr.cy - 0.45 * fr.width); y < fr.cy + 0.45 * fr.width; y++) {
          for (let x = Math.floor(fr.cx - fr.width); x < fr.cx + fr.width; x++) {
            if (frame.y.data[y * W + x] < 45)
              assert.ok(
                pointInPolygon(poly, x + 0.5, y + 0.5) ||
                  [
                    [0, 0],
                    [1, 0],
                    [0, 1],
                    [1, 1],
                  ].some(([dx, dy]) => pointInPolygon(poly, x + dx, y + dy)),
                `dark pixel ${x},${y} outside the eye`,
              );
          }
        }
      }
    }
  });
});
