import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createFloatPlane,
  FACE_MESH_POINT_COUNT,
  FACE_OUTLINE,
  fillPolygon,
  gatherPoints,
  orient2d,
  pointInPolygon,
  rgbToYuv,
  srgbToLab,
  yuv420MaskedStats,
  yuvCoefficients,
} from '@talecast/geometry';
import { featureWeights, FOREHEAD_FADE, prepareFace, roundCorners, skinLikelihood } from './prepared-face';
import { stylizeToon } from './toon-style';
import { flatFace, Rgb } from './test-faces';

const SKIN: Rgb = [205, 160, 130];
const FEATURES = { eyes: [30, 20, 20] as Rgb, brows: [90, 60, 40] as Rgb, mouth: [120, 20, 30] as Rgb };

describe('prepareFace', () => {
  const input = flatFace(128, SKIN, FEATURES);
  // The original layout and mask rules (no skin fill, no shading flattened); those are tested below.
  const face = prepareFace({ ...input, matrix: 'bt709', range: 'tv', style: 'photo', skinFill: false, flattenShading: false });

  test('builds a 4:2:0 texture in the render colour space and the canonical mesh', () => {
    assert.equal(face.texture.y.width, 128);
    assert.equal(face.texture.u.width, 64);
    const k = yuvCoefficients('bt709', 'tv');
    const [y, u, v] = rgbToYuv(SKIN[0], SKIN[1], SKIN[2], k);
    assert.equal(face.texture.y.data[5], Math.round(y));
    assert.equal(face.texture.u.data[5], Math.round(u));
    assert.equal(face.texture.v.data[5], Math.round(v));
    assert.equal(face.meshPoints.length, FACE_MESH_POINT_COUNT * 2);
    const p = face.meshPoints,
      t = face.triangles;
    for (let i = 0; i < t.length; i += 3) {
      assert.ok(orient2d(p[2 * t[i]], p[2 * t[i] + 1], p[2 * t[i + 1]], p[2 * t[i + 1] + 1], p[2 * t[i + 2]], p[2 * t[i + 2] + 1]) > 0);
    }
  });

  test('skin statistics ignore the painted eyes, brows and inner mouth', () => {
    const lab = srgbToLab(SKIN[0], SKIN[1], SKIN[2]);
    for (let c = 0; c < 3; c++) {
      assert.ok(Math.abs(face.skinLab.mean[c] - lab[c]) < 1e-3, `Lab mean ${c}: ${face.skinLab.mean[c]} vs ${lab[c]}`);
      assert.ok(face.skinLab.std[c] < 1e-3, `Lab std ${c}: ${face.skinLab.std[c]}`);
    }
    const k = yuvCoefficients('bt709', 'tv');
    const yuv = rgbToYuv(SKIN[0], SKIN[1], SKIN[2], k).map(Math.round);
    // Chroma samples straddling a feature edge mix colours, so allow a little there.
    assert.equal(face.skinYuv.mean[0], yuv[0]);
    assert.equal(face.skinYuv.std[0], 0);
    for (const c of [1, 2]) assert.ok(Math.abs(face.skinYuv.mean[c] - yuv[c]) < 0.5, `YUV mean ${c}`);
    // The painted features are inside the outline: over the plain outline the mean does move.
    const outline = createFloatPlane(128, 128);
    fillPolygon(outline, gatherPoints(face.meshPoints, FACE_OUTLINE));
    const plain = yuv420MaskedStats(face.texture, outline);
    assert.ok(yuv[0] - plain.mean[0] > 1 && plain.std[0] > 5, `outline mean ${plain.mean[0]}`);
  });

  test('the mask is 1 inside the face, 0 on and outside the outline, and within [0, 1]', () => {
    const m = face.mask;
    const outline = gatherPoints(face.meshPoints, FACE_OUTLINE);
    const nose = [Math.round(face.landmarks[2 * 30]), Math.round(face.landmarks[2 * 30 + 1])];
    assert.equal(m.data[nose[1] * 128 + nose[0]], 1);
    for (let y = 0; y < 128; y++)
      for (let x = 0; x < 128; x++) {
        const v = m.data[y * 128 + x];
        assert.ok(v >= 0 && v <= 1);
        if (!pointInPolygon(outline, x + 0.5, y + 0.5)) assert.equal(v, 0, `mask ${v} outside the outline at ${x},${y}`);
      }
    // Eyes and mouth are part of the mask (the frame keeps the story's mouth only when open).
    const eye = [Math.round(face.landmarks[2 * 37]), Math.round(face.landmarks[2 * 37 + 1] + 2)];
    assert.equal(m.data[eye[1] * 128 + eye[0]], 1);
  });

  test("the face's own alpha limits the mask", () => {
    const half = flatFace(128, SKIN);
    for (let y = 0; y < 128; y++) for (let x = 0; x < 64; x++) half.rgba[4 * (y * 128 + x) + 3] = 0;
    const f = prepareFace({ ...half, matrix: 'bt601', range: 'pc', style: 'photo', skinFill: false });
    for (let y = 0; y < 128; y++) for (let x = 0; x < 64; x++) assert.equal(f.mask.data[y * 128 + x], 0);
    assert.equal(f.mask.data[70 * 128 + 70], 1);
  });

  test("'toon' stylises the texture before the statistics are taken (posterised on request)", () => {
    const toon = prepareFace({ ...input, matrix: 'bt709', range: 'tv', style: 'toon', toon: { levels: 10 } });
    const levels = new Set<number>();
    const rgbaToon = stylizeToon(input.rgba, 128, 128, { levels: 10 });
    for (let k = 0; k < rgbaToon.length; k += 4) levels.add(rgbaToon[k]);
    assert.ok(levels.size <= 10, `${levels.size} red levels`);
    // The flat skin is quantised: 205 -> the nearest of 10 levels (step 255/9) = 198.
    assert.ok(Math.abs(toon.skinLab.mean[0] - srgbToLab(198, 170, 142)[0]) < 1.5, `${toon.skinLab.mean}`);
  });

  test("the soft 'toon' look smooths skin texture, keeps strong edges and never posterises", () => {
    // Skin with fine noise (±5) and one strong dark line (a feature edge).
    const size = 64,
      rgba = new Uint8Array(size * size * 4);
    let seed = 7;
    const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 11) - 5;
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const line = x >= 30 && x < 33;
        const v = line ? 40 : 190 + noise();
        rgba.set([v, line ? 30 : v - 40, line ? 25 : v - 70, 255], 4 * (y * size + x));
      }
    const soft = stylizeToon(rgba, size, size);
    const spread = (img: Uint8Array) => {
      const vals: number[] = [];
      for (let y = 4; y < 60; y++) for (let x = 4; x < 24; x++) vals.push(img[4 * (y * size + x)]);
      const m = vals.reduce((a, b) => a + b, 0) / vals.length;
      return Math.sqrt(vals.reduce((a, b) => a + (b - m) ** 2, 0) / vals.length);
    };
    assert.ok(spread(soft) < 0.4 * spread(rgba), `skin texture ${spread(soft)} vs ${spread(rgba)}`);
    const levels = new Set<number>();
    for (let k = 0; k < soft.length; k += 4) levels.add(soft[k]);
    assert.ok(levels.size > 10, 'not posterised');
    // The line stays dark and narrow: its centre dark, 3 px to the side skin-bright.
    assert.ok(soft[4 * (32 * size + 31)] < 90, `line centre ${soft[4 * (32 * size + 31)]}`);
    assert.ok(soft[4 * (32 * size + 26)] > 150 && soft[4 * (32 * size + 37)] > 150, 'edges stay crisp');
  });
});

describe('mask: forehead fade and hair cut', () => {
  const size = 128;
  const plain = flatFace(size, SKIN, FEATURES);
  const base = prepareFace({ ...plain, matrix: 'bt709', range: 'tv', style: 'photo', skinFill: false });
  // Up the face's middle (the synthetic face is upright): eye line and arc top from the mesh.
  const eyeY = (base.landmarks[2 * 37 + 1] + base.landmarks[2 * 44 + 1]) / 2;
  const top = base.meshPoints[2 * 71 + 1];
  const cx = Math.round(base.landmarks[2 * 27]);
  const at = (f: typeof base, t: number) => f.mask.data[Math.round(eyeY - t * (eyeY - top)) * size + cx];

  test('is 1 low on the forehead, fades out smoothly above, and is 0 well below the arc', () => {
    assert.equal(at(base, 0.15), 1);
    assert.equal(at(base, FOREHEAD_FADE[1] + 0.05), 0);
    let prev = 1;
    for (let t = FOREHEAD_FADE[0]; t <= FOREHEAD_FADE[1]; t += 0.02) {
      const v = at(base, t);
      assert.ok(v <= prev + 1e-6, `not monotone at ${t}: ${v} > ${prev}`);
      assert.ok(prev - v < 0.25, `a step of ${prev - v} at ${t} (an edge, not a ramp)`);
      prev = v;
    }
    // Without the fade the same spot is fully inside the outline.
    const unfaded = prepareFace({ ...plain, matrix: 'bt709', range: 'tv', style: 'photo', skinFill: false, foreheadFade: [9, 10] });
    assert.equal(at(unfaded, FOREHEAD_FADE[1] + 0.05), 1);
  });

  test("the child's hair (a colour far from the face's skin) never enters the mask; eyes, brows and mouth stay", () => {
    const hairy = flatFace(size, SKIN, FEATURES);
    // Dark hair over the left temple and the upper forehead, skin elsewhere.
    // (The brows are protected with a few pixels' margin, so the hair starts above that.)
    let browTop = Infinity;
    for (let i = 17; i < 27; i++) browTop = Math.min(browTop, base.landmarks[2 * i + 1]);
    const hairLine = Math.round(browTop - 8);
    assert.ok(hairLine > top + 4, 'the hairline is below the forehead arc');
    for (let y = 0; y < hairLine; y++) for (let x = 0; x < size; x++) hairy.rgba.set([60, 40, 30], 4 * (y * size + x));
    for (let y = 0; y < size; y++) for (let x = 0; x < 30; x++) hairy.rgba.set([60, 40, 30], 4 * (y * size + x));
    const f = prepareFace({ ...hairy, matrix: 'bt709', range: 'tv', style: 'photo', skinFill: false, foreheadFade: [9, 10] });
    // The cut's soft edge may reach a few pixels (3 box passes of size / 128) into the hair.
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const hair = y < hairLine - 4 || x < 30 - 4;
        if (hair) assert.equal(f.mask.data[y * size + x], 0, `hair at ${x},${y} in the mask`);
      }
    // Inside the features (brow points sit on the protected hull's edge, so their midpoint with the eye).
    const mid = (i: number, j: number) => [(f.landmarks[2 * i] + f.landmarks[2 * j]) / 2, (f.landmarks[2 * i + 1] + f.landmarks[2 * j + 1]) / 2];
    for (const [name, [px, py]] of [
      ['nose', mid(30, 30)],
      ['right eye', mid(37, 40)],
      ['left eye', mid(43, 46)],
      ['brow', mid(20, 38)],
      ['brow', mid(23, 43)],
      ['mouth', mid(51, 57)],
    ] as const) {
      // (Between a dark brow and the eye the feathered likelihood may dip a hair below 1.)
      assert.ok(f.mask.data[Math.round(py) * size + Math.round(px)] > 0.99, `${name} not in the mask`);
    }
    const likely = skinLikelihood(hairy.rgba, size, f.landmarks, f.meshPoints);
    for (const v of likely.data) assert.ok(v >= 0 && v <= 1);
    assert.equal(likely.data[Math.round(f.landmarks[2 * 30 + 1]) * size + Math.round(f.landmarks[2 * 30])], 1);
  });
});

describe('roundCorners', () => {
  test('a square becomes a curve through its edge midpoints, inside the square, never at its corners', () => {
    const square = Float32Array.of(0, 0, 10, 0, 10, 10, 0, 10);
    const round = roundCorners(square);
    assert.equal(round.length, 4 * 6 * 2);
    // The first point of each corner's arc is the middle of its incoming edge.
    assert.deepEqual([round[0], round[1]], [0, 5]);
    assert.deepEqual([round[12], round[13]], [5, 0]);
    let nearestCorner = Infinity;
    for (let k = 0; k < round.length; k += 2) {
      assert.ok(round[k] >= 0 && round[k] <= 10 && round[k + 1] >= 0 && round[k + 1] <= 10);
      for (const [cx, cy] of [
        [0, 0],
        [10, 0],
        [10, 10],
        [0, 10],
      ])
        nearestCorner = Math.min(nearestCorner, Math.hypot(round[k] - cx, round[k + 1] - cy));
    }
    // The quadratic arc's middle is a quarter of the way from the corner to the chord: 2.5·√2/2 ≈ 1.77 from it.
    assert.ok(nearestCorner > 1.7, `nearest ${nearestCorner}`);
  });

  test("a drawn story's smaller copies are sharpened, its full-size texture is not; a photo story's are not", () => {
    const input = flatFace(256, SKIN, FEATURES);
    const photo = prepareFace({ ...input, matrix: 'bt709', range: 'tv', style: 'photo' });
    const plain = prepareFace({ ...input, matrix: 'bt709', range: 'tv', style: 'toon', levelSharpen: 0 });
    const toon = prepareFace({ ...input, matrix: 'bt709', range: 'tv', style: 'toon' });
    const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, k) => v === b[k]);
    assert.ok(same(toon.texture.y.data, plain.texture.y.data), 'the full-size texture is never sharpened');
    assert.ok(!same(toon.smaller[0].texture.y.data, plain.smaller[0].texture.y.data), 'the half-size copy is');
    assert.ok(!same(toon.smaller[1].texture.y.data, plain.smaller[1].texture.y.data), 'and the quarter-size copy');
    const photoPlain = prepareFace({ ...input, matrix: 'bt709', range: 'tv', style: 'photo', levelSharpen: 0 });
    assert.ok(same(photo.smaller[0].texture.y.data, photoPlain.smaller[0].texture.y.data));
  });
});

describe("a drawn story's skin detail", () => {
  test('the feature weights are 1 on the eyes, brows, nose and mouth and 0 on the cheeks and forehead', () => {
    const { landmarks } = flatFace(256, SKIN, FEATURES);
    const w = featureWeights(256, landmarks);
    const at = (x: number, y: number) => w.data[Math.round(y) * 256 + Math.round(x)];
    const mid = (a: number, b: number) => [(landmarks[2 * a] + landmarks[2 * b]) / 2, (landmarks[2 * a + 1] + landmarks[2 * b + 1]) / 2];
    for (const [a, b] of [
      [37, 40], // right eye
      [43, 46], // left eye
      [19, 19], // right brow
      [24, 24], // left brow
      [30, 33], // nose
      [51, 57], // mouth
    ])
      assert.ok(at(mid(a, b)[0], mid(a, b)[1]) > 0.95, `feature ${a}/${b}: ${at(mid(a, b)[0], mid(a, b)[1])}`);
    // A cheek: halfway between the jaw (landmark 3) and the mouth corner (48); the forehead above the brows' middle.
    assert.ok(at(...(mid(3, 48) as [number, number])) < 0.05);
    assert.ok(at(landmarks[2 * 27], landmarks[2 * 27 + 1] - 0.5 * (landmarks[2 * 45] - landmarks[2 * 36])) < 0.05);
  });

  test("scales the skin's mid-scale detail away from the features and keeps them", () => {
    // Rows of a cosine of 30 px (about a third of the 87 px eye distance: a cheek's highlight band, in the band skinDetail
    // scales, which keeps about a quarter of it as fine detail) over the whole face.
    const input = flatFace(256, SKIN, FEATURES);
    for (let y = 0; y < 256; y++)
      for (let x = 0; x < 256; x++) {
        const k = 4 * (y * 256 + x);
        const d = Math.round(14 * Math.cos((2 * Math.PI * y) / 30));
        for (let c = 0; c < 3; c++) input.rgba[k + c] = Math.max(0, Math.min(255, input.rgba[k + c] + d));
      }
    // As a photo story's face (no toon smoothing, no fill, no flattening) so that the pattern reaches the texture as it is.
    const base = { ...input, matrix: 'bt709' as const, range: 'tv' as const, style: 'photo' as const, flattenShading: false };
    const full = prepareFace({ ...base, skinDetail: 1 });
    const half = prepareFace({ ...base, skinDetail: 0.5 });
    const w = featureWeights(256, input.landmarks);
    const spread = (f: typeof full, pick: (k: number) => boolean) => {
      const v: number[] = [];
      for (let k = 0; k < 256 * 256; k++) if (pick(k)) v.push(f.texture.y.data[k]);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    };
    // The cheeks: inside the mask, far from the features.
    const cheek = (k: number) => w.data[k] === 0 && full.mask.data[k] > 0.99;
    const r = spread(half, cheek) / spread(full, cheek);
    assert.ok(r > 0.5 && r < 0.75, `cheek contrast ratio ${r.toFixed(2)}`);
    const eye = (k: number) => w.data[k] >= 0.999;
    let changed = 0,
      n = 0;
    for (let k = 0; k < 256 * 256; k++)
      if (eye(k)) {
        n++;
        if (Math.abs(half.texture.y.data[k] - full.texture.y.data[k]) > 1) changed++;
      }
    assert.ok(n > 500 && changed === 0, `${changed} of ${n} feature pixels changed`);
  });
});

describe('stylizeToon', () => {
  test('flattens noise, keeps a strong edge sharp and quantises each channel', () => {
    const w = 64,
      h = 32;
    const rgba = new Uint8Array(w * h * 4);
    let seed = 1;
    const noise = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 30;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const base = x < 32 ? 60 : 190;
        const v = Math.max(0, Math.min(255, Math.round(base + noise())));
        rgba.set([v, v, v, 200], 4 * (y * w + x));
      }
    const out = stylizeToon(rgba, w, h, { levels: 8 });
    const step = 255 / 7;
    const left: number[] = [],
      right: number[] = [];
    for (let y = 4; y < h - 4; y++) {
      for (let x = 4; x < 26; x++) left.push(out[4 * (y * w + x)]);
      for (let x = 38; x < 60; x++) right.push(out[4 * (y * w + x)]);
      assert.ok(out[4 * (y * w + 29)] < 100 && out[4 * (y * w + 34)] > 150, 'edge stays within a few pixels');
    }
    for (const v of [...left, ...right]) assert.equal(v, Math.round(Math.round(v / step) * step), `${v} not quantised`);
    const spread = (a: number[]) => Math.max(...a) - Math.min(...a);
    assert.ok(spread(left) <= step + 1 && spread(right) <= step + 1, 'noise flattened to at most two levels');
    assert.equal(out[3], 200);
  });
});
