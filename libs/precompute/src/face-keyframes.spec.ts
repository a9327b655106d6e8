import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateRoll, estimateYaw, eyeOpenness, interOcularDistance, mouthOpenness, centroid } from '@talecast/geometry';
import { FaceKeyframe, lerpAngle, poseAt, posedLandmarks, WIDE_OPEN_MOUTH } from './face-keyframes';

const near = (a: number, b: number, eps: number, what: string) => assert.ok(Math.abs(a - b) <= eps, `${what}: ${a} vs ${b}`);

test('keyframes interpolate linearly between their times and not outside them', () => {
  const k: FaceKeyframe[] = [
    { t: 1, centre: [0.2, 0.4], size: 0.05, roll: 0 },
    { t: 3, centre: [0.6, 0.2], size: 0.09, roll: 20 },
  ];
  const p = poseAt(k, 1.5)!;
  near(p.centre[0], 0.3, 1e-9, 'x');
  near(p.centre[1], 0.35, 1e-9, 'y');
  near(p.size, 0.06, 1e-9, 'size');
  near(p.roll, 5, 1e-9, 'roll');
  assert.deepEqual(poseAt(k, 3)!.centre, [0.6, 0.2]);
  assert.equal(poseAt(k, 0.9), null);
  assert.equal(poseAt(k, 3.1), null);
  assert.ok(poseAt(k, 3.01, 0.02), 'half a frame of slack');
});

test('roll takes the short way round', () => {
  near(lerpAngle(170, -170, 0.5), 180, 1e-9, '170 → -170');
  near(lerpAngle(170, -170, 0.25), 175, 1e-9, '170 → -170 quarter');
  near(lerpAngle(-170, 170, 0.75), 175, 1e-9, '-170 → 170');
  near(lerpAngle(350, 10, 0.5), 0, 1e-9, '350 → 10');
  near(lerpAngle(-10, 30, 0.5), 10, 1e-9, 'plain');
  const p = poseAt(
    [
      { t: 0, centre: [0.5, 0.5], size: 0.1, roll: 160 },
      { t: 1, centre: [0.5, 0.5], size: 0.1, roll: -160 },
    ],
    0.5,
  )!;
  near(Math.abs(p.roll), 180, 1e-9, 'pose roll');
});

test('optional fields take defaults, and interpolate between the keyframes that have them', () => {
  const k: FaceKeyframe[] = [
    { t: 0, centre: [0.5, 0.5], size: 0.1, roll: 0, mouthOpen: 0 },
    { t: 1, centre: [0.5, 0.5], size: 0.1, roll: 0 },
    { t: 2, centre: [0.5, 0.5], size: 0.1, roll: 0, mouthOpen: 1, yaw: 30 },
  ];
  const p = poseAt(k, 1)!;
  near(p.mouthOpen, 0.5, 1e-9, 'mouth between t=0 and t=2');
  near(p.yaw, 30, 1e-9, 'yaw held from its only keyframe');
  near(p.eyesOpen, 1, 0, 'eyes default open');
  near(poseAt(k, 0.5)!.yaw, 30, 1e-9, 'yaw held before');
});

test('posed landmarks sit where the pose says, with its roll, yaw and openness', () => {
  const W = 1280,
    H = 720;
  const base = { centre: [0.4, 0.5] as [number, number], size: 0.08, roll: 0, yaw: 0, mouthOpen: 0, eyesOpen: 1 };
  const lm = posedLandmarks(base, W, H);
  near(interOcularDistance(lm), 0.08 * W, 0.01, 'eye distance = size × width');
  const [rx, ry] = centroid(lm, [36, 37, 38, 39, 40, 41]);
  const [lx, ly] = centroid(lm, [42, 43, 44, 45, 46, 47]);
  near((rx + lx) / 2, 0.4 * W, 1e-3, 'eye midpoint x');
  near((ry + ly) / 2, 0.5 * H, 1e-3, 'eye midpoint y');
  near(estimateRoll(lm), 0, 0.5, 'upright');
  near(estimateYaw(lm), 0, 3, 'frontal');
  near(mouthOpenness(lm), 0, 0.005, 'closed mouth');
  const open = eyeOpenness(lm);
  assert.ok(open > 0.2 && open < 0.4, `open eyes ${open}`);

  near(estimateRoll(posedLandmarks({ ...base, roll: 25 }, W, H)), 25, 0.5, 'roll');
  near(estimateRoll(posedLandmarks({ ...base, roll: -170 }, W, H)), -170, 0.5, 'roll upside down');
  const turned = posedLandmarks({ ...base, yaw: 30 }, W, H);
  const yaw = estimateYaw(turned);
  assert.ok(yaw > 18 && yaw < 42, `yaw 30 reads ${yaw}`);
  assert.ok(estimateYaw(posedLandmarks({ ...base, yaw: -30 }, W, H)) < -18, 'yaw sign');
  near(interOcularDistance(turned), 0.08 * W * Math.cos(Math.PI / 6), 0.08 * W * 0.08, 'turned eyes foreshortened');
  near(eyeOpenness(posedLandmarks({ ...base, eyesOpen: 0.5 }, W, H)), open / 2, 1e-3, 'half-open eyes');
  near(eyeOpenness(posedLandmarks({ ...base, eyesOpen: 0 }, W, H)), 0, 1e-6, 'closed eyes');
  near(mouthOpenness(posedLandmarks({ ...base, mouthOpen: 1 }, W, H)), WIDE_OPEN_MOUTH, 0.02, 'wide open mouth');
  near(mouthOpenness(posedLandmarks({ ...base, mouthOpen: 0.5 }, W, H)), WIDE_OPEN_MOUTH / 2, 0.01, 'half open mouth');
});
