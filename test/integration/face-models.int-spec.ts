// The real face models on the WASM backend, on the sample photos shipped with face-api.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { descriptorDistance, FaceDetector, interOcularDistance, loadFaceModels, samplePhotoDirectory } from '@talecast/face';
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
});
