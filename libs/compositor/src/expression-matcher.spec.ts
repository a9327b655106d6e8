import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseFacePerFrame, expressionPoseCost, ExpressionPose } from './expression-matcher';

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const neutral: ExpressionPose = { expressionScores: { neutral: 0.9, happy: 0.1 }, yaw: 0 };
const happy: ExpressionPose = { expressionScores: { neutral: 0.1, happy: 0.9 }, yaw: 0 };

/** Frames whose happy share is `happyShare` plus uniform noise of ±`noise`. */
function frames(shares: number[], noise: number, seed = 1): ExpressionPose[] {
  const random = rng(seed);
  return shares.map((share) => {
    const h = Math.min(1, Math.max(0, share + (random() - 0.5) * 2 * noise));
    return { expressionScores: { neutral: 1 - h, happy: h }, yaw: (random() - 0.5) * 6 };
  });
}

const switches = (choice: Int32Array) => choice.reduce((n, c, i) => n + (i > 0 && c !== choice[i - 1] ? 1 : 0), 0);

describe('chooseFacePerFrame', () => {
  test('does not flicker on noisy scores hovering between two candidates', () => {
    const input = frames(Array(200).fill(0.45), 0.2);
    const naive = Int32Array.from(input, (f) => (expressionPoseCost(happy, f) < expressionPoseCost(neutral, f) ? 1 : 0));
    assert.ok(switches(naive) > 30, `the per-frame best flickers (${switches(naive)} switches)`);
    const choice = chooseFacePerFrame([neutral, happy], input, { hysteresis: { margin: 0.1, frames: 10 } });
    assert.equal(switches(choice), 0);
  });

  test('switches once, where a sustained change begins', () => {
    const input = frames([...Array(60).fill(0.15), ...Array(60).fill(0.85)], 0.1, 3);
    const choice = chooseFacePerFrame([neutral, happy], input, { hysteresis: { margin: 0.1, frames: 10 } });
    assert.equal(switches(choice), 1);
    assert.equal(choice[59], 0);
    assert.equal(choice[60], 1);
  });

  test('a blip shorter than the hysteresis window is ignored', () => {
    const input = frames([...Array(30).fill(0.1), ...Array(6).fill(0.95), ...Array(30).fill(0.1)], 0, 4);
    const choice = chooseFacePerFrame([neutral, happy], input, { hysteresis: { margin: 0.1, frames: 8 } });
    assert.ok(choice.every((c) => c === 0));
    const longer = frames([...Array(30).fill(0.1), ...Array(8).fill(0.95), ...Array(30).fill(0.1)], 0, 4);
    assert.equal(switches(chooseFacePerFrame([neutral, happy], longer, { hysteresis: { margin: 0.1, frames: 8 } })), 2);
  });

  test('pose counts: equal expressions are told apart by yaw', () => {
    const left: ExpressionPose = { expressionScores: { neutral: 1 }, yaw: -30 };
    const right: ExpressionPose = { expressionScores: { neutral: 1 }, yaw: 30 };
    const input = Array.from({ length: 20 }, () => ({ expressionScores: { neutral: 1 }, yaw: 25 }));
    assert.ok(chooseFacePerFrame([left, right], input).every((c) => c === 1));
    assert.ok(Math.abs(expressionPoseCost(left, input[0]) - (0.25 * 55) / 45) < 1e-12);
  });

  test('is deterministic, breaks ties towards the lower index and handles empty input', () => {
    const input = frames(Array(50).fill(0.5), 0.3, 9);
    const a = chooseFacePerFrame([neutral, happy, neutral], input);
    assert.deepEqual(a, chooseFacePerFrame([neutral, happy, neutral], input));
    assert.ok(!a.includes(2), 'an identical later candidate never wins a tie');
    assert.deepEqual(Array.from(chooseFacePerFrame([], input.slice(0, 3))), [-1, -1, -1]);
    assert.equal(chooseFacePerFrame([neutral], []).length, 0);
  });
});
