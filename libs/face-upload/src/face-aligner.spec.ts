import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalLandmarks } from '@talecast/face';
import { alignFace } from './face-aligner';

test('a face turned, scaled and moved in the photo lands on the canonical template', () => {
  const template = canonicalLandmarks(512);
  // Put the template into a 900x700 "photo": rotate 20°, scale 0.6, move.
  const a = (20 * Math.PI) / 180,
    s = 0.6,
    tx = 310,
    ty = 180;
  const photoLm = new Float32Array(136);
  for (let i = 0; i < 68; i++) {
    const x = template[2 * i],
      y = template[2 * i + 1];
    photoLm[2 * i] = s * (Math.cos(a) * x - Math.sin(a) * y) + tx;
    photoLm[2 * i + 1] = s * (Math.sin(a) * x + Math.cos(a) * y) + ty;
  }
  const rgb = new Uint8Array(900 * 700 * 3).fill(128);
  const aligned = alignFace(rgb, 900, 700, photoLm, 512);
  let err = 0;
  for (let i = 0; i < 136; i++) err = Math.max(err, Math.abs(aligned.landmarks[i] - template[i]));
  assert.ok(err < 0.05, `max landmark error ${err}`);
  assert.ok(Math.abs(aligned.rollDegrees + 20) < 0.1, `roll ${aligned.rollDegrees}`);
  // Pixels that came from the photo are opaque; the canvas outside the photo stays transparent.
  assert.equal(aligned.rgba[(256 * 512 + 256) * 4 + 3], 255);
  assert.equal(aligned.rgba[(256 * 512 + 256) * 4], 128);
});
