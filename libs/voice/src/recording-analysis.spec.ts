import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyseRecording, recordingProblem } from './recording-analysis';

const RATE = 48000;
function withTone(total: number, from: number, to: number, amplitude: number, noise = 0): Float32Array {
  const s = new Float32Array(Math.round(total * RATE));
  let seed = 1;
  for (let i = 0; i < s.length; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    s[i] = noise * (seed / 0x7fffffff - 0.5);
    const t = i / RATE;
    if (t >= from && t < to) s[i] += amplitude * Math.sin(2 * Math.PI * 220 * t);
  }
  return s;
}

describe('analyseRecording', () => {
  test('finds the voice between silences, with a small margin', () => {
    const a = analyseRecording(withTone(3, 0.8, 2.3, 0.3, 0.001), RATE);
    assert.ok(Math.abs(a.voiceStart - 0.76) < 0.03, `start ${a.voiceStart}`);
    assert.ok(Math.abs(a.voiceEnd - 2.38) < 0.03, `end ${a.voiceEnd}`);
    assert.ok(Math.abs(a.voicedSeconds - 1.5) < 0.05);
    assert.equal(recordingProblem(a), null);
  });

  test('room noise alone is silence', () => {
    assert.equal(recordingProblem(analyseRecording(withTone(2, 0, 0, 0, 0.004), RATE)), 'ONLY_SILENCE');
  });

  test('a flat-topped wave is clipped', () => {
    const s = withTone(2, 0.2, 1.8, 3).map((v) => Math.max(-1, Math.min(1, v)));
    const a = analyseRecording(s, RATE);
    assert.ok(a.clippedFraction > 0.1);
    assert.equal(recordingProblem(a), 'RECORDING_CLIPPED');
  });

  test('a loud but clean wave is not clipped', () => {
    assert.equal(recordingProblem(analyseRecording(withTone(2, 0.2, 1.8, 0.95), RATE)), null);
  });

  test('nearly nothing is empty', () => {
    assert.equal(recordingProblem(analyseRecording(new Float32Array(100), RATE)), 'EMPTY_RECORDING');
  });
});
