import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gainFor, integratedLoudness, LOUDNESS_RATE } from './loudness';

function sine(freq: number, amplitude: number, seconds: number): Float32Array {
  const s = new Float32Array(Math.round(seconds * LOUDNESS_RATE));
  for (let i = 0; i < s.length; i++) s[i] = amplitude * Math.sin((2 * Math.PI * freq * i) / LOUDNESS_RATE);
  return s;
}

describe('integratedLoudness (BS.1770)', () => {
  test('a full-scale 997 Hz sine in one channel reads -3.01 LUFS', () => {
    assert.ok(Math.abs(integratedLoudness(sine(997, 1, 3)) + 3.01) < 0.05);
  });

  test('20 dB quieter reads 20 LU lower', () => {
    assert.ok(Math.abs(integratedLoudness(sine(997, 0.1, 3)) + 23.01) < 0.05);
  });

  test('silence between two tones is gated out (only the blocks straddling the tone edges lower it)', () => {
    const tone = sine(997, 0.1, 1);
    const gapped = new Float32Array(tone.length * 3);
    gapped.set(tone, 0);
    gapped.set(tone, tone.length * 2);
    // Ungated, a third of tone would read 4.8 LU lower (-27.8).
    const l = integratedLoudness(gapped);
    assert.ok(l > -24.2 && l < -23, String(l));
  });

  test('too short or silent is -Infinity', () => {
    assert.equal(integratedLoudness(new Float32Array(1000)), -Infinity);
    assert.equal(integratedLoudness(new Float32Array(48000)), -Infinity);
  });

  test('gainFor brings a level to the target', () => {
    assert.ok(Math.abs(gainFor(-30, -20) - Math.sqrt(10)) < 1e-12);
  });
});
