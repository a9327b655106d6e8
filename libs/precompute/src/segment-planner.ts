// Plans render segments: contiguous frame ranges cut at every shot boundary and every face
// on/off boundary, then split to a target length. A segment marked face-free contains no face
// frame (so it can be copied untouched); tiny runs are merged into a neighbour within the shot.

export interface Segment {
  index: number;
  start: number;
  /** Exclusive. */
  end: number;
  hasFace: boolean;
}

export interface SegmentPlanOptions {
  fps: number;
  targetSeconds?: number;
  /** Runs shorter than this (seconds) are merged into a neighbour in the same shot. */
  minSeconds?: number;
  /**
   * Length of the story's first segment (seconds; default: no special first segment). Playback
   * starts once the first segment is rendered and published, so a short first piece means a
   * shorter wait for the first frame; the rest of that run is split to the target as usual.
   */
  firstSeconds?: number;
}

export function planSegments(facePresent: Uint8Array, cuts: readonly number[], options: SegmentPlanOptions): Segment[] {
  const frameCount = facePresent.length;
  const target = Math.max(1, Math.round((options.targetSeconds ?? 3) * options.fps));
  const minimum = Math.max(1, Math.round((options.minSeconds ?? 0.5) * options.fps));
  const first = options.firstSeconds ? Math.max(minimum, Math.round(options.firstSeconds * options.fps)) : 0;
  const shotStarts = [0, ...cuts.filter((c) => c > 0 && c < frameCount)].sort((a, b) => a - b);
  const segments: Segment[] = [];
  for (let s = 0; s < shotStarts.length; s++) {
    const shotStart = shotStarts[s];
    const shotEnd = s + 1 < shotStarts.length ? shotStarts[s + 1] : frameCount;
    if (shotEnd <= shotStart) continue;
    // Runs of equal face presence within the shot.
    let runs: { start: number; end: number; hasFace: boolean }[] = [];
    let runStart = shotStart;
    for (let i = shotStart + 1; i <= shotEnd; i++) {
      if (i === shotEnd || facePresent[i] !== facePresent[runStart]) {
        runs.push({ start: runStart, end: i, hasFace: facePresent[runStart] === 1 });
        runStart = i;
      }
    }
    runs = mergeShortRuns(runs, minimum);
    for (const run of runs) {
      if (run.start === 0 && first > 0 && run.end - run.start >= first + minimum && first < target) {
        segments.push({ index: segments.length, start: 0, end: first, hasFace: run.hasFace });
        run.start = first;
      }
      const length = run.end - run.start;
      const pieces = Math.max(1, Math.round(length / target));
      for (let p = 0; p < pieces; p++) {
        const start = run.start + Math.round((p * length) / pieces);
        const end = run.start + Math.round(((p + 1) * length) / pieces);
        if (end > start) segments.push({ index: segments.length, start, end, hasFace: run.hasFace });
      }
    }
  }
  // A face segment split in pieces may hold face-free frames; re-check presence per piece.
  for (const seg of segments) {
    let any = false;
    for (let i = seg.start; i < seg.end && !any; i++) any = facePresent[i] === 1;
    seg.hasFace = any;
  }
  return segments;
}

/** Merges runs shorter than `minimum` into a neighbour; the merged run has a face if either had. */
function mergeShortRuns(runs: { start: number; end: number; hasFace: boolean }[], minimum: number) {
  const out = [...runs];
  let changed = true;
  while (changed && out.length > 1) {
    changed = false;
    for (let k = 0; k < out.length; k++) {
      const r = out[k];
      if (r.end - r.start >= minimum) continue;
      // Prefer merging into a face neighbour so no face frame ends up in a copied segment.
      const left = out[k - 1];
      const right = out[k + 1];
      const into = left && right ? (left.hasFace ? k - 1 : right.hasFace ? k + 1 : k - 1) : left ? k - 1 : k + 1;
      const other = out[into];
      const merged = { start: Math.min(r.start, other.start), end: Math.max(r.end, other.end), hasFace: r.hasFace || other.hasFace };
      out.splice(Math.min(k, into), 2, merged);
      changed = true;
      break;
    }
  }
  // Neighbouring runs with the same presence are joined.
  const joined: typeof out = [];
  for (const r of out) {
    const last = joined[joined.length - 1];
    if (last && last.hasFace === r.hasFace) last.end = r.end;
    else joined.push({ ...r });
  }
  return joined;
}
