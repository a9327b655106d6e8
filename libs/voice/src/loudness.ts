// Loudness of mono 48 kHz audio after ITU-R BS.1770-4 / EBU R128 (K-weighting, 400 ms blocks
// with 75 % overlap, absolute gate at -70 LUFS, relative gate 10 LU below): the integrated
// loudness a recording is normalised to and the story's dialogue is measured with. Pure.

/** K-weighting at 48 kHz: the high shelf, then the RLB high-pass (BS.1770-4 table 1 and 2). */
const SHELF = { b: [1.53512485958697, -2.69169618940638, 1.19839281085285], a: [-1.69065929318241, 0.73248077421585] };
const HIGHPASS = { b: [1.0, -2.0, 1.0], a: [-1.99004745483398, 0.99007225036621] };

export const LOUDNESS_RATE = 48000;

function biquad(x: Float32Array, f: { b: number[]; a: number[] }): Float64Array {
  const y = new Float64Array(x.length);
  let x1 = 0,
    x2 = 0,
    y1 = 0,
    y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = f.b[0] * x[i] + f.b[1] * x1 + f.b[2] * x2 - f.a[0] * y1 - f.a[1] * y2;
    x2 = x1;
    x1 = x[i];
    y2 = y1;
    y1 = v;
    y[i] = v;
  }
  return y;
}

/** Mean square of each 400 ms block (100 ms hop) of the K-weighted signal. */
function blockPowers(samples: Float32Array): number[] {
  const s1 = biquad(samples, SHELF);
  const k = biquad(Float32Array.from(s1), HIGHPASS);
  const block = Math.round(0.4 * LOUDNESS_RATE);
  const hop = Math.round(0.1 * LOUDNESS_RATE);
  const powers: number[] = [];
  for (let start = 0; start + block <= k.length; start += hop) {
    let sum = 0;
    for (let i = start; i < start + block; i++) sum += k[i] * k[i];
    powers.push(sum / block);
  }
  return powers;
}

const toLufs = (power: number) => -0.691 + 10 * Math.log10(power);

/** Integrated loudness in LUFS; -Infinity for audio shorter than one block or entirely below the gate. */
export function integratedLoudness(samples: Float32Array): number {
  const powers = blockPowers(samples).filter((p) => p > 0 && toLufs(p) > -70);
  if (powers.length === 0) return -Infinity;
  const relativeGate = toLufs(mean(powers)) - 10;
  const gated = powers.filter((p) => toLufs(p) > relativeGate);
  return toLufs(mean(gated));
}

function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

/** Linear gain that brings audio at `measuredLufs` to `targetLufs`. */
export function gainFor(measuredLufs: number, targetLufs: number): number {
  return Math.pow(10, (targetLufs - measuredLufs) / 20);
}
