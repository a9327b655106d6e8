import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RedEyeFinding, RedEyeReport } from '@talecast/compositor';
import { judgeQuality, judgeRedEye, laplacianVariance, FaceMeasures } from './face-quality';

const good: FaceMeasures = { interOcular: 120, yaw: 3, roll: 2, eyesOpen: 0.3, mouthOpen: 0.05, sharpness: 300, brightness: 140 };

describe('judgeQuality', () => {
  test('a good face has no findings', () => assert.deepEqual(judgeQuality(good), []));

  test('blocking vs warning findings', () => {
    const codes = (m: Partial<FaceMeasures>) => judgeQuality({ ...good, ...m }).map((q) => `${q.code}:${q.blocking}`);
    assert.deepEqual(codes({ interOcular: 30 }), ['FACE_TOO_SMALL:true']);
    assert.deepEqual(codes({ interOcular: 50 }), ['SMALL_FACE:false']);
    assert.deepEqual(codes({ yaw: -50 }), ['FACE_TURNED:true']);
    assert.deepEqual(codes({ yaw: 25 }), ['TURNED:false']);
    assert.deepEqual(codes({ eyesOpen: 0.1, mouthOpen: 0.5, sharpness: 5, brightness: 20 }), [
      'EYES_CLOSED:true',
      'MOUTH_OPEN:false',
      'BLURRY:false',
      'DARK:false',
    ]);
    assert.deepEqual(codes({ eyesOpen: 0.2 }), ['EYES_CLOSED:true'], 'looking down');
    const light = { sideContrast: 0.1, eyeDarkness: 0.7, eyeTexture: 0.2 };
    assert.deepEqual(codes({ light }), []);
    assert.deepEqual(codes({ light: { ...light, sideContrast: 0.7 } }), ['SIDE_LIGHT:true']);
    assert.deepEqual(codes({ light: { ...light, eyeDarkness: 0.2 }, eyesOpen: 0.1 }), ['SUNGLASSES:true'], 'hidden eyes are not reported as closed too');
  });

  test('every finding says what is wrong and how to take a better photo', () => {
    const all = judgeQuality({
      interOcular: 30,
      yaw: 50,
      roll: 40,
      eyesOpen: 0.1,
      mouthOpen: 0.5,
      sharpness: 5,
      brightness: 20,
      light: { sideContrast: 0.8, eyeDarkness: 0.7, eyeTexture: 0.2 },
    });
    assert.ok(all.length >= 7);
    for (const q of all) assert.ok(q.message.length > 10 && q.hint.length > 10, `${q.code}: ${q.message} / ${q.hint}`);
  });
});

test('laplacianVariance: sharp detail scores far higher than a smooth ramp', () => {
  const w = 64,
    h = 64;
  const checker = new Uint8Array(w * h * 3);
  const ramp = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3;
      checker.fill(((x >> 1) + (y >> 1)) % 2 ? 220 : 30, o, o + 3);
      ramp.fill(x * 3, o, o + 3);
    }
  const box = { x: 0, y: 0, width: w, height: h };
  const sharp = laplacianVariance(checker, w, h, box);
  const smooth = laplacianVariance(ramp, w, h, box);
  assert.ok(sharp.variance > 100 * Math.max(1, smooth.variance), `${sharp.variance} vs ${smooth.variance}`);
  assert.ok(Math.abs(smooth.mean - 94) < 10);
});

describe('judgeRedEye', () => {
  const eye = (verdict: RedEyeFinding['verdict']): RedEyeFinding => ({ verdict, x: 0, y: 0, radius: 0, irisShare: 0, eyeShare: 0, redness: 0 });
  const report = (a: RedEyeFinding['verdict'], b: RedEyeFinding['verdict']): RedEyeReport => ({
    eyes: [eye(a), eye(b)],
    found: a !== 'none' || b !== 'none',
    correctable: a !== 'unclear' && b !== 'unclear',
  });

  test('no red pupil: no finding', () => assert.equal(judgeRedEye(report('none', 'none')), null));

  test('red pupils corrected: a warning that says so', () => {
    const f = judgeRedEye(report('red', 'none'));
    assert.equal(f?.code, 'RED_EYE_FIXED');
    assert.equal(f?.blocking, false);
  });

  test('red beyond a pupil in either eye: refused, with a hint for a better photo', () => {
    const f = judgeRedEye(report('red', 'unclear'));
    assert.equal(f?.code, 'RED_EYE');
    assert.equal(f?.blocking, true);
    assert.match(f!.hint, /flash/);
  });
});
