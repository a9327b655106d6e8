import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { faceMeshPoints, FOREHEAD_ARC, foreheadArcCentre, orient2d, rgbToYuv, syntheticFaceLandmarks, yuvCoefficients } from '@talecast/geometry';
import { CHILD_MOUTH_SHAPE, CHILD_SHAPE, FrameCompositor, FrameTarget, growOutline, TOON_CHILD_SHAPE, TOON_OUTLINE_GROW } from './frame-compositor';
import { prepareFace, TOON_JAW_GROW } from './prepared-face';
import { flatFace, greyFrame, Rgb } from './test-faces';
import { flattenShading, SHADING_CELL, StoryShading } from './face-shading';

const SKIN: Rgb = [205, 160, 130];
const HAIR: Rgb = [60, 40, 30];
const FEATURES = { eyes: [30, 20, 20] as Rgb, brows: [90, 60, 40] as Rgb, mouth: [120, 20, 30] as Rgb };
const K = yuvCoefficients('bt709', 'tv');
const SKIN_Y = rgbToYuv(SKIN[0], SKIN[1], SKIN[2], K)[0];
const size = 128;

/** Hair over the left cheek's edge, inside the jaw line (a lock of hair, an ear): x and y ranges. */
const LOCK = [27, 34, 58, 80];
const inLock = (x: number, y: number) => x >= LOCK[0] && x < LOCK[1] && y >= LOCK[2] && y < LOCK[3];

/** The flat face with hair from the top down to `hairLine` and a lock over the left cheek's edge. */
function hairyFace(hairLine: number) {
  const f = flatFace(size, SKIN, FEATURES);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) if (y < hairLine || inLock(x, y)) f.rgba.set(HAIR, 4 * (y * size + x));
  return f;
}

function browTop(landmarks: Float32Array): number {
  let top = Infinity;
  for (let i = 17; i < 27; i++) top = Math.min(top, landmarks[2 * i + 1]);
  return top;
}

describe('one face, not two: the child texture holds skin wherever the mask covers', () => {
  const plain = flatFace(size, SKIN, FEATURES);
  const hairLine = Math.round(browTop(plain.landmarks) - 14);
  const hairy = hairyFace(hairLine);
  const f = prepareFace({ ...hairy, matrix: 'bt709', range: 'tv', style: 'photo', skinFill: true, flattenShading: false });
  const rule = prepareFace({ ...plain, matrix: 'bt709', range: 'tv', style: 'photo', skinFill: true, flattenShading: false });

  test("the forehead arc ends just below the child's hairline; a child without hair there keeps the rule's arc", () => {
    const top = FOREHEAD_ARC[FOREHEAD_ARC.length >> 1];
    const y = f.meshPoints[2 * top + 1];
    assert.ok(y > hairLine && y < hairLine + 6, `arc top at ${y}, hairline ${hairLine}`);
    assert.ok(y < browTop(f.landmarks) - 4, 'above the brows');
    assert.ok(rule.meshPoints[2 * top + 1] < hairLine - 10, 'the rule puts it higher, in the hair');
    for (let k = 0; k < FOREHEAD_ARC.length; k++) {
      const i = FOREHEAD_ARC[k];
      assert.ok(Math.hypot(f.meshPoints[2 * i] - rule.meshPoints[2 * i], f.meshPoints[2 * i + 1] - rule.meshPoints[2 * i + 1]) >= 0);
    }
  });

  test('no triangle folds over, even when the hair starts right above the brows', () => {
    const low = prepareFace({
      ...hairyFace(Math.round(browTop(plain.landmarks) - 3)),
      matrix: 'bt709',
      range: 'tv',
      style: 'photo',
      skinFill: true,
      flattenShading: false,
    });
    for (const face of [f, low]) {
      const p = face.meshPoints,
        t = face.triangles;
      for (let i = 0; i < t.length; i += 3) {
        assert.ok(orient2d(p[2 * t[i]], p[2 * t[i] + 1], p[2 * t[i + 1]], p[2 * t[i + 1] + 1], p[2 * t[i + 2]], p[2 * t[i + 2] + 1]) > 0, `triangle ${i / 3}`);
      }
    }
  });

  test('hair is replaced by skin colour wherever the mask is above zero; skin and features stay', () => {
    let covered = 0;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        if (!(f.mask.data[y * size + x] > 0)) continue;
        covered++;
        const v = f.texture.y.data[y * size + x];
        if (y < hairLine - 1 || inLock(x, y)) assert.ok(Math.abs(v - SKIN_Y) < 4, `hair left at ${x},${y}: ${v} vs skin ${SKIN_Y}`);
      }
    assert.ok(covered > 0.3 * size * size, `mask covers ${covered}`);
    // The lock (hair in the photo) is inside the mask now: the cut would have left the character's skin there.
    const cut = prepareFace({ ...hairy, matrix: 'bt709', range: 'tv', style: 'photo', flattenShading: false, skinFill: false });
    assert.ok(
      f.mask.data[70 * size + 31] > 0.8 && cut.mask.data[70 * size + 31] < 0.05,
      `lock ${f.mask.data[70 * size + 31]} (cut: ${cut.mask.data[70 * size + 31]})`,
    );
    const nose = [Math.round(f.landmarks[2 * 30]), Math.round(f.landmarks[2 * 30 + 1])];
    assert.equal(f.texture.y.data[nose[1] * size + nose[0]], Math.round(SKIN_Y));
    const eye = [Math.round((f.landmarks[2 * 37] + f.landmarks[2 * 40]) / 2), Math.round((f.landmarks[2 * 37 + 1] + f.landmarks[2 * 40 + 1]) / 2)];
    assert.ok(f.texture.y.data[eye[1] * size + eye[0]] < 40, 'the eye stays dark');
    // The forehead just under the new arc is fully covered (the fade starts at FILLED_FOREHEAD_FADE[0] of its height).
    const top = FOREHEAD_ARC[FOREHEAD_ARC.length >> 1];
    const eyeY = (f.landmarks[2 * 37 + 1] + f.landmarks[2 * 44 + 1]) / 2;
    const y50 = Math.round(eyeY - 0.5 * (eyeY - f.meshPoints[2 * top + 1]));
    assert.equal(f.mask.data[y50 * size + Math.round(f.landmarks[2 * 27])], 1);
  });

  test('smaller copies keep the same arc (scaled), so switching copies never moves the forehead', () => {
    const top = FOREHEAD_ARC[FOREHEAD_ARC.length >> 1];
    assert.ok(f.smaller.length > 0);
    const half = f.smaller[0];
    assert.ok(
      Math.abs(half.meshPoints[2 * top + 1] * 2 - f.meshPoints[2 * top + 1]) < 1.5,
      `${half.meshPoints[2 * top + 1] * 2} vs ${f.meshPoints[2 * top + 1]}`,
    );
  });
});

describe("the shot's light on the child's face", () => {
  test("flattenShading divides the photo's own low-frequency light out of its skin", () => {
    const f = flatFace(size, SKIN);
    const p = prepareFace({ ...f, matrix: 'bt709', range: 'tv', style: 'photo', flattenShading: false, skinFill: false });
    // Light from the left: the skin's luma falls from 1.25× to 0.75× of its level across the face.
    const y = { ...p.texture.y, data: Uint8Array.from(p.texture.y.data) };
    for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) y.data[j * size + i] = Math.round(16 + (SKIN_Y - 16) * (1.25 - (0.5 * i) / size));
    const skin = { data: new Float32Array(size * size).fill(1), width: size, height: size };
    const before = y.data[64 * size + 100] - y.data[64 * size + 28];
    flattenShading(y, skin, 0.5 * size * 0.58, 16);
    const after = y.data[64 * size + 100] - y.data[64 * size + 28];
    assert.ok(Math.abs(after) < 0.25 * Math.abs(before), `left-right difference ${before} → ${after}`);
  });

  const W = 320,
    H = 240;
  /** A frame whose face region is skin-chroma with light falling from image-left (bright) to image-right (dark). */
  function shadedFrame() {
    const frame = greyFrame(W, H, 40, 128, 128);
    for (let y = 0; y < H; y++)
      for (let x = 80; x < 240; x++) {
        frame.y.data[y * W + x] = Math.round(170 - (80 * (x - 80)) / 160);
        if ((x & 1) === 0 && (y & 1) === 0) {
          frame.u.data[(y >> 1) * (W >> 1) + (x >> 1)] = 110;
          frame.v.data[(y >> 1) * (W >> 1) + (x >> 1)] = 150;
        }
      }
    return frame;
  }
  const landmarks = syntheticFaceLandmarks({ centerX: 160, centerY: 120, faceWidth: 100, mouthOpen: 0.05 });
  const target: FrameTarget = { landmarks, colour: { mean: [130, 110, 150], std: [22, 2, 2], weight: 1000 }, yaw: 0, mouthOpen: 0.05, occluders: [] };
  const child = prepareFace({ ...flatFace(128, SKIN, undefined, 0.05), matrix: 'bt709', range: 'tv', style: 'photo', skinFill: true });
  const cheeks = (frame: ReturnType<typeof greyFrame>) => {
    const l = Math.round(landmarks[2 * 2] + 0.25 * (landmarks[2 * 30] - landmarks[2 * 2]));
    const r = Math.round(landmarks[2 * 14] + 0.25 * (landmarks[2 * 30] - landmarks[2 * 14]));
    const yy = Math.round(landmarks[2 * 30 + 1]);
    return [frame.y.data[yy * W + l], frame.y.data[yy * W + r]];
  };

  test("the story's light falls on the child: the lit cheek is brighter than the shaded one, as in the story", () => {
    const story = cheeks(shadedFrame());
    const lit = shadedFrame();
    new FrameCompositor().composite(lit, child, target, { shading: true });
    const flat = shadedFrame();
    new FrameCompositor().composite(flat, child, target, { shading: false });
    const [sl, sr] = story,
      [ll, lr] = cheeks(lit),
      [fl, fr] = cheeks(flat);
    assert.ok(Math.abs(fl - fr) <= 2, `without shading the flat child stays flat: ${fl} ${fr}`);
    assert.ok(ll - lr > 0.5 * (sl - sr), `with shading ${ll} vs ${lr}; story ${sl} vs ${sr}`);
    assert.ok(ll - lr < 1.3 * (sl - sr), 'not more than the story');
  });

  test('StoryShading gives gains around 1 that follow the light, and none without skin', () => {
    const s = new StoryShading();
    const region = { x: 100, y: 60, width: 120, height: 130 };
    const outline = Float32Array.of(100, 60, 220, 60, 220, 190, 100, 190);
    assert.ok(s.measure(shadedFrame(), region, outline, target.colour, 40, 16));
    const g = s.gainPlane().data;
    const left = g[65 * 120 + 5],
      right = g[65 * 120 + 115];
    assert.ok(left > 1.1 && right < 0.9, `gains ${left} ${right}`);
    assert.ok(s.variance > 50, `shading variance ${s.variance}`);
    assert.equal(s.measure(greyFrame(W, H, 40, 60, 200), region, outline, target.colour, 40, 16), false);
  });
});

describe("the character's fringe stays over the child's forehead", () => {
  const W = 320,
    H = 240;
  const landmarks = syntheticFaceLandmarks({ centerX: 160, centerY: 130, faceWidth: 100, mouthOpen: 0.05 });
  const colour = { mean: [150, 110, 150], std: [6, 2, 2], weight: 1000 };
  const target: FrameTarget = { landmarks, colour, yaw: 0, mouthOpen: 0.05, occluders: [] };
  let browTopY = Infinity;
  for (let i = 17; i < 27; i++) browTopY = Math.min(browTopY, landmarks[2 * i + 1]);
  const fringe = Math.round(browTopY - 18);
  /** Story skin everywhere, a dark fringe (hair colour) over the face's top down to `fringe`, left half only. */
  function storyFrame() {
    const frame = greyFrame(W, H, 150, 110, 150);
    for (let y = 0; y < fringe; y++)
      for (let x = 0; x < 160; x++) {
        frame.y.data[y * W + x] = 50;
        frame.u.data[(y >> 1) * (W >> 1) + (x >> 1)] = 120;
        frame.v.data[(y >> 1) * (W >> 1) + (x >> 1)] = 140;
      }
    return frame;
  }
  const child = prepareFace({ ...flatFace(128, SKIN, undefined, 0.05), matrix: 'bt709', range: 'tv', style: 'photo', skinFill: true });

  test("the story's skin colour is measured without its fringe: mean and spread of the skin alone", () => {
    // The precomputed statistics as a drawn face gives them: pulled towards the fringe, spread wide.
    const polluted = { mean: [135, 112, 148], std: [35, 4, 4], weight: 1000 };
    const s = new StoryShading();
    const region = { x: 100, y: 40, width: 120, height: 160 };
    assert.ok(s.measure(storyFrame(), region, Float32Array.of(100, 40, 220, 40, 220, 200, 100, 200), polluted, 40, 16));
    const [y, u, v] = s.skin.mean;
    assert.ok(Math.abs(y - 150) < 1 && Math.abs(u - 110) < 0.5 && Math.abs(v - 150) < 0.5, `trimmed mean ${s.skin.mean}`);
    // (Only the samples straddling the fringe's edge, partly weighted, spread it at all.)
    assert.ok(s.skin.std[0] < 5 && s.skin.std[1] < 1 && s.skin.std[2] < 1, `trimmed spread ${s.skin.std}`);
  });

  test('fringe pixels in the upper forehead are left as drawn; the skin beside them is covered', () => {
    const kept = storyFrame();
    new FrameCompositor().composite(kept, child, target, { shading: false, keepStoryHair: true });
    const over = storyFrame();
    new FrameCompositor().composite(over, child, target, { shading: false, keepStoryHair: false });
    const x = 140,
      y = fringe - 3;
    assert.equal(kept.y.data[y * W + x], 50, 'the fringe is kept');
    assert.notEqual(over.y.data[y * W + x], 50, 'without the test the child paints over it');
    // The same height on the right (skin in the story) is covered by the child in both.
    assert.equal(kept.y.data[y * W + 180], over.y.data[y * W + 180]);
    // Below the zone (the brows and under) nothing changes with the test.
    for (let yy = Math.round(browTopY) + 2; yy < H; yy++) for (let xx = 0; xx < W; xx++) assert.equal(kept.y.data[yy * W + xx], over.y.data[yy * W + xx]);
  });
});

describe('growOutline', () => {
  test('pushes the forehead arc and the upper jaw outwards from the arc centre, never the chin or the inner face', () => {
    const mesh = faceMeshPoints(syntheticFaceLandmarks({ centerX: 200, centerY: 200, faceWidth: 120, mouthOpen: 0.1 }));
    const grown = growOutline(Float32Array.from(mesh), 0.1);
    const [cx, cy] = foreheadArcCentre(mesh);
    const r = (p: Float32Array, i: number) => Math.hypot(p[2 * i] - cx, p[2 * i + 1] - cy);
    for (const i of FOREHEAD_ARC) assert.ok(Math.abs(r(grown, i) - 1.1 * r(mesh, i)) < 1e-3);
    assert.ok(Math.abs(r(grown, 0) - 1.1 * r(mesh, 0)) < 1e-3, 'jaw end by the whole share');
    assert.ok(Math.abs(r(grown, 4) - 1.05 * r(mesh, 4)) < 1e-3, 'half way down, half');
    assert.equal(grown[16], mesh[16]);
    assert.equal(grown[17], mesh[17]);
    for (let i = 17; i < 68; i++) assert.equal(grown[2 * i], mesh[2 * i]);
  });
});

describe('defaults by story style', () => {
  const W = 320,
    H = 240;
  const landmarks = syntheticFaceLandmarks({ centerX: 160, centerY: 130, faceWidth: 100, mouthOpen: 0.2 });
  const target: FrameTarget = { landmarks, colour: { mean: [150, 110, 150], std: [12, 3, 3], weight: 1000 }, yaw: 0, mouthOpen: 0.2, occluders: [] };
  const photo = hairyFace(40);
  const drawnPhoto = (style: 'photo' | 'toon', extra: object = {}) => prepareFace({ ...photo, matrix: 'bt709', range: 'tv', style, ...extra });

  test("a drawn ('toon') story gets one face by default: the fill, the light, the fringe kept, the grown outline, the child's proportions", () => {
    const toon = drawnPhoto('toon');
    const explicit = drawnPhoto('toon', { skinFill: true });
    assert.deepEqual(toon.texture.y.data, explicit.texture.y.data);
    assert.deepEqual(toon.meshPoints, explicit.meshPoints);
    // The jaw pushed out over the filled skin (TOON_JAW_GROW at its ends, none at the chin), the mask with it.
    const filledPhoto = drawnPhoto('photo', { skinFill: true });
    const [cx, cy] = foreheadArcCentre(filledPhoto.meshPoints);
    const r = (p: Float32Array, i: number) => Math.hypot(p[2 * i] - cx, p[2 * i + 1] - cy);
    assert.ok(Math.abs(r(toon.meshPoints, 0) / r(filledPhoto.meshPoints, 0) - (1 + TOON_JAW_GROW)) < 1e-3);
    assert.equal(toon.meshPoints[17], filledPhoto.meshPoints[17]);
    const x = Math.round(filledPhoto.meshPoints[4] - 2),
      y = Math.round(filledPhoto.meshPoints[5]);
    assert.ok(toon.mask.data[y * size + x] > 0.5 && filledPhoto.mask.data[y * size + x] === 0, 'the mask reaches past the child’s own jaw');
    const a = greyFrame(W, H, 150, 110, 150);
    new FrameCompositor().composite(a, toon, target);
    const b = greyFrame(W, H, 150, 110, 150);
    new FrameCompositor().composite(b, toon, target, {
      shading: true,
      keepStoryHair: true,
      outlineGrow: TOON_OUTLINE_GROW,
      childShape: TOON_CHILD_SHAPE,
      childMouthShape: TOON_CHILD_SHAPE,
    });
    assert.deepEqual(a.y.data, b.y.data);
    assert.deepEqual(a.u.data, b.u.data);
  });

  test('a photo story keeps its defaults (no fill, the story’s outline and mouth) and carries the story’s light on the finer grid', () => {
    const plain = drawnPhoto('photo');
    assert.deepEqual(plain.texture.y.data, drawnPhoto('photo', { skinFill: false }).texture.y.data);
    const a = greyFrame(W, H, 150, 110, 150);
    new FrameCompositor().composite(a, plain, target);
    const b = greyFrame(W, H, 150, 110, 150);
    new FrameCompositor().composite(b, plain, target, {
      shading: true,
      shadingCell: SHADING_CELL,
      keepStoryHair: false,
      outlineGrow: 0,
      childShape: CHILD_SHAPE,
      childMouthShape: CHILD_MOUTH_SHAPE,
    });
    assert.deepEqual(a.y.data, b.y.data);
    const c = greyFrame(W, H, 150, 110, 150);
    new FrameCompositor().composite(c, plain, target, { shading: false, outlineGrow: TOON_OUTLINE_GROW });
    assert.notDeepEqual(a.y.data, c.y.data, 'the options do change a photo face (the test can fail)');
  });
});
