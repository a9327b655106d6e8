// A parametric, hand-built 68-landmark face (iBUG order) for tests, benchmarks and fixtures:
// plausible proportions, a cylinder-like head for yaw, an opening jaw for the mouth.
// Must never be used as a measurement of a real face; it only has to be geometrically sane.

export interface SyntheticFaceOptions {
  /** Where template point (0.5, 0.5) — about the nose bridge's lower end — lands. */
  centerX: number;
  centerY: number;
  /** Jaw width (landmark 0 to 16) of the frontal face, in output units. */
  faceWidth: number;
  rollDegrees?: number;
  /** Positive turns the nose towards image-right. */
  yawDegrees?: number;
  /** Inner-lip gap as a fraction of mouth width (≈ what `mouthOpenness` measures). */
  mouthOpen?: number;
}

const TEMPLATE_WIDTH = 0.9;

/** The frontal template in unit coordinates (face about 0.9 wide, eye line at y 0.33). */
function template(): Float64Array {
  const p = new Float64Array(136);
  const set = (i: number, x: number, y: number) => {
    p[2 * i] = x;
    p[2 * i + 1] = y;
  };
  for (let k = 0; k <= 16; k++) {
    const t = (Math.PI * k) / 16;
    set(k, 0.5 - 0.45 * Math.cos(t), 0.33 + 0.72 * Math.pow(Math.sin(t), 0.85));
  }
  for (let k = 0; k < 5; k++) {
    const x = 0.15 + 0.07 * k;
    const y = 0.225 - 0.045 * Math.sin((Math.PI * k) / 4 + 0.3);
    set(17 + k, x, y);
    set(26 - k, 1 - x, y);
  }
  [0.32, 0.4, 0.48, 0.56].forEach((y, k) => set(27 + k, 0.5, y));
  [
    [0.42, 0.61],
    [0.46, 0.625],
    [0.5, 0.635],
    [0.54, 0.625],
    [0.58, 0.61],
  ].forEach(([x, y], k) => set(31 + k, x, y));
  const eye = [
    [-0.075, 0],
    [-0.025, -0.03],
    [0.025, -0.03],
    [0.075, 0],
    [0.025, 0.03],
    [-0.025, 0.03],
  ];
  eye.forEach(([dx, dy], k) => set(36 + k, 0.31 + dx, 0.33 + dy));
  // Left eye: 42 is the inner corner, 45 the outer one (mirror of the right eye).
  eye.forEach(([dx, dy], k) => set(42 + k, 0.69 + dx, 0.33 + dy));
  [
    [0.36, 0.76],
    [0.41, 0.73],
    [0.46, 0.715],
    [0.5, 0.72],
    [0.54, 0.715],
    [0.59, 0.73],
    [0.64, 0.76],
    [0.59, 0.8],
    [0.545, 0.82],
    [0.5, 0.825],
    [0.455, 0.82],
    [0.41, 0.8],
  ].forEach(([x, y], k) => set(48 + k, x, y));
  [
    [0.38, 0.76],
    [0.45, 0.752],
    [0.5, 0.754],
    [0.55, 0.752],
    [0.62, 0.76],
    [0.55, 0.768],
    [0.5, 0.77],
    [0.45, 0.768],
  ].forEach(([x, y], k) => set(60 + k, x, y));
  return p;
}

const NOSE_DEPTH: Record<number, number> = { 27: 0.04, 28: 0.07, 29: 0.1, 30: 0.15, 31: 0.07, 32: 0.08, 33: 0.1, 34: 0.08, 35: 0.07 };

/** 68 landmarks (Float32Array(136)) of the synthetic face. */
export function syntheticFaceLandmarks(options: SyntheticFaceOptions): Float32Array {
  const p = template();
  const mouthWidth = p[2 * 54] - p[2 * 48];
  const closedGap = p[2 * 66 + 1] - p[2 * 62 + 1];
  const extra = Math.max(0, (options.mouthOpen ?? 0) * mouthWidth - closedGap);
  if (extra > 0) {
    // The jaw drops: lower lips fully, chin and lower jaw partly.
    for (const i of [55, 56, 57, 58, 59, 65, 66, 67]) p[2 * i + 1] += extra;
    for (let i = 3; i <= 13; i++) p[2 * i + 1] += extra * (1 - Math.abs(i - 8) / 6) * 0.8;
  }
  const yaw = ((options.yawDegrees ?? 0) * Math.PI) / 180;
  const roll = ((options.rollDegrees ?? 0) * Math.PI) / 180;
  const s = options.faceWidth / TEMPLATE_WIDTH;
  const cosR = Math.cos(roll),
    sinR = Math.sin(roll);
  const out = new Float32Array(136);
  for (let i = 0; i < 68; i++) {
    const r = Math.max(-1, Math.min(1, (p[2 * i] - 0.5) / 0.45));
    const z = 0.45 * Math.sqrt(1 - r * r) + (NOSE_DEPTH[i] ?? 0);
    const x = (p[2 * i] - 0.5) * Math.cos(yaw) + z * Math.sin(yaw);
    const y = p[2 * i + 1] - 0.5;
    out[2 * i] = options.centerX + s * (x * cosR - y * sinR);
    out[2 * i + 1] = options.centerY + s * (x * sinR + y * cosR);
  }
  return out;
}
