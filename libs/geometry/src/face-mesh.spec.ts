import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  centroid,
  estimateRoll,
  estimateYaw,
  eyeSpacingOverNoseDrop,
  foreshortenedYaw,
  turnedYaw,
  eyeOpenness,
  FACE_MESH_POINT_COUNT,
  FACE_OUTLINE,
  FOREHEAD_ARC,
  FOREHEAD_RATIO,
  faceMeshPoints,
  faceMeshTriangles,
  faceTriangles,
  INNER_MOUTH,
  LEFT_BROW,
  LEFT_EYE,
  MESH_OUTLINE,
  mouthOpenness,
  NOSE,
  RIGHT_BROW,
  RIGHT_EYE,
  OUTER_ARC,
  foreheadArcCentre,
  scaleEyes,
  scaleForeheadArc,
  openMouthTo,
  growJaw,
} from './face-mesh';
import { applyAffine, similarityFromParts } from './similarity';
import { syntheticFaceLandmarks } from './synthetic-face';
import { convexHull, gatherPoints, orient2d, pointInPolygon, polygonArea } from './polygon';

const frontal = syntheticFaceLandmarks({ centerX: 256, centerY: 256, faceWidth: 270 });

function signedAreas(points: ArrayLike<number>, tris: Uint32Array): number[] {
  const out: number[] = [];
  for (let t = 0; t < tris.length; t += 3) {
    const [a, b, c] = [tris[t], tris[t + 1], tris[t + 2]];
    out.push(orient2d(points[2 * a], points[2 * a + 1], points[2 * b], points[2 * b + 1], points[2 * c], points[2 * c + 1]) / 2);
  }
  return out;
}

describe('faceMeshPoints', () => {
  const mesh = faceMeshPoints(frontal);

  test('keeps the 68 landmarks and adds the outer points', () => {
    assert.equal(mesh.length, FACE_MESH_POINT_COUNT * 2);
    assert.deepEqual(Array.from(mesh.subarray(0, 136)), Array.from(frontal));
  });

  test('the forehead apex sits FOREHEAD_RATIO x brow-to-chin above the eye line, centred', () => {
    const apex = FOREHEAD_ARC[3];
    const eyeY = (centroid(frontal, RIGHT_EYE)[1] + centroid(frontal, LEFT_EYE)[1]) / 2;
    const browY = centroid(frontal, [...RIGHT_BROW, ...LEFT_BROW])[1];
    const expected = eyeY - FOREHEAD_RATIO * (frontal[17] - browY);
    assert.ok(Math.abs(mesh[2 * apex + 1] - expected) < 1e-3, `${mesh[2 * apex + 1]} vs ${expected}`);
    assert.ok(Math.abs(mesh[2 * apex] - 256) < 1e-3);
    for (const i of FOREHEAD_ARC) assert.ok(mesh[2 * i + 1] < frontal[2 * 0 + 1] + 1e-3, 'arc above the jaw ends');
  });

  test('is equivariant: transform-then-mesh equals mesh-then-transform (corresponding points)', () => {
    const m = similarityFromParts({ scale: 0.43, rotationRadians: 0.35, tx: 700, ty: 120 });
    const moved = applyAffine(m, frontal, new Float32Array(136));
    const a = faceMeshPoints(moved);
    const b = applyAffine(m, mesh, new Float32Array(mesh.length));
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 2e-3, `coordinate ${i}: ${a[i]} vs ${b[i]}`);
  });

  test('the face outline encloses eyes, nose and mouth and the mesh outline encloses the face outline', () => {
    const outline = gatherPoints(mesh, FACE_OUTLINE);
    const outer = gatherPoints(mesh, MESH_OUTLINE);
    for (const i of [...RIGHT_EYE, ...LEFT_EYE, ...NOSE, ...INNER_MOUTH]) {
      assert.ok(pointInPolygon(outline, mesh[2 * i], mesh[2 * i + 1]), `landmark ${i} outside the outline`);
    }
    for (const i of FACE_OUTLINE) assert.ok(pointInPolygon(outer, mesh[2 * i], mesh[2 * i + 1]), `outline point ${i}`);
    assert.ok(Math.abs(polygonArea(outer)) > 1.15 * Math.abs(polygonArea(outline)));
  });
});

describe('faceMeshTriangles', () => {
  const canonical = faceMeshPoints(frontal);
  const tris = faceMeshTriangles(canonical);

  test('tiles the mesh hull with positively oriented triangles: mouth closed or open, eyes blinking', () => {
    for (const [mouthOpen, blink] of [
      [0, false],
      [0.2, false],
      [0.45, false],
      [0.1, true],
    ] as const) {
      const lm = syntheticFaceLandmarks({ centerX: 300, centerY: 200, faceWidth: 150, mouthOpen });
      if (blink) {
        // Upper lids down to 0.5 px above the lower lids.
        for (const [up, low] of [
          [37, 41],
          [38, 40],
          [43, 47],
          [44, 46],
        ])
          lm[2 * up + 1] = lm[2 * low + 1] - 0.5;
      }
      const target = faceMeshPoints(lm);
      const areas = signedAreas(target, tris);
      for (const [k, a] of areas.entries()) assert.ok(a > 0, `mouthOpen ${mouthOpen}: triangle ${k} folds (area ${a})`);
      const hull = convexHull(target);
      const hullArea = polygonArea(gatherPoints(target, hull));
      const sum = areas.reduce((s, a) => s + a, 0);
      assert.ok(Math.abs(sum - hullArea) < 1e-3 * hullArea, `mouthOpen ${mouthOpen}: ${sum} vs ${hullArea}`);
    }
  });

  test('the face outline is made of mesh edges: inside triangles tile exactly the outline polygon', () => {
    const inside = faceTriangles(canonical, tris);
    assert.ok(inside.length > 0 && inside.length < tris.length);
    const sum = signedAreas(canonical, inside).reduce((s, a) => s + a, 0);
    const outlineArea = Math.abs(polygonArea(gatherPoints(canonical, FACE_OUTLINE)));
    assert.ok(Math.abs(sum - outlineArea) < 1e-3 * outlineArea, `${sum} vs ${outlineArea}`);
  });

  test('no triangle bridges the lips: inner-mouth triangles use only inner-lip points', () => {
    for (let t = 0; t < tris.length; t += 3) {
      const v = [tris[t], tris[t + 1], tris[t + 2]];
      const upper = v.some((i) => i >= 61 && i <= 63);
      const lower = v.some((i) => i >= 65 && i <= 67);
      if (upper && lower)
        assert.ok(
          v.every((i) => i >= 60 && i <= 67),
          `triangle ${v} crosses the mouth`,
        );
    }
  });
});

describe('pose and openness', () => {
  test('roll follows the eye line', () => {
    for (const roll of [-20, 0, 15]) {
      const lm = syntheticFaceLandmarks({ centerX: 100, centerY: 100, faceWidth: 80, rollDegrees: roll });
      assert.ok(Math.abs(estimateRoll(lm) - roll) < 1e-3, `${estimateRoll(lm)} vs ${roll}`);
    }
  });

  test('yaw: zero when frontal, signed, monotone, roughly in degrees', () => {
    assert.ok(Math.abs(estimateYaw(frontal)) < 0.5);
    let previous = -Infinity;
    for (let yaw = -60; yaw <= 60; yaw += 5) {
      const lm = syntheticFaceLandmarks({ centerX: 100, centerY: 100, faceWidth: 80, yawDegrees: yaw, rollDegrees: 10 });
      const estimate = estimateYaw(lm);
      assert.ok(estimate > previous, `not monotone at ${yaw}`);
      if (yaw === 0) assert.ok(Math.abs(estimate) < 0.5);
      else assert.ok(Math.sign(estimate) === Math.sign(yaw), `sign at ${yaw}`);
      if (Math.abs(yaw) <= 45) assert.ok(Math.abs(estimate - yaw) < 8, `yaw ${yaw} estimated ${estimate}`);
      previous = estimate;
    }
  });

  test('foreshortening: the eye spacing over the nose drop shrinks as cos(yaw); turnedYaw takes it past 45°', () => {
    const ratioAt = (yaw: number) =>
      eyeSpacingOverNoseDrop(syntheticFaceLandmarks({ centerX: 100, centerY: 100, faceWidth: 80, yawDegrees: yaw, rollDegrees: 15 }));
    const frontal = ratioAt(0);
    for (const yaw of [20, 40, 57, 70]) {
      const estimate = foreshortenedYaw(ratioAt(yaw), frontal);
      assert.ok(Math.abs(estimate - yaw) < 4, `yaw ${yaw} foreshortened ${estimate}`);
      assert.ok(Math.abs(foreshortenedYaw(ratioAt(-yaw), frontal) - yaw) < 4, `yaw -${yaw}`);
    }
    assert.equal(turnedYaw(29, 57), 57, 'the turn the nose offset under-reads');
    assert.equal(turnedYaw(-20, 50), -50, 'signed like the nose offset');
    assert.equal(turnedYaw(27, 42), 27, 'under 45°: within the noise, not a turn');
    assert.equal(turnedYaw(-55, 45), -55, 'the nose offset already says more');
    assert.equal(foreshortenedYaw(NaN, frontal), 0);
  });

  test('mouth openness is the inner-lip gap over the mouth width', () => {
    const closed = mouthOpenness(frontal);
    assert.ok(Math.abs(closed - 0.016 / 0.28) < 1e-3, `closed ${closed}`);
    const open = syntheticFaceLandmarks({ centerX: 0, centerY: 0, faceWidth: 90, mouthOpen: 0.35 });
    assert.ok(Math.abs(mouthOpenness(open) - 0.35) < 1e-3);
  });

  test('eye openness is the eye aspect ratio', () => {
    // Synthetic eyes are 0.15 wide with 0.06 between upper and lower lids.
    assert.ok(Math.abs(eyeOpenness(frontal) - 0.4) < 1e-4, `${eyeOpenness(frontal)}`);
    const squint = Float32Array.from(frontal);
    for (const i of [37, 38, 43, 44]) squint[2 * i + 1] += 0.05 * 300; // lids 0.06 -> 0.01 apart
    assert.ok(eyeOpenness(squint) < 0.1);
  });
});

describe('scaleEyes and scaleForeheadArc', () => {
  const lm = syntheticFaceLandmarks({ centerX: 200, centerY: 220, faceWidth: 180, mouthOpen: 0.1 });
  test('scaleEyes grows each eye about its own centre, keeps its openness and moves nothing else', () => {
    const out = scaleEyes(lm, 1.3, new Float32Array(136));
    for (const eye of [RIGHT_EYE, LEFT_EYE]) {
      const [cx, cy] = centroid(lm, eye);
      const [ox, oy] = centroid(out, eye);
      assert.ok(Math.abs(cx - ox) < 1e-3 && Math.abs(cy - oy) < 1e-3);
      for (const i of eye) assert.ok(Math.abs(Math.hypot(out[2 * i] - cx, out[2 * i + 1] - cy) - 1.3 * Math.hypot(lm[2 * i] - cx, lm[2 * i + 1] - cy)) < 1e-3);
    }
    assert.ok(Math.abs(eyeOpenness(out) - eyeOpenness(lm)) < 1e-5);
    for (let i = 0; i < 68; i++) if (i < 36 || i >= 48) assert.equal(out[2 * i], lm[2 * i]);
  });

  test('scaleForeheadArc moves the arc (and its outer companions) towards the arc centre, nothing else', () => {
    const mesh = faceMeshPoints(lm);
    const moved = scaleForeheadArc(Float32Array.from(mesh), [1, 0.9, 0.8, 0.7, 0.8, 0.9, 1]);
    const [cx, cy] = foreheadArcCentre(mesh);
    const top = FOREHEAD_ARC[3];
    assert.ok(Math.abs(Math.hypot(moved[2 * top] - cx, moved[2 * top + 1] - cy) - 0.7 * Math.hypot(mesh[2 * top] - cx, mesh[2 * top + 1] - cy)) < 1e-3);
    assert.equal(moved[2 * FOREHEAD_ARC[0]], mesh[2 * FOREHEAD_ARC[0]]);
    const outer = OUTER_ARC[3];
    assert.ok(moved[2 * outer + 1] < moved[2 * top + 1], 'the outer point stays outside');
    for (let i = 0; i < 68; i++) assert.equal(moved[2 * i], mesh[2 * i]);
    assert.throws(() => scaleForeheadArc(Float32Array.from(mesh), [1, 1]), RangeError);
  });
});

describe('openMouthTo', () => {
  test('opens a closed mouth and closes an open one to the asked openness, corners and width kept, on a tilted face too', () => {
    for (const [from, to, roll] of [
      [0, 0.25, 0],
      [0.3, 0.05, 0],
      [0.1, 0.4, 20],
      [0.35, 0, -15],
    ]) {
      const lm = Float32Array.from(syntheticFaceLandmarks({ centerX: 200, centerY: 220, faceWidth: 180, mouthOpen: from, rollDegrees: roll }));
      const before = Float32Array.from(lm);
      openMouthTo(lm, to);
      assert.ok(Math.abs(mouthOpenness(lm) - to) < 0.01, `${from} → ${to} (roll ${roll}): ${mouthOpenness(lm)}`);
      for (const i of [48, 54, 60, 64, ...NOSE, ...RIGHT_EYE, 8]) {
        assert.equal(lm[2 * i], before[2 * i]);
        assert.equal(lm[2 * i + 1], before[2 * i + 1]);
      }
      // The lower lip moves more than the upper (the jaw drops), both along the face's own down.
      const move = (i: number) => Math.hypot(lm[2 * i] - before[2 * i], lm[2 * i + 1] - before[2 * i + 1]);
      assert.ok(move(66) > move(62) && move(57) > move(51));
      // Never crossed: every upper inner-lip point stays above its lower partner.
      const rad = (roll * Math.PI) / 180;
      for (const [u, l] of [
        [61, 67],
        [62, 66],
        [63, 65],
      ]) {
        const gap = (lm[2 * l] - lm[2 * u]) * -Math.sin(rad) + (lm[2 * l + 1] - lm[2 * u + 1]) * Math.cos(rad);
        assert.ok(gap >= -1e-3, `${u}/${l} crossed: ${gap}`);
      }
    }
  });
});

describe('growJaw', () => {
  test('pushes the jaw (and its outer ring) out from the arc centre by the share at its ends, none at the chin; nothing else moves', () => {
    const mesh = faceMeshPoints(syntheticFaceLandmarks({ centerX: 200, centerY: 200, faceWidth: 120, mouthOpen: 0.1 }));
    const grown = growJaw(Float32Array.from(mesh), 0.2);
    const [cx, cy] = foreheadArcCentre(mesh);
    const r = (p: Float32Array, i: number) => Math.hypot(p[2 * i] - cx, p[2 * i + 1] - cy);
    assert.ok(Math.abs(r(grown, 0) - 1.2 * r(mesh, 0)) < 1e-3 && Math.abs(r(grown, 16) - 1.2 * r(mesh, 16)) < 1e-3);
    assert.ok(Math.abs(r(grown, 4) - 1.1 * r(mesh, 4)) < 1e-3, 'half way down, half');
    assert.equal(grown[16], mesh[16]);
    assert.equal(grown[17], mesh[17]);
    for (let i = 17; i < 68; i++) assert.equal(grown[2 * i], mesh[2 * i]);
    for (const i of [...FOREHEAD_ARC, ...OUTER_ARC]) assert.equal(grown[2 * i + 1], mesh[2 * i + 1]);
  });
});
