// Quality checks of a detected face, each a named finding: blocking when insertion would fail or
// look wrong, a warning otherwise; each says in a parent's words what is wrong and gives a hint
// for a better photo. Pure: landmarks and pixel statistics in, findings out.
import { estimateYaw, eyeOpenness, interOcularDistance, mouthOpenness, estimateRoll } from '@talecast/geometry';
import type { RedEyeReport } from '@talecast/compositor';
import type { FaceLight } from './face-light';

export type QualityCode =
  | 'FACE_TOO_SMALL'
  | 'FACE_TURNED'
  | 'EYES_CLOSED'
  | 'SUNGLASSES'
  | 'SIDE_LIGHT'
  | 'RED_EYE'
  | 'MOUTH_OPEN'
  | 'BLURRY'
  | 'DARK'
  | 'SMALL_FACE'
  | 'TURNED'
  | 'ROTATED'
  | 'RED_EYE_FIXED';

export interface QualityFinding {
  code: QualityCode;
  blocking: boolean;
  /** What is wrong, in a parent's words. */
  message: string;
  /** How to take a better photo. */
  hint: string;
}

export interface FaceMeasures {
  interOcular: number;
  yaw: number;
  roll: number;
  eyesOpen: number;
  mouthOpen: number;
  sharpness: number;
  brightness: number;
  /** Side light and eye darkness (face-light.ts); absent: not judged. */
  light?: FaceLight;
}

export const QUALITY_LIMITS = {
  minInterOcular: 40,
  warnInterOcular: 60,
  maxYaw: 35,
  warnYaw: 20,
  warnRoll: 25,
  /**
   * Eye aspect ratio under which the eyes are closed or the child looks down (the eyes would stay
   * shut for the whole story). face-api's sample photos: open eyes 0.25–0.50; the woman looking
   * down in sample2.jpg 0.20.
   */
  eyesClosed: 0.22,
  /** Cheek-to-cheek luma contrast above which one side is in deep shadow (sample photos ≤ 0.43, turned faces included). */
  sideLight: 0.55,
  /** Eyes' luma over the cheeks' under which the eyes are hidden (sunglasses); sample photos ≥ 0.45. */
  sunglasses: 0.35,
  mouthOpen: 0.35,
  blurry: 40,
  dark: 55,
};

/** Landmarks in original-photo pixels; `sharpness` = Laplacian variance, `brightness` = mean luma of the face. */
export function measureFace(landmarks: ArrayLike<number>, sharpness: number, brightness: number, light?: FaceLight): FaceMeasures {
  return {
    ...(light ? { light } : {}),
    interOcular: interOcularDistance(landmarks),
    yaw: estimateYaw(landmarks),
    roll: estimateRoll(landmarks),
    eyesOpen: eyeOpenness(landmarks),
    mouthOpen: mouthOpenness(landmarks),
    sharpness,
    brightness,
  };
}

export function judgeQuality(m: FaceMeasures): QualityFinding[] {
  const L = QUALITY_LIMITS;
  const out: QualityFinding[] = [];
  const add = (code: QualityCode, blocking: boolean, message: string, hint: string) => out.push({ code, blocking, message, hint });
  if (m.interOcular < L.minInterOcular)
    add(
      'FACE_TOO_SMALL',
      true,
      `the face is too small in this photo (the eyes are ${m.interOcular.toFixed(0)} pixels apart; at least ${L.minInterOcular} are needed)`,
      'take the photo closer, so the face fills about a third of the picture, or crop it around the face',
    );
  else if (m.interOcular < L.warnInterOcular)
    add('SMALL_FACE', false, 'the face is small; a closer photo will look sharper', 'come closer or crop the photo around the face');
  if (Math.abs(m.yaw) > L.maxYaw)
    add('FACE_TURNED', true, 'the face is turned too far to the side', 'use a photo where your child looks straight at the camera');
  else if (Math.abs(m.yaw) > L.warnYaw)
    add('TURNED', false, 'the face is turned a little; a straight-on photo works best', 'ask your child to look straight at the camera');
  if (Math.abs(m.roll) > L.warnRoll) add('ROTATED', false, 'the head is tilted; it is straightened automatically', 'an upright head works best');
  const hidden = m.light !== undefined && m.light.eyeDarkness < L.sunglasses;
  if (hidden)
    add(
      'SUNGLASSES',
      true,
      'the eyes are hidden (sunglasses or a dark shadow over them)',
      'take off sunglasses or hats that shade the eyes, and use a photo where both eyes are clearly visible',
    );
  else if (m.eyesOpen < L.eyesClosed)
    add(
      'EYES_CLOSED',
      true,
      'the eyes are closed or looking down, so they would stay shut for the whole story',
      'use a photo where your child looks at the camera with the eyes open',
    );
  if (m.light && m.light.sideContrast > L.sideLight)
    add(
      'SIDE_LIGHT',
      true,
      'one side of the face is in deep shadow (strong light from the side)',
      'face a window or take the photo in even daylight, without a lamp to one side',
    );
  if (m.mouthOpen > L.mouthOpen)
    add('MOUTH_OPEN', false, 'the mouth is wide open; a closed or smiling mouth works best', 'a gentle smile with the lips closed works best');
  if (m.sharpness < L.blurry) add('BLURRY', false, 'the photo looks blurry', 'hold the camera still and tap the face to focus');
  if (m.brightness < L.dark) add('DARK', false, 'the photo is dark', 'take the photo in daylight or a well-lit room');
  return out;
}

/**
 * The red-eye check's finding (red-eye.ts, on the aligned face): none when no eye has a red pupil; a
 * warning when the red pupils were corrected; blocking when the red spreads beyond where a pupil can be
 * (the whole eye red, or too much of it to tell the pupil), which no correction would make look right.
 */
export function judgeRedEye(report: RedEyeReport): QualityFinding | null {
  if (!report.found) return null;
  if (!report.correctable)
    return {
      code: 'RED_EYE',
      blocking: true,
      message: 'the eyes are red from the camera flash, too much to be corrected well',
      hint: 'take the photo without the flash, in daylight or a well-lit room, or turn on the camera’s red-eye reduction',
    };
  return {
    code: 'RED_EYE_FIXED',
    blocking: false,
    message: 'the camera flash made the pupils red; they were corrected',
    hint: 'a photo without the flash, in daylight, avoids red eyes',
  };
}

/** Variance of the 4-neighbour Laplacian of luma over a box (a standard blur measure). */
export function laplacianVariance(
  rgb: Uint8Array,
  width: number,
  height: number,
  box: { x: number; y: number; width: number; height: number },
): { variance: number; mean: number } {
  const x0 = Math.max(1, Math.floor(box.x)),
    y0 = Math.max(1, Math.floor(box.y));
  const x1 = Math.min(width - 2, Math.ceil(box.x + box.width)),
    y1 = Math.min(height - 2, Math.ceil(box.y + box.height));
  const luma = (x: number, y: number) => {
    const o = (y * width + x) * 3;
    return 0.299 * rgb[o] + 0.587 * rgb[o + 1] + 0.114 * rgb[o + 2];
  };
  // Normalise the scale: measure on a grid about 128 px wide so the figure does not depend on resolution.
  const step = Math.max(1, Math.round((x1 - x0) / 128));
  let s = 0,
    s2 = 0,
    n = 0,
    lum = 0;
  for (let y = y0 + step; y < y1 - step; y += step) {
    for (let x = x0 + step; x < x1 - step; x += step) {
      const c = luma(x, y);
      const lap = luma(x - step, y) + luma(x + step, y) + luma(x, y - step) + luma(x, y + step) - 4 * c;
      s += lap;
      s2 += lap * lap;
      lum += c;
      n++;
    }
  }
  if (n === 0) return { variance: 0, mean: 0 };
  const mean = s / n;
  return { variance: s2 / n - mean * mean, mean: lum / n };
}
