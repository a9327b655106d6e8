// Does the output face do what the story's face does? Per-frame openness series of the story's
// character and of the output (eyes: aspect ratio per eye; mouth: inner-lip gap), measured with
// the same instrument on both, each normalised to its own "fully open" (a high percentile), then:
// Pearson correlation, and for the eyes every blink of the character (normalised openness under
// half) must show in the output within ±1 frame. Pure; NaN marks a frame not measured.

export interface FollowResult {
  /** Pearson correlation over frames measured in both series (NaN when either hardly varies). */
  correlation: number;
  frames: number;
  /** Standard deviation of the story's normalised series: under MIN_VARIATION there is nothing to follow. */
  storyVariation: number;
  /** Blinks: runs of story frames under half openness, and how many of them the output shows (±1 frame). */
  blinks: number;
  blinksShown: number;
  missedBlinks: number[];
}

/** Below this spread of the story's normalised openness, the correlation is not meaningful. */
export const MIN_VARIATION = 0.05;
export const OPEN_PERCENTILE = 0.9;

/** Each value over the series' OPEN_PERCENTILE (NaN stays NaN). */
export function normaliseOpenness(values: ArrayLike<number>): Float64Array {
  const known = Array.from(values)
    .filter(Number.isFinite)
    .sort((a, b) => a - b);
  const open = known.length ? known[Math.min(known.length - 1, Math.floor(OPEN_PERCENTILE * known.length))] : NaN;
  return Float64Array.from(values, (v) => (Number.isFinite(v) && open > 0 ? v / open : NaN));
}

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): { r: number; n: number; sdA: number } {
  let n = 0,
    sa = 0,
    sb = 0;
  for (let i = 0; i < a.length; i++)
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) {
      n++;
      sa += a[i];
      sb += b[i];
    }
  if (n < 3) return { r: NaN, n, sdA: 0 };
  const ma = sa / n,
    mb = sb / n;
  let cab = 0,
    caa = 0,
    cbb = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]) || !Number.isFinite(b[i])) continue;
    cab += (a[i] - ma) * (b[i] - mb);
    caa += (a[i] - ma) ** 2;
    cbb += (b[i] - mb) ** 2;
  }
  return { r: caa > 0 && cbb > 0 ? cab / Math.sqrt(caa * cbb) : NaN, n, sdA: Math.sqrt(caa / n) };
}

/** Follow measure of raw openness series (story, output), frame-aligned; `blinks` only for eyes. */
export function followMeasure(story: ArrayLike<number>, output: ArrayLike<number>, blinks: boolean): FollowResult {
  const s = normaliseOpenness(story),
    o = normaliseOpenness(output);
  const { r, n, sdA } = pearson(s, o);
  const result: FollowResult = { correlation: r, frames: n, storyVariation: sdA, blinks: 0, blinksShown: 0, missedBlinks: [] };
  if (!blinks) return result;
  for (let i = 0; i < s.length; i++) {
    if (!(s[i] < 0.5) || s[i - 1] < 0.5) continue; // the first frame of each blink
    let end = i;
    while (end + 1 < s.length && s[end + 1] < 0.5) end++;
    result.blinks++;
    let shown = false;
    for (let k = Math.max(0, i - 1); k <= Math.min(s.length - 1, end + 1) && !shown; k++) shown = o[k] < 0.5;
    if (shown) result.blinksShown++;
    else result.missedBlinks.push(i);
  }
  return result;
}

/**
 * A story mouth that never moves (by the fixture's truth) is followed by an output mouth that holds
 * still: the spread of the output's readings against the spread of the story's own readings by the
 * same instrument, which on a still mouth is the instrument's noise. Spread: the standard deviation
 * within each shot, pooled over the frames read in both (a shot's framing moves the instrument's
 * bias, not the mouth). NaN where fewer than 3 frames or no noise on the story.
 */
export interface StillnessResult {
  storySpread: number;
  outputSpread: number;
  /** outputSpread / storySpread: at most STILL_MOUTH_RATIO passes. */
  ratio: number;
  frames: number;
}

/**
 * The output may read at most this many times as spread as the story. An output mouth that follows
 * the story's reading noise reads about √2 times it (its own noise and the followed one). Set in
 * session 11 for the landmark net's lip gap (main's render before the mouth's dead band 1.10–1.60, lips
 * opened 0 → 0.05 every 20 frames 1.52–2.15, held still 0.95–1.40: a weak instrument at these sizes).
 * Kept for the lip line's pixels (eval/lip-line.ts with profileStillness, session 13): real renders of
 * stories a, b × sample1, sample6 with the lips still read 0.67–1.20 in the eval; lips opened 0 → 0.02 of the
 * mouth's width every 20 frames 1.47–1.62 on story a (real renders), 3.1 on b (composited in-process);
 * 0 → 0.05 3.3–7.2 in-process (docs/notes/2026-12-08-s13/mouth13.md).
 */
export const STILL_MOUTH_RATIO = 1.5;

export function stillnessMeasure(story: ArrayLike<number>, output: ArrayLike<number>, shotOf: ArrayLike<number>): StillnessResult {
  const byShot = new Map<number, [number[], number[]]>();
  for (let i = 0; i < story.length; i++) {
    if (!Number.isFinite(story[i]) || !Number.isFinite(output[i])) continue;
    let s = byShot.get(shotOf[i]);
    if (!s) byShot.set(shotOf[i], (s = [[], []]));
    s[0].push(story[i]);
    s[1].push(output[i]);
  }
  let frames = 0,
    sumStory = 0,
    sumOutput = 0;
  const squares = (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    return v.reduce((a, b) => a + (b - m) ** 2, 0);
  };
  for (const [s, o] of byShot.values()) {
    frames += s.length;
    sumStory += squares(s);
    sumOutput += squares(o);
  }
  if (frames < 3) return { storySpread: NaN, outputSpread: NaN, ratio: NaN, frames };
  const storySpread = Math.sqrt(sumStory / frames),
    outputSpread = Math.sqrt(sumOutput / frames);
  return { storySpread, outputSpread, ratio: storySpread > 0 ? outputSpread / storySpread : NaN, frames };
}

/**
 * stillnessMeasure for a series of vectors (e.g. eval/lip-line.ts's profile across the lip line, one per frame; null =
 * not read): the spread is the root mean square, over the frames read in both and the vector's entries, of each
 * vector's difference from its shot's mean vector — any change of the vector's shape counts (a gap that darkens, teeth
 * that show, lips that move), not only one number's.
 */
export function profileStillness(
  story: readonly (ArrayLike<number> | null)[],
  output: readonly (ArrayLike<number> | null)[],
  shotOf: ArrayLike<number>,
): StillnessResult {
  const byShot = new Map<number, [ArrayLike<number>[], ArrayLike<number>[]]>();
  for (let i = 0; i < story.length; i++) {
    const s = story[i],
      o = output[i];
    if (!s || !o) continue;
    let shot = byShot.get(shotOf[i]);
    if (!shot) byShot.set(shotOf[i], (shot = [[], []]));
    shot[0].push(s);
    shot[1].push(o);
  }
  let frames = 0,
    entries = 0,
    sumStory = 0,
    sumOutput = 0;
  const squares = (v: ArrayLike<number>[]) => {
    const n = v[0].length;
    const m = new Float64Array(n);
    for (const x of v) for (let k = 0; k < n; k++) m[k] += x[k] / v.length;
    let sum = 0;
    for (const x of v) for (let k = 0; k < n; k++) sum += (x[k] - m[k]) ** 2;
    return sum;
  };
  for (const [s, o] of byShot.values()) {
    frames += s.length;
    entries += s.length * s[0].length;
    sumStory += squares(s);
    sumOutput += squares(o);
  }
  if (frames < 3) return { storySpread: NaN, outputSpread: NaN, ratio: NaN, frames };
  const storySpread = Math.sqrt(sumStory / entries),
    outputSpread = Math.sqrt(sumOutput / entries);
  return { storySpread, outputSpread, ratio: storySpread > 0 ? outputSpread / storySpread : NaN, frames };
}
