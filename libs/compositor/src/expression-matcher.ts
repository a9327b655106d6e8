// Chooses, per story frame, which of the child's faces (one per uploaded photo) to insert: the one
// whose expression and pose are closest to the frame's, with hysteresis so the choice never
// flickers on noisy scores but does follow a sustained change. The whole segment is known in
// advance, so a confirmed switch takes effect where the change began (no lag).
// Must stay pure and deterministic: same input, same output; ties go to the lower index.

export const EXPRESSION_LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;
export type ExpressionLabel = (typeof EXPRESSION_LABELS)[number];

export interface ExpressionPose {
  /** Scores per label (missing labels count as 0); normalised to sum 1 before comparing. */
  expressionScores: Partial<Record<string, number>>;
  /** Yaw in degrees. */
  yaw: number;
}

export interface HysteresisOptions {
  /** A challenger must beat the current choice's cost by this much (default 0.1)... */
  margin?: number;
  /** ...on this many consecutive frames (default 12, about half a second). */
  frames?: number;
}

export interface ChooseFaceOptions {
  hysteresis?: HysteresisOptions;
  /** Cost of 45° of yaw difference, in units of expression distance (default 0.25). */
  yawWeight?: number;
}

/**
 * Cost of showing a candidate on a frame: Euclidean distance between normalised expression
 * score vectors (0..√2) plus yawWeight · |Δyaw| / 45°.
 */
export function expressionPoseCost(candidate: ExpressionPose, frame: ExpressionPose, yawWeight = 0.25): number {
  const cs = normalisedScores(candidate.expressionScores);
  const fs = normalisedScores(frame.expressionScores);
  let d2 = 0;
  for (let k = 0; k < EXPRESSION_LABELS.length; k++) d2 += (cs[k] - fs[k]) ** 2;
  const yaw = Math.abs((candidate.yaw || 0) - (frame.yaw || 0)) / 45;
  return Math.sqrt(d2) + yawWeight * yaw;
}

/**
 * Candidate index per frame. Starts with the best candidate of the first `frames` frames; then a
 * switch happens only when, for `frames` consecutive frames, some candidate beats the current one
 * by `margin`; the switch goes to the candidate with the lowest total cost over that run and is
 * applied from the run's first frame. Every run between switches is at least `frames` long
 * (except possibly the first).
 */
export function chooseFacePerFrame(candidates: ExpressionPose[], frames: ExpressionPose[], options: ChooseFaceOptions = {}): Int32Array {
  const out = new Int32Array(frames.length);
  const nc = candidates.length,
    nf = frames.length;
  if (nc === 0) return out.fill(-1);
  if (nf === 0) return out;
  const margin = options.hysteresis?.margin ?? 0.1;
  const need = Math.max(1, Math.floor(options.hysteresis?.frames ?? 12));
  const yawWeight = options.yawWeight ?? 0.25;

  const cost = new Float64Array(nc * nf);
  for (let f = 0; f < nf; f++) {
    for (let c = 0; c < nc; c++) cost[f * nc + c] = expressionPoseCost(candidates[c], frames[f], yawWeight);
  }
  const lowestTotal = (from: number, to: number): number => {
    let best = 0,
      bestSum = Infinity;
    for (let c = 0; c < nc; c++) {
      let s = 0;
      for (let f = from; f < to; f++) s += cost[f * nc + c];
      if (s < bestSum - 1e-12) {
        bestSum = s;
        best = c;
      }
    }
    return best;
  };

  let current = lowestTotal(0, Math.min(nf, need));
  let runStart = -1;
  for (let f = 0; f < nf; f++) {
    out[f] = current;
    const row = f * nc;
    let challenged = false;
    for (let c = 0; c < nc; c++) {
      if (c !== current && cost[row + c] < cost[row + current] - margin) {
        challenged = true;
        break;
      }
    }
    if (!challenged) {
      runStart = -1;
      continue;
    }
    if (runStart < 0) runStart = f;
    if (f - runStart + 1 < need) continue;
    const best = lowestTotal(runStart, f + 1);
    let currentSum = 0,
      bestSum = 0;
    for (let g = runStart; g <= f; g++) {
      currentSum += cost[g * nc + current];
      bestSum += cost[g * nc + best];
    }
    if (best !== current && bestSum < currentSum - margin * (f - runStart + 1)) {
      current = best;
      for (let g = runStart; g <= f; g++) out[g] = current;
      runStart = -1;
    }
  }
  return out;
}

function normalisedScores(scores: Partial<Record<string, number>>): Float64Array {
  const v = new Float64Array(EXPRESSION_LABELS.length);
  let sum = 0;
  for (let k = 0; k < EXPRESSION_LABELS.length; k++) {
    const s = scores[EXPRESSION_LABELS[k]];
    v[k] = typeof s === 'number' && s > 0 && Number.isFinite(s) ? s : 0;
    sum += v[k];
  }
  if (sum > 0) for (let k = 0; k < v.length; k++) v[k] /= sum;
  else v[0] = 1; // no scores: treat as neutral
  return v;
}
