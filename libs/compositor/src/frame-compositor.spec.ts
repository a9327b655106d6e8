import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gatherPoints, INNER_MOUTH, mouthOpenness, pointInPolygon, Rect, syntheticFaceLandmarks, Yuv420 } from '@talecast/geometry';
import { blendChildShape, CompositeOptions, compositeFace, FrameCompositor, FrameTarget, yawFade } from './frame-compositor';
import { prepareFace } from './prepared-face';
import { cloneFrame, flatFace, greyFrame } from './test-faces';

const W = 320,
  H = 240;
const TARGET_COLOUR = { mean: [90, 140, 110], std: [5, 3, 3], weight: 1000 };
// A bright-skinned story face: the grey frame's mouth (128) is a dark interior against it.
const BRIGHT_SKIN = { mean: [200, 120, 140], std: [5, 3, 3], weight: 1000 };
// A flat face: zero std, so the transfer maps it exactly onto the target mean.
const face = prepareFace({ ...flatFace(128, [205, 160, 130], undefined, 0.05), matrix: 'bt709', range: 'tv', style: 'photo' });

function target(overrides: Partial<FrameTarget> = {}, mouthOpen = 0.05): FrameTarget {
  return {
    landmarks: syntheticFaceLandmarks({ centerX: 160, centerY: 120, faceWidth: 90, mouthOpen }),
    colour: TARGET_COLOUR,
    yaw: 0,
    mouthOpen,
    occluders: [],
    ...overrides,
  };
}

function run(t: FrameTarget, options?: CompositeOptions, compositor = new FrameCompositor()) {
  const frame = greyFrame(W, H);
  const before = cloneFrame(frame);
  const report = compositor.composite(frame, face, t, options);
  return { frame, before, report, compositor };
}

const at = (f: Yuv420, x: number, y: number) => [f.y.data[y * W + x], f.u.data[(y >> 1) * (W / 2) + (x >> 1)], f.v.data[(y >> 1) * (W / 2) + (x >> 1)]];

function assertOutsideUntouched(frame: Yuv420, before: Yuv420, box: Rect) {
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const inside = x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
      if (!inside) assert.equal(frame.y.data[y * W + x], before.y.data[y * W + x], `luma ${x},${y} changed`);
    }
  for (let y = 0; y < H / 2; y++)
    for (let x = 0; x < W / 2; x++) {
      const inside = 2 * x >= box.x && 2 * x < box.x + box.width && 2 * y >= box.y && 2 * y < box.y + box.height;
      if (!inside) {
        assert.equal(frame.u.data[y * (W / 2) + x], before.u.data[y * (W / 2) + x], `U ${x},${y} changed`);
        assert.equal(frame.v.data[y * (W / 2) + x], before.v.data[y * (W / 2) + x], `V ${x},${y} changed`);
      }
    }
}

/** Pixels (luma) whose whole square lies inside `polygon`. */
function pixelsInside(polygon: ArrayLike<number>): [number, number][] {
  const out: [number, number][] = [];
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      if (
        [
          [0, 0],
          [1, 0],
          [0, 1],
          [1, 1],
        ].every(([dx, dy]) => pointInPolygon(polygon, x + dx, y + dy))
      )
        out.push([x, y]);
    }
  return out;
}

// Deep inside the face: between the nose bridge and the right cheek.
const t0 = target();
const cheek: [number, number] = [Math.round((t0.landmarks[2 * 29] + t0.landmarks[2 * 2]) / 2), Math.round(t0.landmarks[2 * 29 + 1])];

describe('FrameCompositor', () => {
  test('an open story mouth whose "interior" is not darker than its skin is not cut in: the drawn interior instead', () => {
    const open = target({}, 0.4); // grey frame 128 against skin luma 90
    const r = run(open);
    assert.equal(r.report.mouthCut, 0);
    const inside = pixelsInside(gatherPoints(open.landmarks, INNER_MOUTH));
    for (const [x, y] of inside) assert.ok(r.frame.y.data[y * W + x] < 60, `interior luma ${r.frame.y.data[y * W + x]}`);
  });

  test('a closed-lipped photo on a slightly open story mouth: a dark interior is drawn between the lips, not the stretched lips', () => {
    const open = target({}, 0.09);
    const drawn = run(open).frame;
    const stretched = run(open, { mouthInterior: false }).frame;
    const inside = pixelsInside(gatherPoints(open.landmarks, INNER_MOUTH));
    assert.ok(inside.length > 10, `${inside.length} pixels between the lips`);
    for (const [x, y] of inside) {
      assert.ok(drawn.y.data[y * W + x] < 60, `interior luma ${drawn.y.data[y * W + x]} at ${x},${y}`);
      assert.equal(stretched.y.data[y * W + x], 90, 'without it: the lips stretched (the face colour)');
    }
  });

  test('deep inside the face carries the transferred colour; outside the bbox is bit-identical', () => {
    const { frame, before, report, compositor } = run(target());
    assert.ok(report.bbox);
    assert.deepEqual(at(frame, cheek[0], cheek[1]), [90, 140, 110]);
    assertOutsideUntouched(frame, before, report.bbox);
    // Every fully opaque pixel got exactly the target colour (but the drawn mouth interior).
    const alpha = compositor.lastAlpha;
    const mouth = gatherPoints(target().landmarks, INNER_MOUTH);
    let solid = 0;
    for (let j = 0; j < report.bbox.height; j++)
      for (let i = 0; i < report.bbox.width; i++) {
        if (alpha.data[j * alpha.width + i] !== 1) continue;
        const px = report.bbox.x + i,
          py = report.bbox.y + j;
        if (
          [
            [0, 0],
            [1, 0],
            [0, 1],
            [1, 1],
          ].some(([dx, dy]) => pointInPolygon(mouth, px + dx, py + dy))
        )
          continue;
        solid++;
        assert.equal(frame.y.data[(report.bbox.y + j) * W + report.bbox.x + i], 90);
      }
    assert.ok(solid > 2000, `${solid} opaque pixels`);
  });

  test('the bbox is the even-aligned bounding box of the face outline; alpha stays in [0, 1]', () => {
    const { report, compositor } = run(target());
    const box = report.bbox!;
    assert.equal(box.x % 2, 0);
    assert.equal(box.y % 2, 0);
    const alpha = compositor.lastAlpha;
    assert.equal(alpha.width, box.width);
    for (let k = 0; k < box.width * box.height; k++) assert.ok(alpha.data[k] >= 0 && alpha.data[k] <= 1);
    assert.ok(report.meanAlpha > 0.2 && report.meanAlpha < 0.9, `mean alpha ${report.meanAlpha}`);
    assert.equal(alpha.data[0], 0, 'bbox corner is outside the face');
  });

  test('a textured face is mapped through gain σt/σs and offset per channel', () => {
    const input = flatFace(128, [205, 160, 130], undefined, 0.05);
    // Right half of the image (the subject's left cheek) a little darker.
    for (let y = 0; y < 128; y++) for (let x = 64; x < 128; x++) input.rgba.set([185, 140, 112], 4 * (y * 128 + x));
    const textured = prepareFace({ ...input, matrix: 'bt709', range: 'tv', style: 'photo', flattenShading: false });
    const s = textured.skinYuv;
    assert.ok(s.std[0] > 5);
    const frame = greyFrame(W, H);
    new FrameCompositor().composite(frame, textured, target());
    const gain = TARGET_COLOUR.std[0] / s.std[0];
    const expected = Math.round(gain * (textured.texture.y.data[60 * 128 + 40] - s.mean[0]) + TARGET_COLOUR.mean[0]);
    assert.equal(frame.y.data[cheek[1] * W + cheek[0]], expected);
  });

  test('the story mouth interior is untouched when the mouth is open, painted when it is not', () => {
    const open = target({ colour: BRIGHT_SKIN }, 0.4);
    const mouth = pixelsInside(gatherPoints(open.landmarks, INNER_MOUTH));
    assert.ok(mouth.length > 40, `${mouth.length} mouth pixels`);
    const kept = run(open);
    assert.equal(kept.report.mouthCut, 1);
    for (const [x, y] of mouth) assert.equal(kept.frame.y.data[y * W + x], 128, `mouth pixel ${x},${y}`);
    for (const [x, y] of mouth) {
      if (
        mouth.some(([a, b]) => a === (x ^ 1) && b === y) &&
        mouth.some(([a, b]) => a === x && b === (y ^ 1)) &&
        mouth.some(([a, b]) => a === (x ^ 1) && b === (y ^ 1))
      ) {
        assert.deepEqual(at(kept.frame, x, y).slice(1), [128, 128], `mouth chroma ${x},${y}`);
      }
    }
    const painted = run({ ...open, mouthOpen: 0.05 });
    const changed = mouth.filter(([x, y]) => painted.frame.y.data[y * W + x] !== 128).length;
    assert.equal(changed, mouth.length);
  });

  test('occluder polygons are never painted over', () => {
    const square = Float32Array.of(130, 100, 150, 100, 150, 125, 130, 125);
    const inside = pixelsInside(square);
    const { frame } = run(target({ occluders: [square] }));
    for (const [x, y] of inside) assert.deepEqual(at(frame, x, y), [128, 128, 128], `occluded pixel ${x},${y}`);
    const without = run(target());
    assert.ok(
      inside.every(([x, y]) => without.frame.y.data[y * W + x] !== 128),
      'the square is inside the face',
    );
  });

  test('yaw: 70° leaves the frame untouched, 45° blends partially, the fade is monotone', () => {
    const far = run(target({ yaw: 70 }));
    assert.equal(far.report.skipped, 'yaw');
    assert.deepEqual(far.frame.y.data, far.before.y.data);
    assert.deepEqual(far.frame.u.data, far.before.u.data);
    const values = [30, 40, 45, 50, 55, 65].map((yaw) => run(target({ yaw })).frame.y.data[cheek[1] * W + cheek[0]]);
    assert.equal(values[0], 90);
    assert.ok(values[2] > 90 && values[2] < 128, `45° gives ${values[2]}`);
    for (let k = 1; k < values.length; k++) assert.ok(values[k] >= values[k - 1], `not monotone: ${values}`);
    assert.equal(values[5], 128);
    assert.equal(yawFade(-45), yawFade(45));
    assert.ok(Math.abs(yawFade(47.5) - 0.5) < 1e-12);
  });

  test('Laplacian blending of Y keeps the guarantees', () => {
    const square = Float32Array.of(130, 100, 150, 100, 150, 125, 130, 125);
    const { frame, before, report } = run(target({ occluders: [square] }), { blend: 'laplacian', pyramidLevels: 4 });
    assertOutsideUntouched(frame, before, report.bbox!);
    for (const [x, y] of pixelsInside(square)) assert.equal(frame.y.data[y * W + x], 128);
    const v = frame.y.data[(cheek[1] + 8) * W + cheek[0] + 30];
    assert.ok(Math.abs(v - 90) <= 3, `inside value ${v}`);
  });

  test("transferred codes are clamped to the legal range of the face's YUV range", () => {
    const { frame } = run(target({ colour: { mean: [5, 250, 3], std: [5, 3, 3], weight: 1 } }));
    assert.deepEqual(at(frame, cheek[0], cheek[1]), [16, 240, 16]);
  });

  test('scratch reuse: a compositor gives the same result after a larger face as a fresh one', () => {
    const shared = new FrameCompositor();
    run(target({ landmarks: syntheticFaceLandmarks({ centerX: 160, centerY: 120, faceWidth: 160 }) }), {}, shared);
    const small = target({ landmarks: syntheticFaceLandmarks({ centerX: 100, centerY: 90, faceWidth: 50 }) });
    const a = run(small, {}, shared);
    const b = run(small);
    assert.deepEqual(a.frame.y.data, b.frame.y.data);
    assert.deepEqual(a.frame.u.data, b.frame.u.data);
    assert.deepEqual(a.report, b.report);
  });

  test('a face running off the frame edge is clipped, and a face off-frame is skipped', () => {
    const edge = run(target({ landmarks: syntheticFaceLandmarks({ centerX: 10, centerY: 230, faceWidth: 90 }) }));
    assert.equal(edge.report.bbox!.x, 0);
    assert.equal(edge.report.bbox!.y + edge.report.bbox!.height, H);
    assert.ok(edge.report.meanAlpha > 0);
    const gone = run(target({ landmarks: syntheticFaceLandmarks({ centerX: -300, centerY: 120, faceWidth: 90 }) }));
    assert.equal(gone.report.skipped, 'outside');
    assert.deepEqual(gone.frame.y.data, gone.before.y.data);
  });

  test('compositeFace uses a shared compositor with the same result', () => {
    const frame = greyFrame(W, H);
    const report = compositeFace(frame, face, target());
    assert.deepEqual(frame.y.data, run(target()).frame.y.data);
    assert.ok(report.bbox);
  });
});

describe('blendChildShape', () => {
  const child = syntheticFaceLandmarks({ centerX: 64, centerY: 70, faceWidth: 74, mouthOpen: 0.05 });
  // The story's face: elsewhere, bigger, rolled, and with other proportions (wider eyes and mouth).
  const frame = syntheticFaceLandmarks({ centerX: 200, centerY: 110, faceWidth: 120, rollDegrees: 12, mouthOpen: 0.3 });
  for (let i = 36; i < 48; i++) frame[2 * i] += i < 42 ? -4 : 4;
  const out = new Float32Array(136);

  test('amount 0 is the frame; the jaw is always the frame', () => {
    blendChildShape(child, frame, 0, 0, out);
    assert.deepEqual(Array.from(out), Array.from(frame));
    blendChildShape(child, frame, 1, 1, out);
    for (let i = 0; i < 17; i++) assert.deepEqual([out[2 * i], out[2 * i + 1]], [frame[2 * i], frame[2 * i + 1]]);
  });

  test("mouth amount 1: the child's mouth width posed onto the frame, opened as far as the frame's", () => {
    blendChildShape(child, frame, 1, 1, out);
    const d = (p: ArrayLike<number>, i: number, j: number) => Math.hypot(p[2 * i] - p[2 * j], p[2 * i + 1] - p[2 * j + 1]);
    const k = d(out, 36, 45) / d(child, 36, 45);
    assert.ok(Math.abs(d(out, 48, 54) / d(child, 48, 54) - k) < 1e-3, "the child's mouth width, at the posed scale");
    assert.ok(Math.abs(mouthOpenness(out) - mouthOpenness(frame)) < 0.01, `opened ${mouthOpenness(out)} as the frame's ${mouthOpenness(frame)}`);
    assert.ok(mouthOpenness(child) < 0.1, 'from a nearly closed child mouth');
  });

  test("amount 1 puts the brows, eyes and nose on the child's shape posed onto the frame; the mouth follows its own amount", () => {
    blendChildShape(child, frame, 1, 0, out);
    // The posed child is a similarity of the child: distances scale uniformly.
    const d = (p: ArrayLike<number>, i: number, j: number) => Math.hypot(p[2 * i] - p[2 * j], p[2 * i + 1] - p[2 * j + 1]);
    const k = d(out, 36, 45) / d(child, 36, 45);
    for (const [i, j] of [
      [39, 42],
      [27, 30],
      [17, 26],
      [31, 35],
    ])
      assert.ok(Math.abs(d(out, i, j) / d(child, i, j) - k) < 1e-3, `${i}-${j}`);
    for (let i = 48; i < 68; i++) assert.deepEqual([out[2 * i], out[2 * i + 1]], [frame[2 * i], frame[2 * i + 1]]);
    // Halfway is halfway.
    const full = Float32Array.from(out);
    blendChildShape(child, frame, 0.5, 0, out);
    for (let i = 17; i < 48; i++) assert.ok(Math.abs(out[2 * i] - (frame[2 * i] + full[2 * i]) / 2) < 1e-3);
    // The eye line stays where the frame has it (position, scale and roll are the frame's).
    const mid = (p: ArrayLike<number>) => [(p[72] + p[90]) / 2, (p[73] + p[91]) / 2];
    const [fx, fy] = mid(frame),
      [ox, oy] = mid(full);
    assert.ok(Math.hypot(fx - ox, fy - oy) < 2, `eye midpoint moved ${Math.hypot(fx - ox, fy - oy)}`);
  });

  test('the compositor keeps the open mouth exactly on the story (its interior shows through)', () => {
    const t = target({ colour: BRIGHT_SKIN }, 0.4);
    const shaped = run(t, { childShape: 0.5, childMouthShape: 1 });
    const exact = run(t, { childShape: 0, childMouthShape: 0 });
    assert.ok(shaped.report.mouthCut === 1);
    const mouth = gatherPoints(t.landmarks, INNER_MOUTH);
    for (let y = 0; y < H; y++)
      for (let x = 0; x < W; x++) {
        if (!pointInPolygon(mouth, x + 0.5, y + 0.5)) continue;
        assert.equal(shaped.frame.y.data[y * W + x], exact.frame.y.data[y * W + x]);
      }
  });

  test('a face drawn at a third of its size is sampled from a smaller copy, so fine texture does not alias', () => {
    // A 1-texel checkerboard of two greys: its local mean is flat, so any variation in the output
    // is aliasing from skipping texels.
    const size = 512;
    const base = flatFace(size, [128, 128, 128]);
    for (let y = 0; y < size; y++)
      for (let x = 0; x < size; x++) {
        const v = (x + y) % 2 ? 88 : 168;
        base.rgba.set([v, v, v], 4 * (y * size + x));
      }
    const t = target({ landmarks: syntheticFaceLandmarks({ centerX: 160, centerY: 120, faceWidth: (size * 0.58) / 3 }) });
    const spread = (smallerLevels: number) => {
      const prepared = prepareFace({ ...base, matrix: 'bt709', range: 'tv', style: 'photo', smallerLevels });
      const frame = greyFrame(W, H);
      new FrameCompositor().composite(frame, prepared, t, { colourStrength: 0 });
      const inner = pixelsInside(gatherPoints(t.landmarks, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 26, 17]));
      const values = inner.map(([x, y]) => frame.y.data[y * W + x]);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    };
    const aliased = spread(0),
      filtered = spread(2);
    assert.ok(aliased > 10, `without smaller copies the checkerboard aliases (luma std ${aliased.toFixed(1)})`);
    assert.ok(filtered < aliased / 4, `with smaller copies: luma std ${filtered.toFixed(1)} vs ${aliased.toFixed(1)}`);
  });

  test('smaller copies have half the size and landmarks each, and keep the style', () => {
    const p = prepareFace({ ...flatFace(256, [200, 150, 120]), matrix: 'bt709', range: 'tv', style: 'toon' });
    assert.deepEqual(
      p.smaller.map((f) => f.size),
      [128, 64],
    );
    for (const [k, f] of p.smaller.entries()) {
      assert.equal(f.style, 'toon');
      assert.equal(f.texture.y.width, f.size);
      assert.ok(Math.abs(f.landmarks[60] - p.landmarks[60] / 2 ** (k + 1)) < 1e-3);
      assert.equal(f.smaller.length, 0);
    }
  });
});
