// Quality checks of a detected face, each a named finding: blocking when insertion would fail,
// a warning otherwise. Pure: landmarks and pixel statistics in, findings out.
import { interOcularDistance } from '@talecast/face';
import { estimateYaw, eyeOpenness, mouthOpenness, estimateRoll } from '@talecast/geometry';

export type QualityCode = 'FACE_TOO_SMALL' | 'FACE_TURNED' | 'EYES_CLOSED' | 'MOUTH_OPEN' | 'BLURRY' | 'DARK' | 'SMALL_FACE' | 'TURNED' | 'ROTATED';

export interface QualityFinding {
  code: QualityCode;
  blocking: boolean;
  message: string;
}

export interface FaceMeasures {
  interOcular: number;
  yaw: number;
  roll: number;
  eyesOpen: number;
  mouthOpen: number;
  sharpness: number;
  brightness: number;
}

export const QUALITY_LIMITS = {
  minInterOcular: 40,
  warnInterOcular: 60,
  maxYaw: 35,
  warnYaw: 20,
  warnRoll: 25,
  eyesClosed: 0.15,
  mouthOpen: 0.35,
  blurry: 40,
  dark: 55,
};

/** Landmarks in original-photo pixels; `sharpness` = Laplacian variance, `brightness` = mean luma of the face. */
export function measureFace(landmarks: ArrayLike<number>, sharpness: number, brightness: number): FaceMeasures {
  return {
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
  if (m.interOcular < L.minInterOcular) out.push({ code: 'FACE_TOO_SMALL', blocking: true, message: `the face is too small (eyes ${m.interOcular.toFixed(0)} px apart; at least ${L.minInterOcular} needed)` });
  else if (m.interOcular < L.warnInterOcular) out.push({ code: 'SMALL_FACE', blocking: false, message: 'the face is small; a closer photo will look sharper' });
  if (Math.abs(m.yaw) > L.maxYaw) out.push({ code: 'FACE_TURNED', blocking: true, message: 'the face is turned too far to the side; use a photo looking at the camera' });
  else if (Math.abs(m.yaw) > L.warnYaw) out.push({ code: 'TURNED', blocking: false, message: 'the face is turned a little; a straight-on photo works best' });
  if (Math.abs(m.roll) > L.warnRoll) out.push({ code: 'ROTATED', blocking: false, message: 'the head is tilted; it is straightened automatically' });
  if (m.eyesOpen < L.eyesClosed) out.push({ code: 'EYES_CLOSED', blocking: false, message: 'the eyes look closed' });
  if (m.mouthOpen > L.mouthOpen) out.push({ code: 'MOUTH_OPEN', blocking: false, message: 'the mouth is wide open; a closed or smiling mouth works best' });
  if (m.sharpness < L.blurry) out.push({ code: 'BLURRY', blocking: false, message: 'the photo looks blurry' });
  if (m.brightness < L.dark) out.push({ code: 'DARK', blocking: false, message: 'the photo is dark' });
  return out;
}

/** Variance of the 4-neighbour Laplacian of luma over a box (a standard blur measure). */
export function laplacianVariance(rgb: Uint8Array, width: number, height: number, box: { x: number; y: number; width: number; height: number }): { variance: number; mean: number } {
  const x0 = Math.max(1, Math.floor(box.x)), y0 = Math.max(1, Math.floor(box.y));
  const x1 = Math.min(width - 2, Math.ceil(box.x + box.width)), y1 = Math.min(height - 2, Math.ceil(box.y + box.height));
  const luma = (x: number, y: number) => {
    const o = (y * width + x) * 3;
    return 0.299 * rgb[o] + 0.587 * rgb[o + 1] + 0.114 * rgb[o + 2];
  };
  // Normalise the scale: measure on a grid about 128 px wide so the figure does not depend on resolution.
  const step = Math.max(1, Math.round((x1 - x0) / 128));
  let s = 0, s2 = 0, n = 0, lum = 0;
  for (let y = y0 + step; y < y1 - step; y += step) {
    for (let x = x0 + step; x < x1 - step; x += step) {
      const c = luma(x, y);
      const lap = luma(x - step, y) + luma(x + step, y) + luma(x, y - step) + luma(x, y + step) - 4 * c;
      s += lap; s2 += lap * lap; lum += c; n++;
    }
  }
  if (n === 0) return { variance: 0, mean: 0 };
  const mean = s / n;
  return { variance: s2 / n - mean * mean, mean: lum / n };
}
