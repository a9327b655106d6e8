// Red-eye in a face photo: finds a flash's red pupil in each eye from the 68 landmarks and
// corrects it (the red pupil desaturated and darkened under a soft edge, the catch-light kept),
// or says it cannot be corrected well (the red spreads over the eye, beyond where a pupil can be).
// A pupil counts as red only against the face's own skin next to the eye, so a face lit red all
// over, a brown, blue or dark iris and the pink inner corner of the eye are left alone. Pure:
// RGBA and points in, a report and corrected pixels out; never logs or keeps anything.
import { EYE_FIRST, eyeFrame, featherMask, FloatPlane, pointInPolygon, srgbToLab } from '@talecast/geometry';

/** What was found in one eye. */
export interface RedEyeFinding {
  /** 'none': no red pupil; 'red': a red pupil that can be corrected; 'unclear': red beyond where a pupil can be. */
  verdict: 'none' | 'red' | 'unclear';
  /** The red pupil's centre and its radius (√(area/π)), in pixels; 0 when none. */
  x: number;
  y: number;
  radius: number;
  /** Red pixels (the connected red blob) over the iris's area (a disc of IRIS_SHARE eye widths). */
  irisShare: number;
  /** Red pixels over the eye opening's area (all red pixels in the eye, not only the blob). */
  eyeShare: number;
  /** The blob's mean a* (Lab) above the skin's next to the eye. */
  redness: number;
}

export interface RedEyeReport {
  eyes: [RedEyeFinding, RedEyeFinding];
  /** Some eye has a red pupil (correctable or not). */
  found: boolean;
  /** Every eye is 'none' or 'red'. */
  correctable: boolean;
}

export const RED_EYE_LIMITS = {
  /** A pixel is red when its a* is at least this much above the median a* of the skin around the eye… */
  marginA: 10,
  /** …at least this in absolute terms… */
  minA: 15,
  /** …and a hue (atan2(b*, a*)) under this many degrees: red to pink; skin and brown irises are orange (45° and up). */
  maxHue: 38,
  /** A red blob whose centre lies further than this share of the eye width from the eye's centre along its
   *  line is not a pupil: the inner corner's pink caruncle lies at 0.4–0.5 (sample6's red pupil, looking
   *  towards the nose, at 0.29). */
  maxCentreAlong: 0.34,
  /** A blob smaller than this share of the iris's area is noise (a pupil in dim light is ~0.1 of it). */
  minIrisShare: 0.05,
  /** …and at least this many pixels. */
  minPixels: 4,
  /** A red blob larger than this share of the iris's area is not a pupil: the eye is red. */
  maxIrisShare: 0.9,
  /** Red over more than this share of the eye opening: the eye is red, not only the pupil. */
  maxEyeShare: 0.45,
  /** Compactness (area over the disc reaching its farthest pixel) under which a blob is a line (a lid's rim), not a pupil. */
  minCompact: 0.25,
};

/** The iris's radius as a share of the eye's corner-to-corner width (as geometry's IRIS_RADIUS). */
const IRIS_SHARE = 0.2;
/** The eye contour grown this much across the eye line (the lid landmarks often sit inside the lids' edge). */
const GROW_ACROSS = 1.25;
/** The corrected pupil's luma as a share of its green/blue level (a real pupil is near black). */
const DARKEN = 0.45;
/** A pixel's green-blue level over the pupil's dark quarter between which it turns into a catch-light (kept bright, only its red taken out). */
const HIGHLIGHT: [number, number] = [1.35, 1.85];
/** The soft edge's width as a share of the pupil's radius. */
const EDGE_SHARE = 0.5;
/** The redness (share of the red margin) from which a pixel near the pupil is corrected at all. */
const FADE_FROM = 0.4;
/** The blur over the weights at the pupil's rim, as a share of its radius. */
const RIM_SHARE = 0.3;
/** Degrees of hue beyond maxHue over which the correction fades out (an orange-brown iris next to the pupil is kept). */
const HUE_EDGE = 22;

const NONE: RedEyeFinding = { verdict: 'none', x: 0, y: 0, radius: 0, irisShare: 0, eyeShare: 0, redness: 0 };

/** One eye's pixels: the box, which pixels are in the (grown) eye, each one's a* above the skin's, and the red blob. */
interface EyeScan {
  x0: number;
  y0: number;
  w: number;
  h: number;
  /** a* − the skin's median a*, per box pixel (NaN where transparent). */
  excess: Float32Array;
  /** Hue angle atan2(b*, a*) in degrees, per box pixel. */
  hue: Float32Array;
  /** 1 on the blob's pixels. */
  blob: Uint8Array;
  finding: RedEyeFinding;
}

/** Finds red pupils in both eyes of `rgba` (width × height, 4 bytes a pixel) around `landmarks` (68 points). */
export function detectRedEye(rgba: Uint8Array, width: number, height: number, landmarks: ArrayLike<number>): RedEyeReport {
  return report([scanEye(rgba, width, height, landmarks, 0).finding, scanEye(rgba, width, height, landmarks, 1).finding]);
}

/**
 * A corrected copy of `rgba` when a red pupil was found and every eye can be corrected (else
 * `rgba` itself, untouched), with what was found. In each red eye, every pixel of the red blob,
 * grown by a soft edge, is moved towards a dark grey by its own redness (so the pupil's rim
 * blends into the iris and the catch-light keeps its brightness).
 */
export function correctRedEye(rgba: Uint8Array, width: number, height: number, landmarks: ArrayLike<number>): { rgba: Uint8Array; report: RedEyeReport } {
  const scans = [scanEye(rgba, width, height, landmarks, 0), scanEye(rgba, width, height, landmarks, 1)];
  const found = report([scans[0].finding, scans[1].finding]);
  if (!found.found || !found.correctable) return { rgba, report: found };
  const out = Uint8Array.from(rgba);
  for (const scan of scans) if (scan.finding.verdict === 'red') recolourPupil(out, width, scan);
  return { rgba: out, report: found };
}

function report(eyes: [RedEyeFinding, RedEyeFinding]): RedEyeReport {
  return {
    eyes,
    found: eyes.some((e) => e.verdict !== 'none'),
    correctable: eyes.every((e) => e.verdict !== 'unclear'),
  };
}

function scanEye(rgba: Uint8Array, width: number, height: number, landmarks: ArrayLike<number>, eye: 0 | 1): EyeScan {
  const f = eyeFrame(landmarks, eye);
  const o = EYE_FIRST[eye];
  const empty = { x0: 0, y0: 0, w: 0, h: 0, excess: new Float32Array(0), hue: new Float32Array(0), blob: new Uint8Array(0), finding: NONE };
  if (!(f.width >= 6) || f.gap < Math.max(1, 0.05 * f.width)) return empty;
  // The eye contour grown across the eye line about the line (not along it: the corners stay).
  const poly = new Float64Array(12);
  for (let k = 0; k < 6; k++) {
    const px = landmarks[2 * (o + k)] - f.cx,
      py = landmarks[2 * (o + k) + 1] - f.cy;
    const u = px * f.ux + py * f.uy,
      n = (px * f.nx + py * f.ny) * GROW_ACROSS;
    poly[2 * k] = f.cx + u * f.ux + n * f.nx;
    poly[2 * k + 1] = f.cy + u * f.uy + n * f.ny;
  }
  // The box holds the eye and a ring of skin around it: half an eye width beyond the corners' line ends
  // and the lids. The skin ring is what a pupil's red is judged against.
  const reach = 0.5 * f.width;
  const half = 0.5 * f.width + reach;
  const halfN = 0.5 * f.gap * GROW_ACROSS + reach;
  const ex = Math.abs(f.ux) * half + Math.abs(f.nx) * halfN,
    ey = Math.abs(f.uy) * half + Math.abs(f.ny) * halfN;
  const x0 = Math.max(0, Math.floor(f.cx - ex)),
    y0 = Math.max(0, Math.floor(f.cy - ey));
  const x1 = Math.min(width, Math.ceil(f.cx + ex)),
    y1 = Math.min(height, Math.ceil(f.cy + ey));
  const w = x1 - x0,
    h = y1 - y0;
  if (w < 4 || h < 4) return empty;
  const lab = new Float64Array(3);
  const a = new Float32Array(w * h),
    bStar = new Float32Array(w * h);
  const zone = new Uint8Array(w * h); // 1 eye, 2 skin ring, 0 neither
  const opaque = new Uint8Array(w * h);
  const skinA: number[] = [];
  let eyePixels = 0;
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const x = x0 + i + 0.5,
        y = y0 + j + 0.5;
      const p = 4 * ((y0 + j) * width + x0 + i);
      if (rgba[p + 3] < 128) continue;
      srgbToLab(rgba[p], rgba[p + 1], rgba[p + 2], lab);
      const k = j * w + i;
      opaque[k] = 1;
      a[k] = lab[1];
      bStar[k] = lab[2];
      if (pointInPolygon(poly, x, y)) {
        zone[k] = 1;
        eyePixels++;
        continue;
      }
      // The skin ring: outside the grown eye, inside an ellipse of the box, away from the brow above.
      const du = ((x - f.cx) * f.ux + (y - f.cy) * f.uy) / half,
        dn = ((x - f.cx) * f.nx + (y - f.cy) * f.ny) / halfN;
      if (du * du + dn * dn <= 1 && dn > -0.6) {
        zone[k] = 2;
        skinA.push(lab[1]);
      }
    }
  }
  if (eyePixels < 6 || skinA.length < 6) return { ...empty, x0, y0, w, h };
  skinA.sort((p, q) => p - q);
  const skin = skinA[skinA.length >> 1];
  const L = RED_EYE_LIMITS;
  const excess = new Float32Array(w * h).fill(NaN);
  const hue = new Float32Array(w * h);
  const red = new Uint8Array(w * h);
  const hueTan = Math.tan((L.maxHue * Math.PI) / 180);
  let redInEye = 0;
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const k = j * w + i;
      if (!opaque[k]) continue;
      // Everywhere in the box (the correction follows a pupil under the lid landmarks); judged only in the eye.
      excess[k] = a[k] - skin;
      hue[k] = (Math.atan2(bStar[k], a[k]) * 180) / Math.PI;
      if (zone[k] !== 1) continue;
      if (excess[k] < L.marginA || a[k] < L.minA || bStar[k] > hueTan * a[k]) continue;
      redInEye++;
      red[k] = 1;
    }
  }
  // The largest red blob placed as a pupil can be: its centre away from the corners.
  const along = (k: number) => ((x0 + (k % w) + 0.5 - f.cx) * f.ux + (y0 + Math.floor(k / w) + 0.5 - f.cy) * f.uy) / f.width;
  const blob = largestComponent(red, w, h, (pixels) => Math.abs(pixels.reduce((sum, k) => sum + along(k), 0) / pixels.length) <= L.maxCentreAlong);
  const irisArea = Math.PI * (IRIS_SHARE * f.width) ** 2;
  const eyeShare = redInEye / eyePixels;
  let n = 0,
    sx = 0,
    sy = 0,
    sum = 0;
  for (let k = 0; k < w * h; k++) {
    if (!blob[k]) continue;
    n++;
    sx += (k % w) + 0.5;
    sy += Math.floor(k / w) + 0.5;
    sum += excess[k];
  }
  const irisShare = n / irisArea;
  if (n < L.minPixels || irisShare < L.minIrisShare) {
    // No pupil-sized red blob; red all over the eye still makes it unclear.
    const finding: RedEyeFinding = eyeShare > L.maxEyeShare ? { ...NONE, verdict: 'unclear', eyeShare, irisShare } : { ...NONE, eyeShare, irisShare };
    return { x0, y0, w, h, excess, hue, blob, finding };
  }
  const cx = sx / n,
    cy = sy / n;
  let far = 0;
  for (let k = 0; k < w * h; k++) if (blob[k]) far = Math.max(far, Math.hypot((k % w) + 0.5 - cx, Math.floor(k / w) + 0.5 - cy));
  const compact = n / (Math.PI * Math.max(1, far + 0.5) ** 2);
  const base = { x: x0 + cx, y: y0 + cy, radius: Math.sqrt(n / Math.PI), irisShare, eyeShare, redness: sum / n };
  let verdict: RedEyeFinding['verdict'];
  if (irisShare > L.maxIrisShare || eyeShare > L.maxEyeShare) verdict = 'unclear';
  else if (compact < L.minCompact) verdict = 'none';
  else verdict = 'red';
  return { x0, y0, w, h, excess, hue, blob, finding: verdict === 'none' ? { ...NONE, eyeShare, irisShare } : { verdict, ...base } };
}

/** The largest 8-connected set of 1s that `accept` takes (a fresh mask; all 0 when there is none). */
function largestComponent(mask: Uint8Array, w: number, h: number, accept: (pixels: number[]) => boolean): Uint8Array {
  const seen = new Uint8Array(w * h);
  let best: number[] = [];
  for (let s = 0; s < w * h; s++) {
    if (!mask[s] || seen[s]) continue;
    const pixels = [s];
    seen[s] = 1;
    for (let n = 0; n < pixels.length; n++) {
      const k = pixels[n];
      const i = k % w,
        j = (k - i) / w;
      for (let dj = -1; dj <= 1; dj++)
        for (let di = -1; di <= 1; di++) {
          const ii = i + di,
            jj = j + dj;
          if (ii < 0 || jj < 0 || ii >= w || jj >= h) continue;
          const q = jj * w + ii;
          if (mask[q] && !seen[q]) {
            seen[q] = 1;
            pixels.push(q);
          }
        }
    }
    if (pixels.length > best.length && accept(pixels)) best = pixels;
  }
  const out = new Uint8Array(w * h);
  for (const k of best) out[k] = 1;
  return out;
}

/**
 * In place, one eye: a disc about the red pupil's centre, out to its farthest red pixel and a
 * third of its radius more, fading out over EDGE_SHARE of its radius beyond (the soft edge); each
 * pixel there moves towards a neutral grey by its own redness (a* above the skin's: none at
 * FADE_FROM of the red margin, all at the margin) and hue (all up to maxHue, none HUE_EDGE degrees
 * beyond), so the orange-brown iris around the pupil stays as it is. The grey is the pupil's near
 * black (the mean of green and blue, which the flash did not fill, times DARKEN); a catch-light
 * (green and blue well above the pupil's darker quarter) keeps its luma and loses only its red.
 */
function recolourPupil(rgba: Uint8Array, width: number, scan: EyeScan): void {
  const { x0, y0, w, h, excess, hue, blob, finding } = scan;
  const cx = finding.x - x0,
    cy = finding.y - y0;
  let far = 0;
  const greys: number[] = [];
  for (let k = 0; k < w * h; k++) {
    if (!blob[k]) continue;
    far = Math.max(far, Math.hypot((k % w) + 0.5 - cx, Math.floor(k / w) + 0.5 - cy));
    const p = 4 * ((y0 + Math.floor(k / w)) * width + x0 + (k % w));
    greys.push((rgba[p + 1] + rgba[p + 2]) / 2);
  }
  greys.sort((p, q) => p - q);
  const pupilGrey = Math.max(1, greys[Math.floor(greys.length / 4)]);
  const inner = far + 0.5 + finding.radius / 3,
    edge = Math.max(1.5, EDGE_SHARE * finding.radius),
    outer = inner + edge;
  const lo = FADE_FROM * RED_EYE_LIMITS.marginA,
    hi = RED_EYE_LIMITS.marginA,
    maxHue = RED_EYE_LIMITS.maxHue;
  // Each pixel's weight, then the weights softened by a blur that only adds (max): the pupil's rim, where
  // the red glow is blurred into the iris, darkens in a smooth ramp instead of keeping a red ring.
  const weights: FloatPlane = { data: new Float32Array(w * h), width: w, height: h };
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const k = j * w + i;
      const e = excess[k];
      if (!(e > lo)) continue; // NaN where transparent
      const d = Math.hypot(i + 0.5 - cx, j + 0.5 - cy);
      if (d >= outer) continue;
      const spatial = d <= inner ? 1 : smooth(1 - (d - inner) / edge);
      weights.data[k] = spatial * smooth((e - lo) / (hi - lo)) * smooth((maxHue + HUE_EDGE - hue[k]) / HUE_EDGE);
    }
  }
  const soft = featherMask({ data: Float32Array.from(weights.data), width: w, height: h }, Math.max(1, Math.round(RIM_SHARE * finding.radius)), 2);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const k = j * w + i;
      // The rim's blur only reaches what is redder than the skin (never the lids' skin itself).
      const weight = Math.max(weights.data[k], excess[k] > 0 ? soft.data[k] * smooth(excess[k] / lo) : 0);
      if (weight <= 0) continue;
      const p = 4 * ((y0 + j) * width + x0 + i);
      const r = rgba[p],
        g = rgba[p + 1],
        b = rgba[p + 2];
      const grey = (g + b) / 2;
      const keep = smooth((grey / pupilGrey - HIGHLIGHT[0]) / (HIGHLIGHT[1] - HIGHLIGHT[0]));
      const to = keep * (0.299 * r + 0.587 * g + 0.114 * b) + (1 - keep) * DARKEN * grey;
      for (let c = 0; c < 3; c++) rgba[p + c] = Math.round(rgba[p + c] + weight * (to - rgba[p + c]));
    }
  }
}

/** Smoothstep on 0..1. */
function smooth(t: number): number {
  return t <= 0 ? 0 : t >= 1 ? 1 : t * t * (3 - 2 * t);
}
