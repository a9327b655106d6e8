// Measuring a face's 68 landmarks on a crop turned with the face. The landmark network saw
// upright faces in training: on a face rolled 25° in the picture, face-api's upright crop of the
// detector's box gives points several % of the eye distance off (smaller, pulled in at the jaw).
// Here the network's input is sampled from the picture along the face's own axes, the box the
// detector would draw around that face upright, so any roll is seen upright. Used by the story
// precompute (every tracked frame), the photo upload (the child's landmarks) and the evaluation.
// Pure pixel work plus the network; no tensors of the whole picture.
import type { LoadedFaceModels } from './face-models';
import { centroid, interOcularDistance, LEFT_EYE, RIGHT_EYE } from '@talecast/geometry';
import { RgbImage } from './face-types';
import type { FaceApi, FaceApiTensor, Tfjs } from './face-api-types';
import { FEATURE_NET_INPUT, featureNetInput, landmarkNetPoints } from './feature-nets';

/** The landmark network's input side (face-api's 68-point net). */
export const LANDMARK_INPUT = FEATURE_NET_INPUT;

/**
 * How a detector box relates to the landmarks' bounding box, so a box can be predicted from
 * landmarks on frames without a detection: offsets and sizes relative to the landmark box.
 */
export interface BoxCalibration {
  dx: number;
  dy: number;
  sw: number;
  sh: number;
}

/**
 * The SSD detector's box relative to the landmarks' box, averaged over the sample photos
 * (scripts: /tmp/cal.js in the precompute issue note). The landmark network was trained on such
 * boxes, so every landmark crop is made this way, whichever detector found the face.
 */
export const SSD_CALIBRATION: BoxCalibration = { dx: 0.046, dy: -0.37, sw: 0.934, sh: 1.413 };

/**
 * A face region turned with the face: centre in frame pixels, size along the face's own axes
 * (width across, height down the face), and the angle of the face's x axis (radians, image
 * coordinates, y down). With angle 0 it is an ordinary box.
 */
export interface OrientedBox {
  cx: number;
  cy: number;
  width: number;
  height: number;
  angle: number;
}

/** Roll of the face from its eye centres (radians, image coordinates). */
export function eyeLineAngle(lm: ArrayLike<number>): number {
  const [rx, ry] = centroid(lm, RIGHT_EYE);
  const [lx, ly] = centroid(lm, LEFT_EYE);
  return Math.atan2(ly - ry, lx - rx);
}

/**
 * The detector-style box predicted from landmarks, in the face's own axes: the landmarks are
 * turned upright by `angle`, the calibration is applied to their bounding box there, and the
 * result is turned back. With angle 0 this equals predictBox.
 */
export function predictOrientedBox(lm: ArrayLike<number>, c: BoxCalibration, angle: number): OrientedBox {
  const cos = Math.cos(angle),
    sin = Math.sin(angle);
  let u0 = Infinity,
    v0 = Infinity,
    u1 = -Infinity,
    v1 = -Infinity;
  for (let i = 0; i < 68; i++) {
    const x = lm[2 * i],
      y = lm[2 * i + 1];
    const u = x * cos + y * sin;
    const v = -x * sin + y * cos;
    if (u < u0) u0 = u;
    if (u > u1) u1 = u;
    if (v < v0) v0 = v;
    if (v > v1) v1 = v;
  }
  const w = u1 - u0,
    h = v1 - v0;
  const bw = w * c.sw,
    bh = h * c.sh;
  const uc = u0 + c.dx * w + bw / 2;
  const vc = v0 + c.dy * h + bh / 2;
  return { cx: uc * cos - vc * sin, cy: uc * sin + vc * cos, width: bw, height: bh, angle };
}

/**
 * The landmark network's input for an oriented box, made the way face-api prepares an upright
 * box (the box region padded with zeros to a centred square, resized bilinearly with tf's
 * convention: source = destination × step), but sampled along the face's axes so a tilted face
 * is seen upright. Pixels outside the frame are zero, so a face at the frame's edge keeps its
 * place and size in the input instead of being shifted by a clipped box. `out` is size²×3 floats.
 * Returns the map back: frame point = toFrame(input x, input y).
 */
export function orientedFaceInput(
  rgb: Uint8Array,
  width: number,
  height: number,
  o: OrientedBox,
  size: number,
  out: Float32Array,
): { step: number; toFrame: (x: number, y: number) => [number, number] } {
  const side = Math.max(o.width, o.height);
  const step = side / size;
  const cos = Math.cos(o.angle),
    sin = Math.sin(o.angle);
  const halfW = o.width / 2,
    halfH = o.height / 2;
  const maxX = width - 1,
    maxY = height - 1;
  let k = 0;
  for (let j = 0; j < size; j++) {
    const v = -side / 2 + j * step;
    const rowInside = v >= -halfH && v < halfH;
    for (let i = 0; i < size; i++, k += 3) {
      const u = -side / 2 + i * step;
      if (!rowInside || u < -halfW || u >= halfW) {
        out[k] = out[k + 1] = out[k + 2] = 0;
        continue;
      }
      const sx = o.cx + u * cos - v * sin;
      const sy = o.cy + u * sin + v * cos;
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy);
      const fx = sx - x0,
        fy = sy - y0;
      if (x0 >= 0 && y0 >= 0 && x0 < maxX && y0 < maxY) {
        const a = (y0 * width + x0) * 3,
          b = a + 3,
          c = a + width * 3,
          d = c + 3;
        const w00 = (1 - fx) * (1 - fy),
          w01 = fx * (1 - fy),
          w10 = (1 - fx) * fy,
          w11 = fx * fy;
        out[k] = rgb[a] * w00 + rgb[b] * w01 + rgb[c] * w10 + rgb[d] * w11;
        out[k + 1] = rgb[a + 1] * w00 + rgb[b + 1] * w01 + rgb[c + 1] * w10 + rgb[d + 1] * w11;
        out[k + 2] = rgb[a + 2] * w00 + rgb[b + 2] * w01 + rgb[c + 2] * w10 + rgb[d + 2] * w11;
      } else {
        // At the frame's edge: neighbours outside the frame count as black.
        let r = 0,
          g = 0,
          bl = 0;
        for (let n = 0; n < 4; n++) {
          const x = x0 + (n & 1),
            y = y0 + (n >> 1);
          if (x < 0 || y < 0 || x > maxX || y > maxY) continue;
          const wgt = (n & 1 ? fx : 1 - fx) * (n >> 1 ? fy : 1 - fy);
          const p = (y * width + x) * 3;
          r += rgb[p] * wgt;
          g += rgb[p + 1] * wgt;
          bl += rgb[p + 2] * wgt;
        }
        out[k] = r;
        out[k + 1] = g;
        out[k + 2] = bl;
      }
    }
  }
  return {
    step,
    toFrame: (x, y) => {
      const u = -side / 2 + x * step,
        v = -side / 2 + y * step;
      return [o.cx + u * cos - v * sin, o.cy + u * sin + v * cos];
    },
  };
}

/** Index of each landmark's mirror partner in the 68-point layout. */
const MIRROR = [
  16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 27, 28, 29, 30, 35, 34, 33, 32, 31, 45, 44, 43, 42, 47, 46,
  39, 38, 37, 36, 41, 40, 54, 53, 52, 51, 50, 49, 48, 59, 58, 57, 56, 55, 64, 63, 62, 61, 60, 67, 66, 65,
];

/**
 * 68 landmarks for the face in an oriented region: the network's input is sampled straight from
 * the frame along the face's axes (see orientedFaceInput), optionally also mirrored and averaged.
 * Returns the network's input tensor too (featureNetInput; the expression network takes the same
 * input: expressionNetScores), ours to dispose.
 */
export async function landmarksForRegion(
  tf: Tfjs,
  faceapi: FaceApi,
  rgb: Uint8Array,
  width: number,
  height: number,
  region: OrientedBox,
  mirrored: boolean,
  input: Float32Array,
): Promise<{ landmarks: Float32Array; crop: FaceApiTensor }> {
  const map = orientedFaceInput(rgb, width, height, region, LANDMARK_INPUT, input);
  const crop = featureNetInput(tf, input);
  const local = await landmarkNetPoints(tf, faceapi, crop);
  if (mirrored) {
    const flipped = tf.reverse(crop, 2);
    try {
      const mp = await landmarkNetPoints(tf, faceapi, flipped);
      for (let i = 0; i < 68; i++) {
        const j = MIRROR[i];
        local[2 * i] = (local[2 * i] + (LANDMARK_INPUT - mp[2 * j])) / 2;
        local[2 * i + 1] = (local[2 * i + 1] + mp[2 * j + 1]) / 2;
      }
    } finally {
      flipped.dispose();
    }
  }
  const lm = new Float32Array(136);
  for (let i = 0; i < 68; i++) {
    const [x, y] = map.toFrame(local[2 * i], local[2 * i + 1]);
    lm[2 * i] = x;
    lm[2 * i + 1] = y;
  }
  return { landmarks: lm, crop };
}

/**
 * A face's landmarks measured again on crops turned with it, starting from a first answer (e.g. a
 * detector's): roll from the eye line and the box from the points, then once more from that answer.
 * Measured against the fixtures' ground truth (10 s stories a and b, faces rolled −32°…+42°, every
 * 6th hero frame): face-api's own points 4.03% / 6.86% of the eye distance, these 2.47% / 3.61%.
 */
export async function uprightLandmarks(models: LoadedFaceModels, image: RgbImage, first: ArrayLike<number>, passes = 2): Promise<Float32Array> {
  const input = new Float32Array(LANDMARK_INPUT * LANDMARK_INPUT * 3);
  let lm: ArrayLike<number> = first;
  for (let pass = 0; pass < passes; pass++) lm = await turnedLandmarks(models, image, lm, input);
  // A first answer far off the face (a profile, a half-hidden face) can send the turned crop
  // elsewhere: an answer that moved that far is not trusted, the first one is kept.
  return meanDistance(lm, first) <= MAX_REFINE_SHIFT * interOcularDistance(first) ? Float32Array.from(lm) : Float32Array.from(first);
}

/**
 * One measurement on the crop turned with the face whose points are `around` (roll from their eye
 * line, the detector-style box from their extent): one inference, no mirror. `input` is scratch,
 * LANDMARK_INPUT²×3 floats.
 */
export async function turnedLandmarks(models: LoadedFaceModels, image: RgbImage, around: ArrayLike<number>, input: Float32Array): Promise<Float32Array> {
  const region = predictOrientedBox(around, SSD_CALIBRATION, eyeLineAngle(around));
  const { landmarks, crop } = await landmarksForRegion(models.tf, models.faceapi, image.data, image.width, image.height, region, false, input);
  crop.dispose();
  return landmarks;
}

/** Largest mean move (in eye distances) a refinement may make; seen: 3–24% on good faces, 43–62% on lost ones. */
const MAX_REFINE_SHIFT = 0.3;

function meanDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < 68; i++) sum += Math.hypot(a[2 * i] - b[2 * i], a[2 * i + 1] - b[2 * i + 1]);
  return sum / 68;
}
