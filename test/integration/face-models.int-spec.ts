// The real face models on the WASM backend, on the sample photos shipped with face-api.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import {
  descriptorDistance,
  EXPRESSION_LABELS,
  expressionNetScores,
  FaceDetector,
  featureNetInput,
  interOcularDistance,
  LANDMARK_INPUT,
  landmarkNetPoints,
  loadFaceModels,
  orientedFaceInput,
  predictOrientedBox,
  samplePhotoDirectory,
  SSD_CALIBRATION,
  eyeLineAngle,
} from '@talecast/face';
import { loadRgb } from '@talecast/fixtures';

describe('face models', async () => {
  const models = await loadFaceModels('wasm');
  const detector = new FaceDetector(models);

  test('load from node_modules on the wasm backend', () => {
    assert.equal(models.backend, 'wasm');
    assert.deepEqual(models.models, ['ssdMobilenetv1', 'tinyFaceDetector', 'faceLandmark68Net', 'faceExpressionNet', 'faceRecognitionNet']);
  });

  test('detect every face of a group photo with landmarks, expressions and descriptors', async () => {
    const image = await loadRgb(path.join(samplePhotoDirectory(), 'sample1.jpg'), 960);
    const faces = await detector.detectAll(image, { expressions: true, descriptors: true });
    assert.ok(faces.length >= 3, `found ${faces.length} faces`);
    for (const f of faces) {
      assert.equal(f.landmarks.length, 136);
      assert.equal(f.descriptor?.length, 128);
      const sum = Object.values(f.expressions!).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 0.01, 'expression scores are a distribution');
      // Landmarks lie inside (or at the edge of) the detected box.
      const iod = interOcularDistance(f.landmarks);
      assert.ok(iod > f.box.width * 0.25 && iod < f.box.width * 0.7, `inter-ocular ${iod} vs box ${f.box.width}`);
    }
    // Different people are far apart in descriptor space.
    assert.ok(descriptorDistance(faces[0].descriptor!, faces[1].descriptor!) > 0.45);
  });

  test('the tiny detector finds faces too, and analyseBox follows a known box', async () => {
    const image = await loadRgb(path.join(samplePhotoDirectory(), 'sample2.jpg'), 960);
    const boxes = await detector.detectBoxes(image, { detector: 'tiny' });
    assert.ok(boxes.length >= 1);
    const [full] = await detector.detectAll(image, { descriptors: true });
    const followed = await detector.analyseBox(image, full.box, { descriptor: true, expressions: true });
    let err = 0;
    for (let i = 0; i < 136; i++) err += Math.abs(followed.landmarks[i] - full.landmarks[i]);
    assert.ok(err / 136 < interOcularDistance(full.landmarks) * 0.05, 'same landmarks from the box alone');
    assert.ok(descriptorDistance(followed.descriptor!, full.descriptor!) < 0.25, 'same identity');
  });

  test('tf.concat on the wasm backend (our Concat kernel) gives the same values on every axis', () => {
    const { tf } = models;
    const a = tf.tensor4d(
      Array.from({ length: 24 }, (_, k) => k),
      [1, 2, 3, 4],
    );
    const b = tf.tensor4d(
      Array.from({ length: 12 }, (_, k) => 100 + k),
      [1, 2, 3, 2],
    );
    const c = tf.tensor4d(
      Array.from({ length: 6 }, (_, k) => -k),
      [1, 2, 3, 1],
    );
    const last = tf.concat([a, b, c], 3);
    assert.deepEqual(last.shape, [1, 2, 3, 7]);
    const values = Array.from(last.dataSync() as Float32Array);
    for (let p = 0; p < 6; p++) {
      assert.deepEqual(values.slice(p * 7, p * 7 + 7), [4 * p, 4 * p + 1, 4 * p + 2, 4 * p + 3, 100 + 2 * p, 101 + 2 * p, -p]);
    }
    const rows = tf.concat([tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6], [1, 2])], 0);
    assert.deepEqual(Array.from(rows.dataSync() as Float32Array), [1, 2, 3, 4, 5, 6]);
    const ints = tf.concat([tf.tensor1d([1, 2], 'int32'), tf.tensor1d([3], 'int32')]);
    assert.equal(ints.dtype, 'int32');
    assert.deepEqual(Array.from(ints.dataSync() as Int32Array), [1, 2, 3]);
    tf.dispose([a, b, c, last, rows, ints]);
  });
  test("our landmark and expression runs give face-api's answers bit for bit on real faces", async () => {
    const { tf, faceapi } = models;
    const image = await loadRgb(path.join(samplePhotoDirectory(), 'sample1.jpg'), 960);
    const faces = await detector.detectAll(image, { expressions: true });
    assert.ok(faces.length >= 3);
    const input = new Float32Array(LANDMARK_INPUT * LANDMARK_INPUT * 3);
    let differing = 0,
      spread = 0;
    for (const f of faces) {
      // The crop the precompute makes around a followed face (turned with it).
      orientedFaceInput(
        image.data,
        image.width,
        image.height,
        predictOrientedBox(f.landmarks, SSD_CALIBRATION, eyeLineAngle(f.landmarks)),
        LANDMARK_INPUT,
        input,
      );
      const raw = tf.tensor3d(input, [LANDMARK_INPUT, LANDMARK_INPUT, 3], 'float32');
      const theirs: { x: number; y: number }[] = (await faceapi.nets.faceLandmark68Net.detectLandmarks(raw)).positions;
      const theirScores = await faceapi.nets.faceExpressionNet.predictExpressions(raw);
      raw.dispose();
      const crop = featureNetInput(tf, input);
      const ours = await landmarkNetPoints(tf, faceapi, crop);
      const ourScores = await expressionNetScores(tf, faceapi, crop);
      crop.dispose();
      // Stored as float32, as landmarksForRegion always stored face-api's points.
      for (let i = 0; i < 68; i++) differing += Number(ours[2 * i] !== Math.fround(theirs[i].x)) + Number(ours[2 * i + 1] !== Math.fround(theirs[i].y));
      for (let i = 0; i < 68; i++) spread = Math.max(spread, Math.abs(theirs[i].x - theirs[0].x));
      EXPRESSION_LABELS.forEach((label, k) => (differing += Number(ourScores[k] !== Math.fround(theirScores[label]))));
    }
    assert.ok(spread > 30, 'the points are a face, not a constant');
    assert.equal(differing, 0, "values that differ from face-api's");
  });
});
