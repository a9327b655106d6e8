// A face's lid openness from MediaPipe's iris-landmark model (shipped in @vladmandic/human's npm
// package, read from node_modules — nothing is downloaded) on a 64×64 crop of each eye, turned
// with the eye line, as human crops it (a square 2.3 eye widths wide, the image-right eye
// mirrored). Openness = the gap between the middles of its upper and lower lid contours over the
// corner-to-corner width. Why not the 68-point net's lid points: on the tale's outputs they moved
// 7% for a child's eye shut by the render (0.176 vs 0.190), and on the drawn story 20% for a drawn
// blink; this model reads the drawn blink at 0.08–0.13 against 0.41–0.49 open, also on a far
// shot's 10 px drawn eyes (docs/notes/2026-12-07-s7/eyes.md, 2026-12-07-s9/eyes640.md). Used by
// the eval (its eye instrument) and by the precompute (eye-measure: where the eye white cannot
// tell). ~8 ms per face (two eyes) on WASM.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { eyeFrame, interOcularDistance, Rect } from '@talecast/geometry';
import type { LoadedFaceModels } from './face-models';
import type { RgbImage } from './face-types';

const INPUT = 64;
/** Crop side over the eye's size (human's iris crop). */
const CROP_SCALE = 2.3;
/** Floats per eye in the model's output: 71 contour points and 5 iris points, x y z each. */
const OUTPUT_PER_EYE = 228;
/** Contour indices (human's irisIndices): lower lid 0–8 (corner to corner), upper lid 9–15. */
const LOWER_MID = 4,
  UPPER_MID = 12,
  CORNER_A = 0,
  CORNER_B = 8;

type Tf = LoadedFaceModels['tf'];
type GraphModel = Awaited<ReturnType<Tf['loadGraphModel']>>;

export interface IrisModel {
  tf: Tf;
  model: GraphModel;
  input: Float32Array;
}

/** Loads the iris model from @vladmandic/human's package on disk. */
export async function loadIrisModel(models: Pick<LoadedFaceModels, 'tf'>): Promise<IrisModel> {
  const root = path.resolve(path.dirname(require.resolve('@vladmandic/human')), '..');
  const json = JSON.parse(await fs.readFile(path.join(root, 'models', 'iris.json'), 'utf8'));
  const bin = await fs.readFile(path.join(root, 'models', 'iris.bin'));
  const weightData = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
  const model = await models.tf.loadGraphModel(
    models.tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData }),
  );
  return { tf: models.tf, model, input: new Float32Array(2 * INPUT * INPUT * 3) };
}

/**
 * Each eye's openness [eye 0 (points 36–41, image-left), eye 1] in `rgb` around the eyes of
 * `landmarks` (68 points, the eye's centre and line; its size at least half the inter-ocular
 * distance, so a cartoon's big eye or a child's eye posed on it fits the crop). Only the eyes
 * `read` asks for are run through the model (~half the time for one); the others are NaN.
 */
export async function lidOpennessByIrisModel(
  m: IrisModel,
  rgb: RgbImage,
  landmarks: ArrayLike<number>,
  read: readonly [boolean, boolean] = [true, true],
): Promise<[number, number]> {
  const iod = interOcularDistance(landmarks);
  const eyes = ([0, 1] as const).filter((eye) => read[eye]);
  const out: [number, number] = [NaN, NaN];
  if (!eyes.length) return out;
  eyes.forEach((eye, b) => eyeCrop(rgb, landmarks, eye, iod, eye === 1, m.input.subarray(b * INPUT * INPUT * 3, (b + 1) * INPUT * INPUT * 3)));
  const x = m.tf.tensor4d(m.input.subarray(0, eyes.length * INPUT * INPUT * 3), [eyes.length, INPUT, INPUT, 3]);
  const y = m.model.execute(x) as { data(): Promise<Float32Array>; dispose(): void };
  const d = await y.data();
  x.dispose();
  y.dispose();
  eyes.forEach((eye, b) => (out[eye] = lidGap(d, b * OUTPUT_PER_EYE)));
  return out;
}

/** The pixels both eye crops read (axis-aligned, around the turned squares): what a lazily converted frame must hold. */
export function irisCropArea(landmarks: ArrayLike<number>): Rect {
  const iod = interOcularDistance(landmarks);
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (const eye of [0, 1] as const) {
    const { cx, cy, side } = cropSquare(landmarks, eye, iod);
    const r = side * Math.SQRT1_2 + 1;
    x0 = Math.min(x0, cx - r);
    y0 = Math.min(y0, cy - r);
    x1 = Math.max(x1, cx + r);
    y1 = Math.max(y1, cy + r);
  }
  return { x: Math.floor(x0), y: Math.floor(y0), width: Math.ceil(x1 - x0) + 1, height: Math.ceil(y1 - y0) + 1 };
}

function lidGap(d: Float32Array, o: number): number {
  const at = (k: number, c: number) => d[o + 3 * k + c];
  const width = Math.hypot(at(CORNER_A, 0) - at(CORNER_B, 0), at(CORNER_A, 1) - at(CORNER_B, 1));
  return width > 0 ? Math.hypot(at(UPPER_MID, 0) - at(LOWER_MID, 0), at(UPPER_MID, 1) - at(LOWER_MID, 1)) / width : NaN;
}

function cropSquare(lm: ArrayLike<number>, eye: 0 | 1, iod: number): { cx: number; cy: number; side: number } {
  const f = eyeFrame(lm, eye);
  let cx = 0,
    cy = 0;
  for (let k = 0; k < 6; k++) {
    cx += lm[2 * (36 + 6 * eye + k)] / 6;
    cy += lm[2 * (36 + 6 * eye + k) + 1] / 6;
  }
  return { cx, cy, side: CROP_SCALE * Math.max(f.width, 0.5 * iod) };
}

/** The eye's square crop (bilinear, RGB 0..1), turned with the eye line, mirrored when `flip`. */
function eyeCrop(rgb: RgbImage, lm: ArrayLike<number>, eye: 0 | 1, iod: number, flip: boolean, out: Float32Array): void {
  const f = eyeFrame(lm, eye);
  const { cx, cy, side } = cropSquare(lm, eye, iod);
  const { data, width: w, height: h } = rgb;
  for (let y = 0; y < INPUT; y++)
    for (let x = 0; x < INPUT; x++) {
      const u = ((flip ? INPUT - 1 - x : x) + 0.5) / INPUT - 0.5,
        v = (y + 0.5) / INPUT - 0.5;
      const px = cx + side * (u * f.ux - v * f.uy) - 0.5,
        py = cy + side * (u * f.uy + v * f.ux) - 0.5;
      const xi = Math.max(0, Math.min(w - 2, Math.floor(px))),
        yi = Math.max(0, Math.min(h - 2, Math.floor(py)));
      const fx = Math.min(1, Math.max(0, px - xi)),
        fy = Math.min(1, Math.max(0, py - yi));
      for (let c = 0; c < 3; c++) {
        const p = (yi * w + xi) * 3 + c;
        const top = data[p] + (data[p + 3] - data[p]) * fx,
          bottom = data[p + 3 * w] + (data[p + 3 * w + 3] - data[p + 3 * w]) * fx;
        out[(y * INPUT + x) * 3 + c] = (top + (bottom - top) * fy) / 255;
      }
    }
}
