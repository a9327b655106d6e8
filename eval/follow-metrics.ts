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
