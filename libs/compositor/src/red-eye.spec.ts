import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EYE_FIRST, eyeFrame, pointInPolygon, srgbToLab } from '@talecast/geometry';
import { correctRedEye, detectRedEye } from './red-eye';
import { prepareFace } from './prepared-face';
import { flatFace, Rgb } from './test-faces';

const SIZE = 512;

interface EyeLook {
  sclera: Rgb;
  iris: Rgb;
  pupil: Rgb;
  /** Pupil radius over the iris's (a flash's red pupil is wide open). */
  pupilShare?: number;
  /** A catch-light: a small white disc up and left of the pupil's centre. */
  catchLight?: boolean;
  /** The iris's centre along the eye line, as a share of the eye's width (gaze). */
  along?: number;
}

/** Each eye's iris (0.2 eye widths) and pupil, where the synthetic face's eye centre (plus `along`) puts them. */
function irisOf(landmarks: Float32Array, eye: 0 | 1, look: EyeLook) {
  const f = eyeFrame(landmarks, eye);
  const along = (look.along ?? 0) * f.width;
  return { x: f.cx + along * f.ux, y: f.cy + along * f.uy, r: 0.2 * f.width, pupil: 0.2 * f.width * (look.pupilShare ?? 0.5), width: f.width };
}

/**
 * A face of `skin` with painted eyes: sclera inside the eye contour, an iris disc, a pupil disc and
 * optionally a catch-light, each edge antialiased over 4×4 samples a pixel (as a photo's soft edges).
 */
function paintedFace(skin: Rgb, look: EyeLook) {
  const face = flatFace(SIZE, skin);
  const { rgba, landmarks } = face;
  for (const eye of [0, 1] as const) {
    const contour = Float32Array.from({ length: 12 }, (_, k) => landmarks[2 * EYE_FIRST[eye] + k]);
    const c = irisOf(landmarks, eye, look);
    const colourAt = (x: number, y: number): Rgb | null => {
      if (!pointInPolygon(contour, x, y)) return null;
      const d = Math.hypot(x - c.x, y - c.y);
      if (look.catchLight && Math.hypot(x - (c.x - 0.35 * c.pupil), y - (c.y - 0.35 * c.pupil)) < 0.3 * c.pupil) return [250, 250, 245];
      if (d < c.pupil) return look.pupil;
      if (d < c.r) return look.iris;
      return look.sclera;
    };
    for (let y = Math.floor(c.y - c.width); y < c.y + c.width; y++)
      for (let x = Math.floor(c.x - c.width); x < c.x + c.width; x++) {
        const sum = [0, 0, 0];
        let n = 0;
        for (let sy = 0; sy < 4; sy++)
          for (let sx = 0; sx < 4; sx++) {
            const col = colourAt(x + (sx + 0.5) / 4, y + (sy + 0.5) / 4);
            if (!col) continue;
            n++;
            for (let ch = 0; ch < 3; ch++) sum[ch] += col[ch];
          }
        if (!n) continue;
        const o = 4 * (y * SIZE + x);
        for (let ch = 0; ch < 3; ch++) rgba[o + ch] = Math.round((sum[ch] + (16 - n) * rgba[o + ch]) / 16);
      }
  }
  return face;
}

const at = (rgba: Uint8Array, x: number, y: number): Rgb => {
  const o = 4 * (Math.floor(y) * SIZE + Math.floor(x));
  return [rgba[o], rgba[o + 1], rgba[o + 2]];
};
const luma = ([r, g, b]: Rgb) => 0.299 * r + 0.587 * g + 0.114 * b;
const aStar = ([r, g, b]: Rgb) => srgbToLab(r, g, b)[1];

const LIGHT_SKIN: Rgb = [228, 188, 165];
const DARK_SKIN: Rgb = [140, 95, 70];
const SCLERA: Rgb = [235, 232, 228];
const BROWN: Rgb = [115, 72, 45];
const BLACK_PUPIL: Rgb = [22, 18, 18];
const FLASH_RED: Rgb = [205, 45, 50];

describe('red-eye: a red pupil is found and corrected', () => {
  const look: EyeLook = { sclera: SCLERA, iris: BROWN, pupil: FLASH_RED, pupilShare: 0.6, catchLight: true };
  const face = paintedFace(LIGHT_SKIN, look);

  test('found in both eyes, where the pupil is and about its size', () => {
    const report = detectRedEye(face.rgba, SIZE, SIZE, face.landmarks);
    assert.ok(report.found && report.correctable);
    for (const eye of [0, 1] as const) {
      const e = report.eyes[eye];
      const c = irisOf(face.landmarks, eye, look);
      assert.equal(e.verdict, 'red');
      assert.ok(Math.hypot(e.x - c.x, e.y - c.y) < 1, `eye ${eye} centre (${e.x}, ${e.y}) against (${c.x}, ${c.y})`);
      // The catch-light is not red: the blob is the pupil's disc without it (0.09 of its area).
      assert.ok(e.radius > 0.8 * c.pupil && e.radius < 1.1 * c.pupil, `radius ${e.radius} against the pupil's ${c.pupil}`);
    }
  });

  test('corrected: the pupil dark and neutral, the catch-light bright, the skin and sclera untouched', () => {
    const { rgba, report } = correctRedEye(face.rgba, SIZE, SIZE, face.landmarks);
    assert.ok(report.found);
    assert.notEqual(rgba, face.rgba, 'a corrected copy; the input is never written');
    for (const eye of [0, 1] as const) {
      const c = irisOf(face.landmarks, eye, look);
      // Half-way out from the centre on the side away from the catch-light: inside the pupil.
      const p = at(rgba, c.x + 0.5 * c.pupil, c.y + 0.5 * c.pupil);
      assert.ok(luma(p) < 45, `pupil luma ${luma(p)} (was ${luma(at(face.rgba, c.x + 0.5 * c.pupil, c.y + 0.5 * c.pupil))})`);
      assert.ok(Math.abs(aStar(p)) < 4, `pupil a* ${aStar(p)}`);
      const light = at(rgba, c.x - 0.35 * c.pupil, c.y - 0.35 * c.pupil);
      assert.ok(luma(light) > 200, `catch-light luma ${luma(light)}`);
      // Sclera and skin: every pixel out of the iris is as it was.
      for (let y = Math.floor(c.y - c.width); y < c.y + c.width; y++)
        for (let x = Math.floor(c.x - c.width); x < c.x + c.width; x++) {
          if (Math.hypot(x + 0.5 - c.x, y + 0.5 - c.y) < c.r + 1) continue;
          assert.deepEqual(at(rgba, x, y), at(face.rgba, x, y), `(${x}, ${y}) outside the iris changed`);
        }
    }
    // Nothing red is left to find: correcting again changes nothing.
    const again = correctRedEye(rgba, SIZE, SIZE, face.landmarks);
    assert.equal(again.report.found, false);
    assert.equal(again.rgba, rgba);
  });

  test('a red pupil on dark skin, the iris looking aside, is found too', () => {
    const aside = paintedFace(DARK_SKIN, { ...look, sclera: [215, 205, 195], iris: [60, 40, 30], along: 0.22 });
    const report = detectRedEye(aside.rgba, SIZE, SIZE, aside.landmarks);
    assert.deepEqual(
      report.eyes.map((e) => e.verdict),
      ['red', 'red'],
    );
  });

  test('a pink-red pupil (a flash reflected off a dim retina) is found', () => {
    const pink = paintedFace(LIGHT_SKIN, { ...look, pupil: [175, 80, 90] });
    assert.ok(detectRedEye(pink.rgba, SIZE, SIZE, pink.landmarks).eyes.every((e) => e.verdict === 'red'));
  });

  test('prepareFace carries the corrected pupil into the texture (and can be told not to)', () => {
    const options = { size: SIZE, landmarks: face.landmarks, matrix: 'bt709', range: 'tv', style: 'photo', smallerLevels: 0 } as const;
    const fixed = prepareFace({ ...options, rgba: face.rgba });
    const kept = prepareFace({ ...options, rgba: face.rgba, redEye: false });
    assert.equal(fixed.redEye?.found, true);
    assert.equal(kept.redEye, undefined);
    const c = irisOf(face.landmarks, 0, look);
    const v = (f: typeof fixed) => f.texture.v.data[Math.floor((c.y + 0.5 * c.pupil) / 2) * f.texture.v.stride + Math.floor((c.x + 0.5 * c.pupil) / 2)];
    // Cr: ~128 is neutral; the red pupil is far above it.
    assert.ok(v(kept) > 160, `uncorrected Cr ${v(kept)}`);
    assert.ok(Math.abs(v(fixed) - 128) < 8, `corrected Cr ${v(fixed)}`);
  });
});

describe('red-eye: normal eyes and red light are left alone', () => {
  const normal: [string, Rgb, EyeLook][] = [
    ['brown', LIGHT_SKIN, { sclera: SCLERA, iris: BROWN, pupil: BLACK_PUPIL, catchLight: true }],
    ['amber', LIGHT_SKIN, { sclera: SCLERA, iris: [150, 85, 40], pupil: BLACK_PUPIL }],
    ['blue', LIGHT_SKIN, { sclera: SCLERA, iris: [70, 110, 160], pupil: BLACK_PUPIL, catchLight: true }],
    ['green-hazel', LIGHT_SKIN, { sclera: SCLERA, iris: [105, 110, 70], pupil: [30, 25, 20] }],
    ['dark, on dark skin', DARK_SKIN, { sclera: [215, 205, 195], iris: [45, 32, 28], pupil: [20, 15, 14] }],
    ['brown, a wide pupil, looking aside', DARK_SKIN, { sclera: [220, 208, 200], iris: [95, 60, 40], pupil: [30, 22, 20], pupilShare: 0.7, along: -0.25 }],
    ['brown, bloodshot (pinkish) whites', LIGHT_SKIN, { sclera: [235, 205, 200], iris: BROWN, pupil: BLACK_PUPIL }],
  ];
  for (const [name, skin, look] of normal) {
    test(`${name} eyes: nothing found, the pixels returned untouched`, () => {
      const face = paintedFace(skin, look);
      const { rgba, report } = correctRedEye(face.rgba, SIZE, SIZE, face.landmarks);
      assert.equal(report.found, false, JSON.stringify(report.eyes));
      assert.equal(rgba, face.rgba);
    });
  }

  test('a face lit red (skin, whites and iris all reddened) is not red-eye', () => {
    const face = paintedFace([235, 125, 110], { sclera: [240, 160, 150], iris: [140, 45, 35], pupil: [45, 12, 12], catchLight: true });
    assert.equal(detectRedEye(face.rgba, SIZE, SIZE, face.landmarks).found, false);
  });

  test('red-lit skin next to the eye (a red lamp on the cheek) is not red-eye', () => {
    const face = paintedFace(LIGHT_SKIN, { sclera: SCLERA, iris: BROWN, pupil: BLACK_PUPIL });
    const f = eyeFrame(face.landmarks, 0);
    // The skin below and beside eye 0 lit red, up to the eye contour.
    const contour = Float32Array.from({ length: 12 }, (_, k) => face.landmarks[2 * EYE_FIRST[0] + k]);
    for (let y = Math.floor(f.cy); y < f.cy + f.width; y++)
      for (let x = Math.floor(f.cx - f.width); x < f.cx + f.width; x++) {
        if (pointInPolygon(contour, x + 0.5, y + 0.5)) continue;
        face.rgba.set([230, 95, 90], 4 * (y * SIZE + x));
      }
    assert.equal(detectRedEye(face.rgba, SIZE, SIZE, face.landmarks).found, false);
  });

  test('the pink inner corner of the eye (caruncle) is not a pupil', () => {
    const face = paintedFace(LIGHT_SKIN, { sclera: SCLERA, iris: BROWN, pupil: BLACK_PUPIL });
    for (const eye of [0, 1] as const) {
      // The inner corner: landmark 39 (eye 0) or 42 (eye 1); a pink disc of a tenth of the eye's width inside it.
      const f = eyeFrame(face.landmarks, eye);
      const inner = eye === 0 ? 39 : 42;
      const toward = eye === 0 ? -1 : 1;
      const cx = face.landmarks[2 * inner] + toward * 0.08 * f.width,
        cy = face.landmarks[2 * inner + 1];
      for (let y = Math.floor(cy - 5); y <= cy + 5; y++)
        for (let x = Math.floor(cx - 5); x <= cx + 5; x++)
          if (Math.hypot(x + 0.5 - cx, y + 0.5 - cy) < 0.1 * f.width) face.rgba.set([215, 110, 120], 4 * (y * SIZE + x));
    }
    assert.equal(detectRedEye(face.rgba, SIZE, SIZE, face.landmarks).found, false);
  });
});

describe('red-eye: red beyond a pupil cannot be corrected well', () => {
  test('the whole eye red (whites and iris) is unclear, and left as it is', () => {
    const face = paintedFace(LIGHT_SKIN, { sclera: [215, 70, 70], iris: [190, 40, 45], pupil: [200, 35, 40] });
    const { rgba, report } = correctRedEye(face.rgba, SIZE, SIZE, face.landmarks);
    assert.ok(report.found);
    assert.equal(report.correctable, false);
    assert.ok(report.eyes.some((e) => e.verdict === 'unclear'));
    assert.equal(rgba, face.rgba);
  });

  test('a red iris and pupil together, larger than any pupil, is unclear', () => {
    const face = paintedFace(LIGHT_SKIN, { sclera: SCLERA, iris: [200, 45, 50], pupil: [210, 40, 45], pupilShare: 0.6 });
    const report = detectRedEye(face.rgba, SIZE, SIZE, face.landmarks);
    assert.equal(report.correctable, false, JSON.stringify(report.eyes));
  });
});
