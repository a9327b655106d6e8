// Red-eye at upload, through the real models on face-api's sample photos: sample6's chosen face is a
// flash photo with red pupils, found and corrected in the stored face (a warning says so); every other
// sample photo's chosen face is left alone. The check itself (red-eye.ts) runs on the aligned face.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sharp } from '@talecast/face/sharp-image';
import { FaceDetector, loadFaceModels, samplePhotoDirectory } from '@talecast/face';
import { detectRedEye } from '@talecast/compositor';
import { EYE_FIRST, eyeFrame, pointInPolygon, srgbToLab } from '@talecast/geometry';
import { analysePhoto, PhotoAnalysis, ALIGNED_SIZE } from '../../libs/face-upload/src/photo-analysis';
import { decodePhoto, workingCopy } from '../../libs/face-upload/src/image-intake';
import { alignFace } from '../../libs/face-upload/src/face-aligner';

describe('red-eye at upload, on the sample photos', async () => {
  const detector = new FaceDetector(await loadFaceModels('wasm'));
  const photos = samplePhotoDirectory();
  const analyse = async (name: string | Buffer): Promise<PhotoAnalysis> => {
    const decoded = await decodePhoto(typeof name === 'string' ? await fs.readFile(path.join(photos, name)) : name, 50_000_000);
    const working = await workingCopy(decoded, 1280);
    return analysePhoto(detector, { photo: { data: decoded.data, width: decoded.width, height: decoded.height }, working });
  };
  /** Mean a* (Lab) of a disc about (x, y). */
  const meanA = (rgba: Uint8Array, x: number, y: number, r: number) => {
    let sum = 0,
      n = 0;
    for (let j = Math.floor(y - r); j <= y + r; j++)
      for (let i = Math.floor(x - r); i <= x + r; i++) {
        if (Math.hypot(i + 0.5 - x, j + 0.5 - y) > r) continue;
        const o = 4 * (j * ALIGNED_SIZE + i);
        sum += srgbToLab(rgba[o], rgba[o + 1], rgba[o + 2])[1];
        n++;
      }
    return sum / n;
  };

  test('sample6: the red pupils are found and corrected in the stored face, and the parent is told', async () => {
    const r = await analyse('sample6.jpg');
    assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.message}`);
    const chosen = r.candidates.find((c) => c.index === r.chosenIndex)!;
    assert.ok(
      chosen.findings.some((q) => q.code === 'RED_EYE_FIXED' && !q.blocking),
      JSON.stringify(chosen.findings.map((q) => q.code)),
    );
    // The same face aligned from the photo as it was (the analysis's own steps, without the correction):
    // both pupils red; in the stored face, none.
    const decoded = await decodePhoto(await fs.readFile(path.join(photos, 'sample6.jpg')), 50_000_000);
    const working = await workingCopy(decoded, 1280);
    const faces = await detector.detectAll(working, { expressions: true, minConfidence: 0.5 });
    const landmarks = Float32Array.from(await detector.refineLandmarks(working, faces[r.chosenIndex].landmarks), (v) => v / working.scale);
    const raw = alignFace(decoded.data, decoded.width, decoded.height, landmarks, ALIGNED_SIZE);
    assert.ok(
      raw.landmarks.every((v, k) => Math.abs(v - r.aligned.landmarks[k]) < 0.01),
      'the same face, aligned the same way',
    );
    const before = detectRedEye(raw.rgba, ALIGNED_SIZE, ALIGNED_SIZE, raw.landmarks);
    assert.deepEqual(
      before.eyes.map((e) => e.verdict),
      ['red', 'red'],
    );
    const after = detectRedEye(r.aligned.rgba, ALIGNED_SIZE, ALIGNED_SIZE, r.aligned.landmarks);
    assert.equal(after.found, false);
    for (const e of before.eyes) {
      const was = meanA(raw.rgba, e.x, e.y, e.radius);
      const now = meanA(r.aligned.rgba, e.x, e.y, e.radius);
      assert.ok(was > 15 && now < 6, `pupil a* ${was.toFixed(1)} → ${now.toFixed(1)}`);
    }
  });

  for (const name of ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg', 'sample5.jpg']) {
    test(`${name}: no red-eye found, the face stored as aligned`, async () => {
      const r = await analyse(name);
      assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.message}`);
      const chosen = r.candidates.find((c) => c.index === r.chosenIndex)!;
      assert.ok(!chosen.findings.some((q) => q.code.startsWith('RED_EYE')), JSON.stringify(chosen.findings.map((q) => q.code)));
      assert.equal(detectRedEye(r.aligned.rgba, ALIGNED_SIZE, ALIGNED_SIZE, r.aligned.landmarks).found, false);
    });
  }

  test('every face in sample1–5 (18 faces, group photos included): none has red-eye', async () => {
    let count = 0;
    for (const name of ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg', 'sample5.jpg']) {
      const decoded = await decodePhoto(await fs.readFile(path.join(photos, name)), 50_000_000);
      const working = await workingCopy(decoded, 1280);
      for (const face of await detector.detectAll(working, { minConfidence: 0.5 })) {
        const landmarks = Float32Array.from(await detector.refineLandmarks(working, face.landmarks), (v) => v / working.scale);
        const aligned = alignFace(decoded.data, decoded.width, decoded.height, landmarks, ALIGNED_SIZE);
        const found = detectRedEye(aligned.rgba, ALIGNED_SIZE, ALIGNED_SIZE, aligned.landmarks);
        assert.equal(found.found, false, `${name} face ${count}: ${JSON.stringify(found.eyes)}`);
        count++;
      }
    }
    assert.equal(count, 18);
  });

  /**
   * A portrait of one face from sample1.jpg (no red-eye), with `paint` applied to each eye: the eye's
   * frame from the landmark net on the portrait itself, the pixels RGB.
   */
  const painted = async (paint: (rgb: Uint8Array, width: number, eye: { cx: number; cy: number; width: number; contour: Float32Array }) => void) => {
    const { data, info } = await sharp(await fs.readFile(path.join(photos, 'sample1.jpg')))
      .removeAlpha()
      .extract({ left: 230, top: 200, width: 500, height: 560 })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const rgb = new Uint8Array(data);
    const [face] = await detector.detectAll({ data: rgb, width: info.width, height: info.height }, { minConfidence: 0.5 });
    for (const e of [0, 1] as const) {
      const f = eyeFrame(face.landmarks, e);
      paint(rgb, info.width, {
        cx: f.cx,
        cy: f.cy,
        width: f.width,
        contour: Float32Array.from({ length: 12 }, (_, k) => face.landmarks[2 * EYE_FIRST[e] + k]),
      });
    }
    return sharp(Buffer.from(rgb), { raw: { width: info.width, height: info.height, channels: 3 } })
      .jpeg({ quality: 92 })
      .toBuffer();
  };

  test('a red pupil painted into a real eye (sample1 portrait) is found and corrected', async () => {
    const photo = await painted((rgb, width, eye) => {
      const r = 0.11 * eye.width;
      for (let y = Math.floor(eye.cy - r - 1); y <= eye.cy + r + 1; y++)
        for (let x = Math.floor(eye.cx - r - 1); x <= eye.cx + r + 1; x++) {
          const cover = Math.min(1, Math.max(0, r + 0.5 - Math.hypot(x + 0.5 - eye.cx, y + 0.5 - eye.cy)));
          const o = 3 * (y * width + x);
          [190, 50, 55].forEach((v, c) => (rgb[o + c] = Math.round(rgb[o + c] + cover * (v - rgb[o + c]))));
        }
    });
    const r = await analyse(photo);
    assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.message}`);
    const chosen = r.candidates.find((c) => c.index === r.chosenIndex)!;
    assert.ok(chosen.findings.some((q) => q.code === 'RED_EYE_FIXED'));
    assert.equal(detectRedEye(r.aligned.rgba, ALIGNED_SIZE, ALIGNED_SIZE, r.aligned.landmarks).found, false);
  });

  test('the whole eye red (whites, iris and pupil) is refused with a reason and a hint', async () => {
    const photo = await painted((rgb, width, eye) => {
      for (let y = Math.floor(eye.cy - eye.width); y <= eye.cy + eye.width; y++)
        for (let x = Math.floor(eye.cx - eye.width); x <= eye.cx + eye.width; x++) {
          if (!pointInPolygon(eye.contour, x + 0.5, y + 0.5)) continue;
          const o = 3 * (y * width + x);
          // The eye's own light and shade kept, its colour made red.
          const l = (rgb[o] + rgb[o + 1] + rgb[o + 2]) / 3;
          rgb.set([Math.min(255, 40 + 1.1 * l), 0.3 * l, 0.32 * l], o);
        }
    });
    const r = await analyse(photo);
    assert.equal(r.ok, false, 'a red eye was accepted');
    if (r.ok) return;
    assert.equal(r.code, 'RED_EYE', r.message);
    assert.ok(r.hint && /flash/.test(r.hint), r.hint);
    const faces = r.details!.faces as { index: number; findings: string[] }[];
    assert.deepEqual(faces.find((f) => f.index === r.details!.faceIndex)!.findings, ['RED_EYE']);
  });
});
