// A pixel instrument for the mouth, read across the lip line in a window laid on the face (not the
// 68-point net). The window sits on the inner lips of the frame's target landmarks (where the render
// puts the child's mouth, and where the story's face is), turned with the eye line and sized by the eye
// distance (rows down the face, ±0.25 eye distances: both lips and a little skin) and the mouth's width
// (the middle 60 % across, clear of the corners). Each row's mean luma gives a profile down the face.
// - normalisedLipProfile: the profile's rows within ±0.1 eye distances of the lip line over the whole
//   profile's median (the lips' level; the light's gain cancels). The still-mouth judge compares its shape
//   frame to frame (follow-metrics.ts profileStillness): a gap that darkens, teeth that show, lips that
//   move all change it.
// - lipLineDarkness: the area of the profile under the lips' level, relative to it, in eye distances (a
//   fully dark gap h eye distances high reads h): one number that grows as dark lips part (the drawn
//   tale's mouths), but not where the gap shows teeth (white) — a diagnostic of following, not the judge.
// A shift of the mouth inside the window does not change the darkness (an area). Pure (no I/O).
import { interOcularDistance } from '@talecast/geometry';
import { RgbFrame } from './insertion-metrics';

export const LIP_WINDOW = {
  /** Half the window across the mouth, in mouth widths (the middle of the mouth, clear of the corners). */
  across: 0.3,
  /** Half the window down the face, in eye distances: both lips (upper ~0.15, lower ~0.18) and a little skin. */
  down: 0.25,
  /** Samples down (rows) and across (per row). */
  rows: 41,
  cols: 15,
  /** The lips' level: this quantile of the profile (the lips fill ~70 % of the window; a gap over half of it saturates). */
  level: 0.5,
  /**
   * The rows the still-mouth judge compares, within this many eye distances of the lip line: the gap and the inner
   * halves of both lips, where an opening shows. The window's outer rows reach the skin above and below the lips
   * (the philtrum, the nose's shadow on a turned face), which carries the story's light, not the mouth.
   */
  judged: 0.1,
};

/** Bilinear BT.601 luma of `rgb` at (x, y) in pixel centres (x = 0.5 is the first pixel's centre); NaN outside. */
export function lumaAt(rgb: RgbFrame, x: number, y: number): number {
  const fx = x - 0.5,
    fy = y - 0.5;
  const x0 = Math.floor(fx),
    y0 = Math.floor(fy);
  if (x0 < 0 || y0 < 0 || x0 + 1 >= rgb.width || y0 + 1 >= rgb.height) return NaN;
  const ax = fx - x0,
    ay = fy - y0;
  const at = (px: number, py: number) => {
    const k = 3 * (py * rgb.width + px);
    return 0.299 * rgb.data[k] + 0.587 * rgb.data[k + 1] + 0.114 * rgb.data[k + 2];
  };
  const top = at(x0, y0) * (1 - ax) + at(x0 + 1, y0) * ax;
  const bottom = at(x0, y0 + 1) * (1 - ax) + at(x0 + 1, y0 + 1) * ax;
  return top * (1 - ay) + bottom * ay;
}

/**
 * The luma profile down the face across the lip line (row 0 at the top of the window, LIP_WINDOW.rows rows) and the
 * step between rows in eye distances; null where the window leaves the frame or the landmarks are degenerate.
 */
export function lipLineProfile(rgb: RgbFrame, lm: ArrayLike<number>, win = LIP_WINDOW): { profile: Float64Array; step: number } | null {
  const ex = lm[2 * 45] - lm[2 * 36],
    ey = lm[2 * 45 + 1] - lm[2 * 36 + 1];
  const eyes = Math.hypot(ex, ey);
  const iod = interOcularDistance(lm);
  if (!(eyes > 0) || !(iod > 0)) return null;
  const ux = ex / eyes,
    uy = ey / eyes;
  const dx = -uy,
    dy = ux; // the face's down, perpendicular to the eye line
  let cx = 0,
    cy = 0;
  for (let k = 60; k < 68; k++) {
    cx += lm[2 * k] / 8;
    cy += lm[2 * k + 1] / 8;
  }
  const mouthWidth = Math.abs((lm[2 * 54] - lm[2 * 48]) * ux + (lm[2 * 54 + 1] - lm[2 * 48 + 1]) * uy);
  if (!(mouthWidth > 0)) return null;
  const profile = new Float64Array(win.rows);
  for (let r = 0; r < win.rows; r++) {
    const s = (-1 + (2 * r) / (win.rows - 1)) * win.down * iod;
    let sum = 0;
    for (let c = 0; c < win.cols; c++) {
      const t = (-1 + (2 * c) / (win.cols - 1)) * win.across * mouthWidth;
      const v = lumaAt(rgb, cx + t * ux + s * dx, cy + t * uy + s * dy);
      if (!Number.isFinite(v)) return null;
      sum += v;
    }
    profile[r] = sum / win.cols;
  }
  return { profile, step: (2 * win.down) / (win.rows - 1) };
}

/** The lip line's darkness of a profile: Σ max(0, level − p) / level × step (eye distances), level = the profile's LIP_WINDOW.level quantile. */
export function lipLineDarkness(profile: ArrayLike<number>, step: number, level = LIP_WINDOW.level): number {
  const sorted = Array.from(profile).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const ref = sorted[Math.min(sorted.length - 1, Math.round(level * (sorted.length - 1)))];
  if (!(ref > 0)) return NaN;
  let area = 0;
  for (let r = 0; r < profile.length; r++) area += Math.max(0, ref - profile[r]);
  return (area / ref) * step;
}

/** The lip line's darkness on `rgb` at the mouth of the landmarks `lm` (NaN where the window leaves the frame). */
export function readLipLine(rgb: RgbFrame, lm: ArrayLike<number>): number {
  const p = lipLineProfile(rgb, lm);
  return p ? lipLineDarkness(p.profile, p.step) : NaN;
}

/**
 * The still-mouth judge's reading: the profile's rows within LIP_WINDOW.judged eye distances of the lip line, over
 * the whole profile's median (the lips' level: the light's gain cancels); null where not read.
 */
export function normalisedLipProfile(rgb: RgbFrame, lm: ArrayLike<number>, win = LIP_WINDOW): Float64Array | null {
  const p = lipLineProfile(rgb, lm, win);
  if (!p) return null;
  const sorted = Array.from(p.profile).sort((a, b) => a - b);
  const level = sorted[Math.round(0.5 * (sorted.length - 1))];
  if (!(level > 0)) return null;
  const centre = (win.rows - 1) / 2,
    half = Math.floor(win.judged / p.step + 1e-9);
  return p.profile.slice(centre - half, centre + half + 1).map((v) => v / level);
}
