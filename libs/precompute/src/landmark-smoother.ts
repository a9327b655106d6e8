// Offline, non-causal smoothing of per-frame tracks. The whole track is known in advance, so a
// centred local-linear fit (Gaussian weights) removes jitter without lag and stays unbiased for
// steady motion, including at the ends of a track. Runs never cross a cut or a gap.

/**
 * Smooths `values` (frameCount × dims, row-major) within each run of consecutive present frames
 * that does not cross a cut. `present[i]` marks frames with data; `cuts` holds shot-start frames.
 */
export function smoothTracks(values: Float32Array, dims: number, present: Uint8Array, cuts: ReadonlySet<number>, sigma: number): Float32Array {
  const out = new Float32Array(values);
  const frameCount = present.length;
  let start = -1;
  for (let i = 0; i <= frameCount; i++) {
    const inRun = i < frameCount && present[i] === 1 && !(start >= 0 && cuts.has(i));
    if (inRun && start < 0) start = i;
    if (!inRun && start >= 0) {
      smoothRun(values, out, dims, start, i, sigma);
      start = i < frameCount && present[i] === 1 ? i : -1; // a cut starts the next run at once
    }
  }
  return out;
}

/** Local linear regression over [from, to) for every dimension. */
function smoothRun(src: Float32Array, out: Float32Array, dims: number, from: number, to: number, sigma: number): void {
  const radius = Math.max(1, Math.ceil(sigma * 2.5));
  const weights = new Float64Array(radius + 1);
  for (let k = 0; k <= radius; k++) weights[k] = Math.exp((-k * k) / (2 * sigma * sigma));
  for (let t = from; t < to; t++) {
    const lo = Math.max(from, t - radius);
    const hi = Math.min(to - 1, t + radius);
    // Weighted least squares of v(s) = a + b (s - t): only a is needed.
    let sw = 0,
      swx = 0,
      swxx = 0;
    for (let s = lo; s <= hi; s++) {
      const w = weights[Math.abs(s - t)];
      const x = s - t;
      sw += w;
      swx += w * x;
      swxx += w * x * x;
    }
    const det = sw * swxx - swx * swx;
    for (let d = 0; d < dims; d++) {
      let swy = 0,
        swxy = 0;
      for (let s = lo; s <= hi; s++) {
        const w = weights[Math.abs(s - t)];
        const y = src[s * dims + d];
        swy += w * y;
        swxy += w * (s - t) * y;
      }
      out[t * dims + d] = det > 1e-9 ? (swxx * swy - swx * swxy) / det : swy / sw;
    }
  }
}

/** Mean second difference per frame and dimension (the jitter measure used in tests/eval). */
export function secondDifference(values: Float32Array, dims: number, present: Uint8Array, cuts: ReadonlySet<number>): number {
  let sum = 0;
  let n = 0;
  for (let t = 1; t < present.length - 1; t++) {
    if (!present[t - 1] || !present[t] || !present[t + 1] || cuts.has(t) || cuts.has(t + 1)) continue;
    for (let d = 0; d < dims; d++) {
      sum += Math.abs(values[(t + 1) * dims + d] - 2 * values[t * dims + d] + values[(t - 1) * dims + d]);
      n++;
    }
  }
  return n ? sum / n : 0;
}
