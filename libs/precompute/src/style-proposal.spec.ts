import { test } from 'node:test';
import assert from 'node:assert/strict';
import { edgeSparsity, proposeStyle, ANIMATION_EDGE_SPARSITY } from './style-proposal';
import { chooseStyle } from './style-choice';

const W = 120,
  H = 120;
const box = { x: 10, y: 10, width: 100, height: 100 };

/** A deterministic pseudo-random sequence (no Math.random in tests). */
function noise(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32 - 0.5;
}

function image(paint: (x: number, y: number) => number): Uint8Array {
  const rgb = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const v = Math.max(0, Math.min(255, Math.round(paint(x, y))));
      rgb.set([v, Math.round(v * 0.8), Math.round(v * 0.7)], (y * W + x) * 3);
    }
  return rgb;
}

test('a drawn face (smooth fill, a few crisp lines) reads as animation; a textured one with soft edges as photo', () => {
  const drawn = image((x, y) =>
    (Math.abs(y - 40) < 1.5 && x > 25 && x < 55) || (Math.abs(y - 40) < 1.5 && x > 65 && x < 95) || (Math.abs(y - 85) < 1 && x > 40 && x < 80)
      ? 40
      : 200 + (x - 60) * 0.1,
  );
  const n = noise(7);
  const photo = image((x, y) => 170 + 25 * Math.tanh((x - 60) / 12) + 6 * n() + 4 * Math.sin(x * 0.9) * Math.cos(y * 1.3));
  const a = edgeSparsity(drawn, W, H, box)!;
  const p = edgeSparsity(photo, W, H, box)!;
  assert.ok(a > ANIMATION_EDGE_SPARSITY, `drawn ${a}`);
  assert.ok(p < ANIMATION_EDGE_SPARSITY, `photo ${p}`);
  assert.equal(edgeSparsity(drawn, W, H, { x: 0, y: 0, width: 10, height: 10 }), null, 'too small to judge');
});

test('the proposal takes the median of the samples; no sample proposes photo', () => {
  assert.equal(proposeStyle([30, 40, 5]).style, 'toon');
  assert.equal(proposeStyle([6, 8, 40]).style, 'photo');
  assert.equal(proposeStyle([]).style, 'photo');
  assert.equal(proposeStyle([]).edgeSparsity, null);
  assert.match(proposeStyle([30]).reason, /animation/);
});

test('the admin overrides the masks file, which overrides the footage', () => {
  assert.deepEqual([chooseStyle('photo', 'toon', [40]).style, chooseStyle('photo', 'toon', [40]).styleSource], ['photo', 'admin']);
  assert.deepEqual([chooseStyle(undefined, 'toon', [5]).style, chooseStyle(undefined, 'toon', [5]).styleSource], ['toon', 'masks']);
  const fromFootage = chooseStyle(undefined, undefined, [40, 35]);
  assert.deepEqual([fromFootage.style, fromFootage.styleSource, fromFootage.styleProposal.samples], ['toon', 'footage', 2]);
});
