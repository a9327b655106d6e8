import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lineMouth, MOUTH, openMouth } from './mouth-from-voice';

const RATE = 48000;

describe('lineMouth', () => {
  test('loud frames open the mouth, silent ones close it; the slot edges blend in', () => {
    // 1 s line at 3.0 s: silent, then a tone from 0.3 to 0.7 s, then silent.
    const s = new Float32Array(RATE);
    for (let i = Math.round(0.3 * RATE); i < Math.round(0.7 * RATE); i++) s[i] = 0.3 * Math.sin((2 * Math.PI * 200 * i) / RATE);
    const m = lineMouth(s, RATE, 3.0, 25);
    assert.equal(m.startFrame, 75);
    assert.equal(m.open.length, 25);
    assert.ok(m.open[12] > 0.4 && m.open[12] <= MOUTH.maxOpen, `middle ${m.open[12]}`);
    assert.ok(m.open[2] < 0.01 && m.open[22] < 0.01);
    assert.ok(m.weight[0] < 0.2 && m.weight[12] === 1 && m.weight[24] < 0.2);
  });
});

describe('openMouth', () => {
  // An upright face: eyes level, mouth 40 px wide at y=100, closed (inner lips together).
  const face = new Float32Array(136);
  for (let i = 0; i < 68; i++) {
    face[2 * i] = 100;
    face[2 * i + 1] = 100;
  }
  face.set([60, 50], 72); // 36
  face.set([140, 50], 90); // 45
  face.set([80, 100], 96); // 48
  face.set([120, 100], 108); // 54

  test('opens a closed mouth to the asked share of its width, moving the lower lip down', () => {
    const out = openMouth(face, 0.3, 1);
    assert.ok(Math.abs(out[2 * 66 + 1] - (100 + 12)) < 1e-4);
    assert.ok(Math.abs(out[2 * 57 + 1] - 112) < 1e-4);
    assert.ok(Math.abs(out[2 * 8 + 1] - (100 + 7.2)) < 1e-4);
    assert.equal(out[2 * 62 + 1], 100); // the upper lip stays
    assert.equal(out[2 * 66], 100);
  });

  test('half weight moves half way; zero weight leaves the story', () => {
    assert.ok(Math.abs(openMouth(face, 0.3, 0.5)[2 * 66 + 1] - 106) < 1e-4);
    assert.deepEqual(openMouth(face, 0.3, 0), face);
  });

  test('follows a turned head: down is across the eye line', () => {
    // Turn the face 90°: eyes now vertical (36 above 45 → down points to -x).
    const turned = new Float32Array(face);
    turned.set([100, 60], 72);
    turned.set([100, 140], 90);
    const out = openMouth(turned, 0.3, 1);
    assert.ok(Math.abs(out[2 * 66] - (100 - 12)) < 1e-4 && Math.abs(out[2 * 66 + 1] - 100) < 1e-4);
  });
});
