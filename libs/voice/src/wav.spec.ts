import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeWav, encodeWav } from './wav';

describe('wav', () => {
  test('a 16-bit mono WAV round-trips to within one step', () => {
    const s = Float32Array.from([0, 0.5, -0.5, 1, -1, 0.25]);
    const back = decodeWav(encodeWav(s, 48000))!;
    assert.equal(back.rate, 48000);
    back.samples.forEach((v, i) => assert.ok(Math.abs(v - s[i]) < 1 / 32767 + 1e-9));
  });

  test('chunks before the data (ffmpeg writes LIST) are skipped; not a WAV is null', () => {
    const plain = encodeWav(Float32Array.from([0.5, -0.5]), 22050);
    const list = Buffer.concat([Buffer.from('LIST'), Buffer.from([4, 0, 0, 0]), Buffer.from('INFO')]);
    const withList = Buffer.concat([plain.subarray(0, 36), list, plain.subarray(36)]);
    withList.writeUInt32LE(withList.length - 8, 4);
    assert.deepEqual(
      [...decodeWav(withList)!.samples].map((v) => Math.round(v * 2) / 2),
      [0.5, -0.5],
    );
    assert.equal(decodeWav(Buffer.from('not a wav file at all, not at all, no no no no')), null);
  });
});
