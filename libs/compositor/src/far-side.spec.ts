import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { centroid, FACE_OUTLINE, faceMeshPoints, gatherPoints, LEFT_EYE, RIGHT_EYE, syntheticFaceLandmarks, Yuv420 } from '@talecast/geometry';
import { FEATURE_MARGIN, measureDrawnReach, pushOutline, rayExit, reachOutline, readRay, SKIN_MARGIN, TURN, turnWeight } from './far-side';
import { FrameCompositor, FrameTarget, growOutline, TOON_OUTLINE_GROW } from './frame-compositor';
import { prepareFace } from './prepared-face';
import { cloneFrame, flatFace, greyFrame } from './test-faces';

/** A 1-D pattern along +x from 0: true = skin. */
const along = (skin: boolean[]) => (x: number) => skin[Math.round(x)] ?? false;
const run = (n: number, v: boolean) => Array.from({ length: n }, () => v);

describe('far side: reading a ray', () => {
  test('the start run is the feature; a short gap with skin beyond is more of it; a long one ends the face', () => {
    // eye 0–4, skin 5–14, a lash 15–17, skin 18–21, hair from 22.
    const pattern = [...run(5, false), ...run(10, true), ...run(3, false), ...run(4, true), ...run(40, false)];
    const isSkin = along(pattern);
    const r = readRay((x) => isSkin(x), 0, 0, 1, 0, 60, 6);
    assert.equal(r.featureEnd, 17);
    assert.equal(r.skinEnd, 21);
  });

  test('a gap longer than the limit after skin ends the face, even when skin comes again later', () => {
    const pattern = [...run(3, false), ...run(5, true), ...run(8, false), ...run(10, true)];
    const r = readRay(along(pattern), 0, 0, 1, 0, 40, 6);
    assert.equal(r.featureEnd, 2);
    assert.equal(r.skinEnd, 7);
  });

  test("a dark run further than `join` past the feature (a stray pixel by the hair's edge) is not the feature", () => {
    // eye 0–4, skin 5–20, a dark pixel 21, skin 22–25, hair from 26.
    const pattern = [...run(5, false), ...run(16, true), false, ...run(4, true), ...run(30, false)];
    assert.equal(readRay(along(pattern), 0, 0, 1, 0, 50, 8, 4).featureEnd, 4);
    assert.equal(readRay(along(pattern), 0, 0, 1, 0, 50, 8).featureEnd, 21);
    // Starting on skin: a run within `join` of the start is the feature (the stored corner on the lid's skin).
    const lid = [...run(3, true), ...run(6, false), ...run(5, true), ...run(30, false)];
    assert.equal(readRay(along(lid), 0, 0, 1, 0, 50, 8, 4).featureEnd, 8);
    const far = [...run(8, true), ...run(6, false), ...run(5, true), ...run(30, false)];
    assert.equal(readRay(along(far), 0, 0, 1, 0, 50, 8, 4).featureEnd, 0);
  });

  test('past the feature a short band of hair ends the face, even with skin-coloured background beyond it', () => {
    // brow 0–3, skin 4–9, hair 10–14, a skin-coloured sky from 15.
    const pattern = [...run(4, false), ...run(6, true), ...run(5, false), ...run(30, true)];
    assert.deepEqual(readRay(along(pattern), 0, 0, 1, 0, 40, 12, 3, 3), { featureEnd: 3, skinEnd: 9 });
    // Without the shorter end for runs past the feature, the band is taken for a gap in the skin, and no end is found.
    assert.ok(Number.isNaN(readRay(along(pattern), 0, 0, 1, 0, 40, 12, 3).skinEnd));
  });

  test('a ray that starts on skin has its feature at 0; one that never meets skin, or never leaves it, reads nothing', () => {
    assert.deepEqual(readRay(along([...run(6, true), ...run(20, false)]), 0, 0, 1, 0, 20, 4), { featureEnd: 0, skinEnd: 5 });
    const none = readRay(() => false, 0, 0, 1, 0, 20, 4);
    assert.ok(Number.isNaN(none.featureEnd) && Number.isNaN(none.skinEnd));
    // A single skin-coloured pixel among non-skin is not skin when runs must be 2 long.
    const speck = [...run(10, false), true, ...run(30, false)];
    assert.ok(Number.isNaN(readRay(along(speck), 0, 0, 1, 0, 30, 10, 3, 3, 2).featureEnd));
    assert.equal(readRay(along(speck), 0, 0, 1, 0, 30, 10, 3, 3, 1).featureEnd, 9);
    // Hair the ray starts in, then a skin-coloured sky to the ray's end: not a feature.
    const sky = readRay(along([...run(8, false), ...run(40, true)]), 0, 0, 1, 0, 30, 10, 3, 3);
    assert.ok(Number.isNaN(sky.featureEnd) && Number.isNaN(sky.skinEnd));
  });

  test("rayExit: the distance to a polygon's edge from inside", () => {
    const square = Float32Array.of(0, 0, 10, 0, 10, 10, 0, 10);
    assert.equal(rayExit(square, 5, 5, 1, 0), 5);
    assert.equal(rayExit(square, 2, 5, -1, 0), 2);
    assert.ok(Math.abs(rayExit(square, 5, 5, Math.SQRT1_2, Math.SQRT1_2) - 5 * Math.SQRT2) < 1e-9);
  });
});

describe('far side: pushing the outline', () => {
  const landmarks = syntheticFaceLandmarks({ centerX: 160, centerY: 130, faceWidth: 100 });
  test('no push leaves the mesh as it was', () => {
    const mesh = faceMeshPoints(landmarks);
    const before = Float32Array.from(mesh);
    pushOutline(mesh, landmarks, {
      push: [
        [0, 0],
        [0, 0],
      ],
    });
    assert.deepEqual(mesh, before);
  });

  test("one side's push moves that side's widest point by the push, the chin and the other side not at all, the inner face stays", () => {
    const mesh = faceMeshPoints(landmarks);
    const before = Float32Array.from(mesh);
    pushOutline(mesh, landmarks, {
      push: [
        [0, 0],
        [8, 8],
      ],
    });
    // Image-right: jaw 16 is the widest point of the outline at the eye line (frontal synthetic face).
    assert.ok(Math.abs(mesh[32] - before[32] - 8) < 0.5, `jaw 16 moved ${mesh[32] - before[32]}`);
    assert.ok(Math.abs(mesh[33] - before[33]) < 1e-3, 'along the eye line (level here)');
    assert.ok(mesh[2 * 9] - before[2 * 9] > 0 && mesh[2 * 9] - before[2 * 9] < 8, 'jaw 9 partly');
    assert.ok(Math.abs(mesh[16] - before[16]) < 0.2, 'chin (8) stays');
    for (let i = 0; i < 8; i++) assert.equal(mesh[2 * i], before[2 * i], `jaw ${i} (image-left) stays`);
    for (let i = 17; i < 68; i++) assert.equal(mesh[2 * i], before[2 * i], `inner point ${i} stays`);
  });

  test('the eye line push applies below the eyes, the brow line push above the brows', () => {
    const mesh = faceMeshPoints(landmarks);
    const before = Float32Array.from(mesh);
    pushOutline(mesh, landmarks, {
      push: [
        [0, 0],
        [10, 0],
      ],
    });
    const eyeY = centroid(landmarks, LEFT_EYE)[1];
    let browY = 0;
    for (let i = 17; i < 27; i++) browY += landmarks[2 * i + 1] / 10;
    let below = 0,
      above = 0;
    for (let i = 0; i < mesh.length >> 1; i++) {
      if (i >= 17 && i < 68) continue;
      if (before[2 * i] <= 160) continue;
      const moved = mesh[2 * i] - before[2 * i];
      if (before[2 * i + 1] >= eyeY && before[2 * i] > 200) {
        assert.ok(moved > 0, `point ${i} below the eye line moves`);
        below++;
      }
      if (before[2 * i + 1] <= browY) {
        assert.equal(moved, 0, `point ${i} above the brows stays`);
        above++;
      }
    }
    assert.ok(below >= 3 && above >= 3, `${below} below, ${above} above`);
  });
});

describe('far side: measured on a drawn frame', () => {
  const W = 320,
    H = 260;
  const SKIN = [180, 110, 150] as const;
  const HAIR = [70, 120, 140] as const;
  const DARK = [30, 128, 128] as const;
  const landmarks = syntheticFaceLandmarks({ centerX: 160, centerY: 130, faceWidth: 100, mouthOpen: 0.05 });
  const colour = { mean: [SKIN[0], SKIN[1], SKIN[2]], std: [12, 3, 3], weight: 1000 };
  const iod = Math.hypot(
    centroid(landmarks, LEFT_EYE)[0] - centroid(landmarks, RIGHT_EYE)[0],
    centroid(landmarks, LEFT_EYE)[1] - centroid(landmarks, RIGHT_EYE)[1],
  );
  const paint = (f: Yuv420, x0: number, y0: number, x1: number, y1: number, c: readonly number[]) => {
    for (let y = Math.max(0, y0); y < Math.min(H, y1); y++)
      for (let x = Math.max(0, x0); x < Math.min(W, x1); x++) {
        f.y.data[y * f.y.stride + x] = c[0];
        f.u.data[(y >> 1) * f.u.stride + (x >> 1)] = c[1];
        f.v.data[(y >> 1) * f.v.stride + (x >> 1)] = c[2];
      }
  };
  /** Skin from x 90 to `hairX`, hair beyond; a drawn far (image-right) eye stroke from the stored corner to `strokeEnd`. */
  function drawn(hairX: number, strokeEnd: number): Yuv420 {
    const f = greyFrame(W, H, HAIR[0], HAIR[1], HAIR[2]);
    paint(f, 90, 40, hairX, 240, SKIN);
    const cx = Math.round(landmarks[90]),
      cy = Math.round(landmarks[91]);
    paint(f, cx - 8, cy - 1, strokeEnd + 1, cy + 2, DARK);
    return f;
  }
  const grown = () => growOutline(faceMeshPoints(landmarks), TOON_OUTLINE_GROW);
  const outlineRight = (mesh: Float32Array, y: number) => {
    const poly = gatherPoints(mesh, FACE_OUTLINE);
    return landmarks[90] + rayExit(poly, landmarks[90], y, 1, 0);
  };

  test('a drawn far eye inside the outline: nothing moves (frontal frames unchanged)', () => {
    const mesh = grown();
    const edge = outlineRight(mesh, landmarks[91]);
    const r = reachOutline(
      mesh,
      landmarks,
      measureDrawnReach(drawn(Math.round(edge + 20), Math.round(edge - FEATURE_MARGIN * iod - 3)), landmarks, colour, 20),
    );
    assert.deepEqual(r.push, [
      [0, 0],
      [0, 0],
    ]);
  });

  test("a drawn far eye past the outline: that side's eye line is pushed to the stroke's end plus the margin, the other side not", () => {
    const mesh = grown();
    const edge = outlineRight(mesh, landmarks[91]);
    const strokeEnd = Math.round(edge + 6);
    const r = reachOutline(mesh, landmarks, measureDrawnReach(drawn(strokeEnd + 8, strokeEnd), landmarks, colour, 20));
    assert.equal(r.push[0][0], 0);
    assert.equal(r.push[0][1], 0);
    const want = strokeEnd + FEATURE_MARGIN * iod - edge;
    assert.ok(r.push[1][0] >= want - 0.5 && r.push[1][0] < want + 3, `push ${r.push[1][0]} vs ${want}`);
    assert.ok(outlineRight(mesh, landmarks[91]) >= strokeEnd + FEATURE_MARGIN * iod - 1.5, 'the stroke lies inside the pushed outline, with the margin');
  });

  test('only the far side of a turned head is read: the near side, and a frontal head, are left', () => {
    const edge = outlineRight(grown(), landmarks[91]);
    const strokeEnd = Math.round(edge + 6);
    const frame = drawn(strokeEnd + 8, strokeEnd);
    for (const yaw of [-20, 0, TURN[0], -TURN[1]]) {
      const mesh = grown();
      const before = Float32Array.from(mesh);
      const r = reachOutline(mesh, landmarks, measureDrawnReach(frame, landmarks, colour, yaw));
      assert.deepEqual(
        r.push,
        [
          [0, 0],
          [0, 0],
        ],
        `yaw ${yaw}`,
      );
      assert.deepEqual(mesh, before);
    }
    // Half-way through the turn ramp, about half of the shortfall is made up.
    const full = reachOutline(grown(), landmarks, measureDrawnReach(frame, landmarks, colour, TURN[1])).push[1][0];
    const half = reachOutline(grown(), landmarks, measureDrawnReach(frame, landmarks, colour, (TURN[0] + TURN[1]) / 2)).push[1][0];
    assert.ok(full > 5 && Math.abs(half - full / 2) < 1.5, `full ${full}, half-way ${half}`);
  });

  test('turnWeight: none below the ramp, all above it, smooth between', () => {
    assert.equal(turnWeight(0), 0);
    assert.equal(turnWeight(-TURN[0]), 0);
    assert.equal(turnWeight(TURN[1]), 1);
    assert.equal(turnWeight(-40), 1);
    assert.ok(Math.abs(turnWeight((TURN[0] + TURN[1]) / 2) - 0.5) < 1e-9);
  });

  test('never more than the margin past the skin: hair right after the stroke bounds the push', () => {
    const mesh = grown();
    const edge = outlineRight(mesh, landmarks[91]);
    const strokeEnd = Math.round(edge + 6);
    const hairX = strokeEnd + 5;
    reachOutline(mesh, landmarks, measureDrawnReach(drawn(hairX, strokeEnd), landmarks, colour, 20));
    const reach = outlineRight(mesh, landmarks[91]);
    assert.ok(reach <= hairX - 1 + SKIN_MARGIN * iod + 1, `outline at ${reach}, skin ends at ${hairX - 1}`);
    assert.ok(reach > edge, 'still pushed to the skin');
  });

  test('the compositor covers the drawn far eye on drawn stories; frames without it are byte-identical with or without the rule', () => {
    const child = prepareFace({ ...flatFace(128, [205, 160, 130], undefined, 0.05), matrix: 'bt709', range: 'tv', style: 'toon' });
    const target: FrameTarget = { landmarks, colour, yaw: 20, mouthOpen: 0.05, occluders: [] };
    const alphaAt = (c: FrameCompositor, x: number, y: number, bbox: { x: number; y: number; width: number; height: number } | null) =>
      bbox && x >= bbox.x && x < bbox.x + bbox.width ? c.lastAlpha.data[(y - bbox.y) * c.lastAlpha.width + (x - bbox.x)] : 0;
    const y = Math.round(landmarks[91]);
    // Where the insertion ends on the eye line without the rule (alpha below a half), on a frame with no stroke.
    const probe = new FrameCompositor();
    const r0 = probe.composite(drawn(300, 0), child, target, { shading: false, drawnReach: false });
    let edge = Math.round(landmarks[90]);
    while (alphaAt(probe, edge + 1, y, r0.bbox) >= 0.5) edge++;
    const strokeEnd = edge + 4;
    const on = new FrameCompositor(),
      off = new FrameCompositor();
    const rOn = on.composite(drawn(strokeEnd + 8, strokeEnd), child, target, { shading: false });
    const rOff = off.composite(drawn(strokeEnd + 8, strokeEnd), child, target, { shading: false, drawnReach: false });
    assert.ok(alphaAt(off, strokeEnd, y, rOff.bbox) < 0.5, `without the rule the stroke's end shows (alpha ${alphaAt(off, strokeEnd, y, rOff.bbox)})`);
    assert.ok(alphaAt(on, strokeEnd, y, rOn.bbox) > 0.9, `with it, covered (alpha ${alphaAt(on, strokeEnd, y, rOn.bbox)})`);
    const inner = outlineRight(grown(), landmarks[91]);
    const inside = drawn(Math.round(inner + 30), Math.round(inner - FEATURE_MARGIN * iod - 3));
    const a = cloneFrame(inside),
      b = cloneFrame(inside);
    new FrameCompositor().composite(a, child, target, { shading: false });
    new FrameCompositor().composite(b, child, target, { shading: false, drawnReach: false });
    assert.deepEqual(a.y.data, b.y.data);
    assert.deepEqual(a.u.data, b.u.data);
  });

  test('photo stories are untouched by the rule: a photo face composites byte-identically with and without it', () => {
    const photo = prepareFace({ ...flatFace(128, [205, 160, 130], undefined, 0.05), matrix: 'bt709', range: 'tv', style: 'photo' });
    const target: FrameTarget = { landmarks, colour, yaw: 20, mouthOpen: 0.05, occluders: [] };
    const edge = outlineRight(grown(), landmarks[91]);
    const frame = drawn(Math.round(edge + 16), Math.round(edge + 8));
    const a = cloneFrame(frame),
      b = cloneFrame(frame),
      c = cloneFrame(frame);
    new FrameCompositor().composite(a, photo, target);
    new FrameCompositor().composite(b, photo, target, { drawnReach: false });
    new FrameCompositor().composite(c, photo, target, { drawnReach: true });
    assert.deepEqual(a.y.data, b.y.data);
    assert.deepEqual(a.v.data, b.v.data);
    assert.notDeepEqual(c.y.data, b.y.data, 'the option itself does act on this frame');
  });
});
