// The CPU-heavy part of a face upload, as one pure step: detect every face on the working copy,
// judge each, choose one, align it to the canonical template and prepare its mask and colour.
// Runs in the upload pool's worker threads (photo-analysis.worker.ts) so a burst of uploads never
// blocks the API's event loop; a refusal comes back as a value (errors lose their class across
// threads).
import type { DetectedFace, ExpressionScores, FaceDetector, FaceNetName } from '@talecast/face';
import type { ReasonCode } from '@talecast/core/talecast-error';
import { correctRedEye, prepareFace } from '@talecast/compositor';
import { judgeQuality, judgeRedEye, laplacianVariance, measureFace, QualityFinding, QUALITY_LIMITS } from './face-quality';
import { measureLight } from './face-light';
import { alignFace } from './face-aligner';

export const ALIGNED_SIZE = 512;
/** The networks the analysis runs (SSD, landmarks and expressions; the tiny detector for the small-face check); not the recognition net. */
export const PHOTO_ANALYSIS_NETS: readonly FaceNetName[] = ['ssdMobilenetv1', 'tinyFaceDetector', 'faceLandmark68Net', 'faceExpressionNet'];

export interface RgbPicture {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface PhotoAnalysisTask {
  /** The upright photo at full resolution (RGB). */
  photo: RgbPicture;
  /** The photo scaled down for detection, and its scale from the full photo. */
  working: RgbPicture & { scale: number };
  faceIndex?: number;
}

export interface AnalysedCandidate {
  index: number;
  /** Full-resolution pixels. */
  box: { x: number; y: number; width: number; height: number };
  score: number;
  usable: boolean;
  findings: QualityFinding[];
}

export type PhotoAnalysis =
  | {
      ok: true;
      candidates: AnalysedCandidate[];
      chosenIndex: number;
      /** The aligned face: RGBA, ALIGNED_SIZE², its landmarks in that square. */
      aligned: { rgba: Uint8Array; landmarks: Float32Array };
      /** The soft insertion mask over the aligned square, 0..1. */
      mask: Float32Array;
      skinLab: unknown;
      expressionScores: ExpressionScores;
      pose: { yaw: number; roll: number };
    }
  | { ok: false; code: ReasonCode; message: string; hint?: string; details?: Record<string, unknown> };

export async function analysePhoto(detector: FaceDetector, task: PhotoAnalysisTask): Promise<PhotoAnalysis> {
  const { photo, working } = task;
  const detected: DetectedFace[] = await detector.detectAll(working, { expressions: true, minConfidence: 0.5 });
  if (detected.length === 0) {
    // A face too small for the detector on the whole picture is still a face: look on tiles.
    const small = await smallFaces(detector, working);
    if (small.length > 0) {
      return {
        ok: false,
        code: 'FACE_TOO_SMALL',
        message: 'the face is too small in this photo to be used',
        hint: 'take the photo closer, so the face fills about a third of the picture, or crop it around the face',
        details: {
          faceCount: small.length,
          boxes: small.map((b) => ({ x: b.x / working.scale, y: b.y / working.scale, width: b.width / working.scale, height: b.height / working.scale })),
        },
      };
    }
    return {
      ok: false,
      code: 'NO_FACE',
      message: 'no face was found in the photo',
      hint: 'use a photo where your child’s face is clearly visible, looking at the camera',
    };
  }

  // Landmarks back in full-resolution pixels; judge every face.
  const k = 1 / working.scale;
  const candidates = detected.map((f, index) => {
    const landmarks = Float32Array.from(f.landmarks, (v) => v * k);
    const box = { x: f.box.x * k, y: f.box.y * k, width: f.box.width * k, height: f.box.height * k };
    const { variance, mean } = laplacianVariance(photo.data, photo.width, photo.height, box);
    const findings = judgeQuality(measureFace(landmarks, variance, mean, measureLight(photo.data, photo.width, photo.height, landmarks)));
    return { index, face: f, landmarks, box, findings, usable: !findings.some((q) => q.blocking) };
  });
  let chosen;
  if (task.faceIndex !== undefined) {
    chosen = candidates[task.faceIndex];
    if (!chosen)
      return {
        ok: false,
        code: 'FACE_INDEX_OUT_OF_RANGE',
        message: `faceIndex must be from 0 to ${candidates.length - 1}`,
        details: { faceCount: candidates.length },
      };
  } else {
    chosen = candidates.find((c) => c.usable) ?? candidates[0];
  }
  const blocking = chosen.findings.find((q) => q.blocking);
  if (blocking) return refusal(candidates, chosen, blocking);

  // The chosen face's points measured again on a crop turned with the face: on a tilted photo the
  // detector's upright crop pulls the jaw in, and the alignment and every frame's warp follow these
  // points (story a × sample1: the output's jaw 8.8% of the eye distance off the story's, 4.4%).
  const landmarks = Float32Array.from(await detector.refineLandmarks(working, chosen.face.landmarks), (v) => v * k);
  const aligned = alignFace(photo.data, photo.width, photo.height, landmarks, ALIGNED_SIZE);
  // A flash's red pupils are corrected in the stored face (so in the preview and every frame); red
  // over the whole eye cannot be, and is refused like the other checks.
  const redEye = correctRedEye(aligned.rgba, ALIGNED_SIZE, ALIGNED_SIZE, aligned.landmarks);
  const redEyeFinding = judgeRedEye(redEye.report);
  if (redEyeFinding) chosen.findings.push(redEyeFinding);
  if (redEyeFinding?.blocking) {
    chosen.usable = false;
    return refusal(candidates, chosen, redEyeFinding);
  }
  aligned.rgba = redEye.rgba;
  // Only the mask and colour are kept from it here (renders prepare the face again, smaller copies included).
  const prepared = prepareFace({
    rgba: aligned.rgba,
    size: ALIGNED_SIZE,
    landmarks: aligned.landmarks,
    matrix: 'bt709',
    range: 'tv',
    style: 'photo',
    smallerLevels: 0,
    redEye: false,
  });
  const measures = measureFace(landmarks, 0, 0);
  return {
    ok: true,
    candidates: candidates.map((c) => ({ index: c.index, box: c.box, score: c.face.score, usable: c.usable, findings: c.findings })),
    chosenIndex: chosen.index,
    aligned: { rgba: aligned.rgba, landmarks: aligned.landmarks },
    mask: Float32Array.from(prepared.mask.data),
    skinLab: prepared.skinLab,
    expressionScores: chosen.face.expressions!,
    pose: { yaw: measures.yaw, roll: measures.roll },
  };
}

/** A refusal for `finding` on the chosen face, listing every face in the photo with what is wrong with it (the parent can pick another one: faceIndex). */
function refusal(
  candidates: { index: number; box: AnalysedCandidate['box']; usable: boolean; findings: QualityFinding[] }[],
  chosen: { index: number },
  finding: QualityFinding,
): PhotoAnalysis {
  const faces = candidates.map((c) => ({ index: c.index, box: c.box, usable: c.usable, findings: c.findings.filter((q) => q.blocking).map((q) => q.code) }));
  return {
    ok: false,
    code: finding.code as ReasonCode,
    message: finding.message,
    hint: finding.hint,
    details: { faceCount: candidates.length, faceIndex: chosen.index, faces },
  };
}

/**
 * Faces too small for the detector on the whole picture (it sees a 512² copy): the tiny detector
 * at the working copy's own resolution, once (about a second on WASM), only when nothing was
 * found, to tell "too small" from "no face". Boxes in working-copy pixels; only faces whose eyes
 * would be too close together to use count.
 */
async function smallFaces(detector: FaceDetector, working: RgbPicture & { scale: number }): Promise<{ x: number; y: number; width: number; height: number }[]> {
  const side = Math.ceil(Math.max(working.width, working.height) / 32) * 32;
  const boxes = await detector.detectBoxes(working, { detector: 'tiny', tinyInputSize: Math.min(1280, side), minConfidence: 0.5 });
  // The eyes of a face this wide are about 0.4 of its width apart.
  return boxes.map((b) => b.box).filter((b) => (0.4 * b.width) / working.scale < QUALITY_LIMITS.minInterOcular);
}
