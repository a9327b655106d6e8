// Per-frame records of a story (frames.bin) and its expressions file, from the cleaned tracks:
// per role and frame the landmarks (the lips settled through the mouth's dead band), the
// similarity transform to the canonical face, pose, mouth and eye openness, colour statistics, expression scores and (when measured) each eye's lid
// openness and gaze. Pure: tracks in, typed arrays and
// plain objects out; never touches files.
import { alignmentWeights, canonicalLandmarks, dominantExpression, EXPRESSION_LABELS, ExpressionScores } from '@talecast/face';
import { estimateRoll, estimateYaw, eyeOpenness, eyeSpacingOverNoseDrop, fitSimilarity, foreshortenedYaw, mouthOpenness, turnedYaw } from '@talecast/geometry';
import { COLOUR_DIMS } from './colour-stats';
import { EXPRESSION_DIMS, LANDMARK_DIMS, RoleTrackData } from './range-analyzer';
import { FRAME_FIELDS, RECORD_FLOATS } from './story-manifest';
import { EYE_TRACK_DIMS } from './eye-measure';
import { settleMouth } from './mouth-dead-band';

/** One line of expressions/<story>.json. */
export interface ExpressionFrame {
  i: number;
  role: string;
  expression: string;
  scores: Record<string, number>;
  mouthOpen: number;
  eyesOpen: number;
  yaw: number;
}

export interface StoryFrameRecords {
  /** Role-major records (see FRAME_FIELDS). */
  records: Float32Array;
  /** 1 where any role has a face. */
  anyFace: Uint8Array;
  /** Frames with a face, per role. */
  faceFrames: Record<string, number>;
  /** Sorted by frame, then role. */
  expressionFrames: ExpressionFrame[];
}

/** A role's track as the records need it; `eyes` (see eye-measure's eyeTrack) when the eyes were measured. */
export type RecordTrack = RoleTrackData & { eyes?: Float32Array };

export function storyFrameRecords(roleNames: string[], tracks: RecordTrack[], frameCount: number): StoryFrameRecords {
  const out: StoryFrameRecords = {
    records: new Float32Array(roleNames.length * frameCount * RECORD_FLOATS),
    anyFace: new Uint8Array(frameCount),
    faceFrames: {},
    expressionFrames: [],
  };
  const canonical = canonicalLandmarks();
  const weights = alignmentWeights();
  for (const [r, name] of roleNames.entries()) {
    const track = tracks[r];
    const frontal = frontalEyeSpacing(track, frameCount);
    let count = 0;
    for (let i = 0; i < frameCount; i++) {
      if (!track.present[i]) continue;
      count++;
      out.anyFace[i] = 1;
      const o = (r * frameCount + i) * RECORD_FLOATS;
      out.expressionFrames.push(writeFrameRecord(out.records, o, track, i, name, canonical, weights, frontal));
    }
    out.faceFrames[name] = count;
  }
  out.expressionFrames.sort((a, b) => a.i - b.i || a.role.localeCompare(b.role));
  return out;
}

/** Fills the record at offset `o` from frame i of the track; returns the frame's expressions line. */
function writeFrameRecord(
  records: Float32Array,
  o: number,
  track: RecordTrack,
  i: number,
  role: string,
  canonical: Float32Array,
  weights: Float32Array,
  frontal: number,
): ExpressionFrame {
  // The net's error on a still mouth is not shown as the lips parting (mouth-dead-band.ts).
  const lm = settleMouth(track.landmarks.slice(i * LANDMARK_DIMS, (i + 1) * LANDMARK_DIMS));
  records[o] = 1;
  records.set(lm, o + FRAME_FIELDS.landmarks[0]);
  records.set(fitSimilarity(canonical, lm, weights), o + FRAME_FIELDS.transform[0]);
  const yaw = turnedYaw(estimateYaw(lm), foreshortenedYaw(eyeSpacingOverNoseDrop(lm), frontal));
  records[o + FRAME_FIELDS.yaw[0]] = yaw;
  records[o + FRAME_FIELDS.roll[0]] = estimateRoll(lm);
  const mouth = mouthOpenness(lm);
  const eyes = eyeOpenness(lm);
  records[o + FRAME_FIELDS.mouthOpen[0]] = mouth;
  records[o + FRAME_FIELDS.eyesOpen[0]] = eyes;
  records.set(track.colour.subarray(i * COLOUR_DIMS, i * COLOUR_DIMS + 6), o + FRAME_FIELDS.colourLab[0]);
  records.set(track.colour.subarray(i * COLOUR_DIMS + 6, (i + 1) * COLOUR_DIMS), o + FRAME_FIELDS.colourYuv[0]);
  const e = track.expressions.subarray(i * EXPRESSION_DIMS, (i + 1) * EXPRESSION_DIMS);
  records.set(e, o + FRAME_FIELDS.expressions[0]);
  if (track.eyes) {
    const eyeData = track.eyes.subarray(i * EYE_TRACK_DIMS, (i + 1) * EYE_TRACK_DIMS);
    records[o + FRAME_FIELDS.eyeData[0]] = 1;
    records.set(eyeData.subarray(0, 2), o + FRAME_FIELDS.eyeOpen[0]);
    records.set(eyeData.subarray(2, 6), o + FRAME_FIELDS.gaze[0]);
  }
  const scores = Object.fromEntries(EXPRESSION_LABELS.map((l, k) => [l, round(e[k], 4)])) as ExpressionScores;
  return { i, role, expression: dominantExpression(scores), scores, mouthOpen: round(mouth, 3), eyesOpen: round(eyes, 3), yaw: round(yaw, 1) };
}

/**
 * The role's eye spacing over nose drop when it faces the camera: the 90th percentile over its
 * frames (the character's design, whatever the shot's size), NaN with fewer than
 * FRONTAL_MIN_FRAMES frames (too few to know it; the yaw is then the nose offset's alone).
 */
export function frontalEyeSpacing(track: RoleTrackData, frameCount: number): number {
  const ratios: number[] = [];
  for (let i = 0; i < frameCount; i++) {
    if (!track.present[i]) continue;
    const ratio = eyeSpacingOverNoseDrop(track.landmarks.subarray(i * LANDMARK_DIMS, (i + 1) * LANDMARK_DIMS));
    if (ratio > 0) ratios.push(ratio);
  }
  if (ratios.length < FRONTAL_MIN_FRAMES) return NaN;
  ratios.sort((a, b) => a - b);
  return ratios[Math.floor(0.9 * (ratios.length - 1))];
}
const FRONTAL_MIN_FRAMES = 30;

function round(v: number, digits: number): number {
  const k = 10 ** digits;
  return Math.round(v * k) / k;
}
