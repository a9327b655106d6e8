// Coverage of a story's hero by the precompute, against ground truth: of the frames where the
// hero's face is visible with both eyes, the share where the precompute has the hero; the same
// share over short shots (under a second) and over the first frames after each cut; and the frames
// where the precompute puts the hero on another face or on no face at all (never allowed). Pure:
// plain per-frame data in, figures out.

/** What the ground truth says about one frame (index = frame number). */
export interface CoverageTruthFrame {
  /** The hero's face is visible with both eyes (the profile fade aside). */
  visible: boolean;
  /** The hero's nose tip in frame pixels, when visible (to tell the hero from another face). */
  nose?: [number, number] | null;
  /** Boxes [x, y, w, h] of other faces in the frame (never to be taken for the hero). */
  others?: number[][];
}

export interface CoverageInput {
  truth: CoverageTruthFrame[];
  /** Shot starts (frame indices > 0). */
  cuts: number[];
  /** Whether the precompute has the hero in frame i, and where its nose tip is then. */
  present: (i: number) => boolean;
  nose: (i: number) => [number, number];
  /** The hero's inter-ocular distance in frame i (truth), to judge "the same face" by distance. */
  interOcular: (i: number) => number;
  /** Frames after a cut counted as "first frames" (default 5). */
  firstFrames?: number;
  /** Shots shorter than this many frames count as short (default: one second's worth). */
  shortShotFrames: number;
}

export interface CoverageShare {
  frames: number;
  found: number;
  share: number;
}

export interface CoverageReport {
  /** All frames where the hero is visible. */
  visible: CoverageShare;
  /** Visible frames in shots shorter than shortShotFrames. */
  shortShots: CoverageShare;
  /** Visible frames among the first `firstFrames` of every shot (after a cut; frame 0 excluded). */
  afterCuts: CoverageShare;
  /** Frames where the precompute has the hero but the truth has no visible hero. */
  falseFrames: number;
  /** Frames where the precompute's hero is on another face, or away from the hero (> 1 eye distance). */
  wrongFace: number;
  /** Visible frames missed, as [first, last] runs (for the note and for debugging). */
  missedRuns: [number, number][];
  /** The wrong-face frames, as [first, last] runs. */
  wrongRuns: [number, number][];
}

/** The coverage target of issue 18. */
export const COVERAGE_TARGET = 0.98;

export function measureCoverage(input: CoverageInput): CoverageReport {
  const n = input.truth.length;
  const firstFrames = input.firstFrames ?? 5;
  const shotStarts = [0, ...input.cuts.filter((c) => c > 0 && c < n)].sort((a, b) => a - b);
  const shotOf = new Int32Array(n);
  const shotLength: number[] = [];
  for (let s = 0; s < shotStarts.length; s++) {
    const end = s + 1 < shotStarts.length ? shotStarts[s + 1] : n;
    shotLength.push(end - shotStarts[s]);
    shotOf.fill(s, shotStarts[s], end);
  }
  const visible = counter(),
    shortShots = counter(),
    afterCuts = counter();
  let falseFrames = 0,
    wrongFace = 0;
  const missedRuns: [number, number][] = [],
    wrongRuns: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const t = input.truth[i];
    const has = input.present(i);
    if (has && !t.visible) falseFrames++;
    if (has && t.visible && isWrongFace(t, input.nose(i), input.interOcular(i))) {
      wrongFace++;
      addToRuns(wrongRuns, i);
    }
    if (!t.visible) continue;
    const s = shotOf[i];
    visible.add(has);
    if (shotLength[s] < input.shortShotFrames) shortShots.add(has);
    if (s > 0 && i - shotStarts[s] < firstFrames) afterCuts.add(has);
    if (!has) addToRuns(missedRuns, i);
  }
  return { visible: visible.done(), shortShots: shortShots.done(), afterCuts: afterCuts.done(), falseFrames, wrongFace, missedRuns, wrongRuns };
}

/** Frame i into a list of [first, last] runs of consecutive frames. */
function addToRuns(runs: [number, number][], i: number): void {
  const last = runs[runs.length - 1];
  if (last && last[1] === i - 1) last[1] = i;
  else runs.push([i, i]);
}

function isWrongFace(t: CoverageTruthFrame, nose: [number, number], iod: number): boolean {
  const onOther = (t.others ?? []).some(([x, y, w, h]) => nose[0] > x && nose[0] < x + w && nose[1] > y && nose[1] < y + h);
  if (onOther) return true;
  if (!t.nose) return false;
  return Math.hypot(nose[0] - t.nose[0], nose[1] - t.nose[1]) > iod;
}

function counter() {
  let frames = 0,
    found = 0;
  return {
    add(has: boolean) {
      frames++;
      if (has) found++;
    },
    done(): CoverageShare {
      return { frames, found, share: frames === 0 ? 1 : found / frames };
    },
  };
}

/** One line for tables and notes, e.g. "99.1% (321/324) · short shots 97.0% · after cuts 95.0% · wrong 0". */
export function formatCoverage(r: CoverageReport): string {
  const pct = (s: CoverageShare) => `${(s.share * 100).toFixed(1)}% (${s.found}/${s.frames})`;
  return `${pct(r.visible)} · short shots ${pct(r.shortShots)} · first frames after cuts ${pct(r.afterCuts)} · wrong face ${r.wrongFace} · false ${r.falseFrames}`;
}

/** The generated fixtures' ground truth as coverage truth (their faces are always frontal). */
export function coverageTruthOfFixture(truth: { frames: { hero: number[] | null; distractor: number[] | null }[] }): CoverageTruthFrame[] {
  return truth.frames.map((f) => ({
    visible: f.hero !== null,
    nose: f.hero ? [f.hero[60], f.hero[61]] : null,
    others: f.distractor ? [f.distractor] : [],
  }));
}

/**
 * The coverage of a generated story's hero from its precomputed frame data (`present`, landmarks),
 * shots under a second counting as short. For the eval and the precompute's own benchmark.
 */
export function storyCoverage(
  truth: { fps: number; cuts: number[]; frames: { hero: number[] | null; distractor: number[] | null }[] },
  present: (i: number) => boolean,
  landmarks: (i: number) => ArrayLike<number>,
  interOcular: (lm: ArrayLike<number>) => number,
): CoverageReport {
  return measureCoverage({
    truth: coverageTruthOfFixture(truth),
    cuts: truth.cuts,
    shortShotFrames: Math.round(truth.fps),
    present,
    nose: (i) => {
      const lm = landmarks(i);
      return [lm[60], lm[61]];
    },
    interOcular: (i) => (truth.frames[i].hero ? interOcular(truth.frames[i].hero!) : 1),
  });
}

/** The eval's failures for a story's coverage: under COVERAGE_TARGET, or any frame on a wrong face. */
export function coverageFailures(story: string, r: CoverageReport): string[] {
  const out: string[] = [];
  if (r.visible.share < COVERAGE_TARGET) out.push(`${story}: coverage ${(r.visible.share * 100).toFixed(1)}% < ${COVERAGE_TARGET * 100}%`);
  if (r.wrongFace > 0) out.push(`${story}: hero on a wrong face in ${r.wrongFace} frames`);
  return out;
}
