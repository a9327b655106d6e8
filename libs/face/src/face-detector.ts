// Runs the face models on plain RGB images: detection, 68 landmarks, expressions and identity
// descriptors. Tensors are always disposed. Knows nothing of files, HTTP or the database.
import { Box, DetectedFace, DetectOptions, EXPRESSION_LABELS, ExpressionScores, RgbImage } from './face-types';
import { LoadedFaceModels } from './face-models';
import { uprightLandmarks } from './oriented-landmarks';
import type { FaceApi, FaceApiResult, FaceApiTensor } from './face-api-types';

export class FaceDetector {
  constructor(private readonly models: LoadedFaceModels) {}

  get backend(): string {
    return this.models.backend;
  }

  /** All faces in the image, largest first. */
  async detectAll(image: RgbImage, options: DetectOptions = {}): Promise<DetectedFace[]> {
    const { faceapi, tf } = this.models;
    const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    try {
      const detectorOptions =
        options.detector === 'tiny'
          ? new faceapi.TinyFaceDetectorOptions({ inputSize: options.tinyInputSize ?? 416, scoreThreshold: options.minConfidence ?? 0.4 })
          : new faceapi.SsdMobilenetv1Options({ minConfidence: options.minConfidence ?? 0.4, maxResults: options.maxResults ?? 20 });
      let task = faceapi.detectAllFaces(input, detectorOptions).withFaceLandmarks();
      if (options.expressions) task = task.withFaceExpressions();
      if (options.descriptors) task = task.withFaceDescriptors();
      const results: FaceApiResult[] = await task;
      return results.map((r) => toDetectedFace(r)).sort((a, b) => b.box.width * b.box.height - a.box.width * a.box.height);
    } finally {
      input.dispose();
    }
  }

  /** Face boxes only (fast path for tracking). */
  async detectBoxes(image: RgbImage, options: DetectOptions = {}): Promise<{ box: Box; score: number }[]> {
    const { faceapi, tf } = this.models;
    const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    try {
      const detectorOptions =
        options.detector === 'tiny'
          ? new faceapi.TinyFaceDetectorOptions({ inputSize: options.tinyInputSize ?? 416, scoreThreshold: options.minConfidence ?? 0.4 })
          : new faceapi.SsdMobilenetv1Options({ minConfidence: options.minConfidence ?? 0.4, maxResults: options.maxResults ?? 20 });
      const results: FaceApiResult[] = await faceapi.detectAllFaces(input, detectorOptions);
      return results.map((d) => ({ box: boxOf(d.box), score: d.score }));
    } finally {
      input.dispose();
    }
  }

  /** A face's landmarks measured again on crops turned with it (see uprightLandmarks): far closer
   *  than the detector's own on a tilted face. */
  refineLandmarks(image: RgbImage, landmarks: ArrayLike<number>): Promise<Float32Array> {
    return uprightLandmarks(this.models, image, landmarks);
  }

  /**
   * 68 landmarks (and optionally expressions / descriptor) for a face known to be inside `box`
   * (e.g. followed from the previous frame), without running a detector.
   */
  async analyseBox(image: RgbImage, box: Box, options: { expressions?: boolean; descriptor?: boolean } = {}): Promise<DetectedFace> {
    const { faceapi, tf } = this.models;
    const input = tf.tensor3d(image.data, [image.height, image.width, 3], 'int32');
    try {
      const clipped = clipBox(box, image.width, image.height);
      const rect = new faceapi.Rect(clipped.x, clipped.y, clipped.width, clipped.height);
      const [crop] = await faceapi.extractFaceTensors(input, [rect]);
      let landmarks: Float32Array;
      try {
        const result = await faceapi.nets.faceLandmark68Net.detectLandmarks(crop);
        const pts: { x: number; y: number }[] = result.positions;
        landmarks = new Float32Array(136);
        const sx = clipped.width / result.imageWidth;
        const sy = clipped.height / result.imageHeight;
        for (let i = 0; i < 68; i++) {
          landmarks[2 * i] = clipped.x + pts[i].x * sx;
          landmarks[2 * i + 1] = clipped.y + pts[i].y * sy;
        }
        const face: DetectedFace = { box: clipped, score: 1, landmarks };
        if (options.expressions) {
          const probs = await faceapi.nets.faceExpressionNet.predictExpressions(crop);
          face.expressions = toScores(probs);
        }
        if (options.descriptor) {
          const aligned = await alignedChip(faceapi, input, result, clipped);
          try {
            face.descriptor = Float32Array.from(await faceapi.nets.faceRecognitionNet.computeFaceDescriptor(aligned));
          } finally {
            aligned.dispose();
          }
        }
        return face;
      } finally {
        crop.dispose();
      }
    } finally {
      input.dispose();
    }
  }
}

async function alignedChip(faceapi: FaceApi, input: FaceApiTensor, landmarksResult: FaceApiResult, box: Box): Promise<FaceApiTensor> {
  const shifted = landmarksResult.forSize(box.width, box.height).shiftBy(box.x, box.y);
  const alignedRect = shifted.align(null, { useDlibAlignment: true });
  const [chip] = await faceapi.extractFaceTensors(input, [alignedRect]);
  return chip;
}

function toDetectedFace(r: FaceApiResult): DetectedFace {
  const pts: { x: number; y: number }[] = r.landmarks.positions;
  const landmarks = new Float32Array(136);
  for (let i = 0; i < 68; i++) {
    landmarks[2 * i] = pts[i].x;
    landmarks[2 * i + 1] = pts[i].y;
  }
  const face: DetectedFace = { box: boxOf(r.detection.box), score: r.detection.score, landmarks };
  if (r.expressions) face.expressions = toScores(r.expressions);
  if (r.descriptor) face.descriptor = Float32Array.from(r.descriptor);
  return face;
}

function toScores(probs: FaceApiResult): ExpressionScores {
  const scores = {} as ExpressionScores;
  for (const label of EXPRESSION_LABELS) scores[label] = Number(probs[label] ?? 0);
  return scores;
}

function boxOf(b: { x: number; y: number; width: number; height: number }): Box {
  return { x: b.x, y: b.y, width: b.width, height: b.height };
}

export function clipBox(box: Box, width: number, height: number): Box {
  const x = Math.max(0, Math.floor(box.x));
  const y = Math.max(0, Math.floor(box.y));
  const x2 = Math.min(width, Math.ceil(box.x + box.width));
  const y2 = Math.min(height, Math.ceil(box.y + box.height));
  return { x, y, width: Math.max(1, x2 - x), height: Math.max(1, y2 - y) };
}
