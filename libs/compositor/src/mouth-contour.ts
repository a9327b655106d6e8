// The real inner-lip contour of an open-mouthed photo, read from its pixels once at preparation.
// On a laugh the landmark net's inner-lip points (60–67) do not follow the lips' inner edges: on
// sample1 the upper ones sit mid-lip and the line from a corner to the lower lip cuts across the
// dark interior, so a strip of teeth and mouth interior is left under the lip triangles and shows
// between the lips when the story's mouth closes (issue 18, tale 1280x720 frames 27, 108). Here the
// interior (teeth: pale and grey; the inside: dark) is grown from the middle of the mouth inside the
// lips, the eight inner-lip points are put on its edge, and what of it the eight-sided polygon still
// leaves outside is painted over with the lip beside it (mirrored across the edge).
// Pure; runs once per prepared face, never per frame.
import { mouthOpenness, pointInPolygon } from '@talecast/geometry';

/** A photo whose inner-lip gap (see mouthOpenness) is under this has closed lips: nothing to find. */
export const OPEN_PHOTO_MOUTH = 0.08;
/** Teeth and the pale inside are less red than this share of the lips' redness. */
const PALE = 0.7;
/** The dark inside is darker than this share of the lips' luma. */
const DARK = 0.62;
/**
 * The inner-lip points are put this share of the mouth's width beyond the interior's edge, into the lips:
 * the edge's mixed pixels (and, in the halved copies, the teeth averaged into the lips' last row) then
 * close with the interior instead of showing as a pale line between the lips.
 */
const EDGE_MARGIN = 0.025;
/** The search stays inside the lips: this share of the way from the outer lip points to the inner. */
const LIP_MARGIN = 0.35;

/** Outer lip points beside each inner one (the search polygon; see LIP_MARGIN). */
const OUTER_OF: readonly (readonly [number, number])[] = [
  [48, 60],
  [49, 61],
  [50, 61],
  [51, 62],
  [52, 63],
  [53, 63],
  [54, 64],
  [55, 65],
  [56, 65],
  [57, 66],
  [58, 67],
  [59, 67],
];

/** Inner points moved out to clear the interior's edge: [previous, point, next, its outer lip point, which edge, outwards (+1 down)]. */
type EnvelopeStep = readonly [number, number, number, number, 'top' | 'bottom', 1 | -1];
const ENVELOPE_STEPS: readonly EnvelopeStep[] = [
  [61, 62, 63, 51, 'top', -1],
  [60, 61, 62, 50, 'top', -1],
  [62, 63, 64, 52, 'top', -1],
  [67, 66, 65, 57, 'bottom', 1],
  [60, 67, 66, 58, 'bottom', 1],
  [66, 65, 64, 56, 'bottom', 1],
];
/** Columns this close to a chord's far end (as a share of it) do not move the point (a corner's own half-height would). */
const ENVELOPE_FROM = 0.35;
/** ...and never more than this share of the way from the edge to the outer lip point (the lip keeps the rest). */
const ENVELOPE_CAP = 0.35;

export interface InnerLips {
  /** The 68 landmarks with 60–67 on the interior's edge (the rest as given). */
  landmarks: Float32Array;
  /** The RGBA with the interior outside the new inner-lip polygon painted with lip (a copy). */
  rgba: Uint8Array;
  /** Interior pixels found, and how many were painted over. */
  interior: number;
  painted: number;
}

/**
 * The inner-lip contour of an open mouth from the pixels (see the header), or null when the photo's
 * mouth is closed or no plausible interior is found (then the landmarks stand as they are).
 */
export function findInnerLips(rgba: Uint8Array, size: number, landmarks: ArrayLike<number>): InnerLips | null {
  if (mouthOpenness(landmarks) < OPEN_PHOTO_MOUTH) return null;
  const L = (i: number) => [landmarks[2 * i], landmarks[2 * i + 1]] as const;
  // The search polygon: each outer lip point moved LIP_MARGIN of the way to its inner one.
  const poly = new Float32Array(OUTER_OF.length * 2);
  OUTER_OF.forEach(([o, i], k) => {
    const m = o === 48 || o === 54 ? 0 : LIP_MARGIN;
    poly[2 * k] = L(o)[0] + m * (L(i)[0] - L(o)[0]);
    poly[2 * k + 1] = L(o)[1] + m * (L(i)[1] - L(o)[1]);
  });
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (let k = 0; k < poly.length; k += 2) {
    x0 = Math.min(x0, poly[k]);
    x1 = Math.max(x1, poly[k]);
    y0 = Math.min(y0, poly[k + 1]);
    y1 = Math.max(y1, poly[k + 1]);
  }
  x0 = Math.max(0, Math.floor(x0));
  y0 = Math.max(0, Math.floor(y0));
  x1 = Math.min(size - 1, Math.ceil(x1));
  y1 = Math.min(size - 1, Math.ceil(y1));
  const w = x1 - x0 + 1,
    h = y1 - y0 + 1;
  if (!(w > 4 && h > 4)) return null;

  const lip = lipColour(rgba, size, landmarks);
  if (!lip) return null;
  // 1: interior candidate inside the search polygon; 2: grown from the seeds.
  const state = new Uint8Array(w * h);
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const x = x0 + i,
        y = y0 + j;
      if (!pointInPolygon(poly, x + 0.5, y + 0.5)) continue;
      const p = 4 * (y * size + x);
      const [luma, red] = lumaRedness(rgba[p], rgba[p + 1], rgba[p + 2]);
      if (red < PALE * lip.red || luma < DARK * lip.luma) state[j * w + i] = 1;
    }
  }
  // Seeds: candidates on the line between the middle inner-lip points (62, 66).
  const stack: number[] = [];
  for (let s = 0; s <= 32; s++) {
    const x = Math.floor(L(62)[0] + (s / 32) * (L(66)[0] - L(62)[0])) - x0,
      y = Math.floor(L(62)[1] + (s / 32) * (L(66)[1] - L(62)[1])) - y0;
    if (x >= 0 && x < w && y >= 0 && y < h && state[y * w + x] === 1) {
      state[y * w + x] = 2;
      stack.push(y * w + x);
    }
  }
  let interior = 0;
  while (stack.length) {
    const k = stack.pop()!;
    interior++;
    const i = k % w,
      j = (k - i) / w;
    const grow = (n: number) => {
      if (state[n] !== 1) return;
      state[n] = 2;
      stack.push(n);
    };
    if (i > 0) grow(k - 1);
    if (i < w - 1) grow(k + 1);
    if (j > 0) grow(k - w);
    if (j < h - 1) grow(k + w);
  }
  const width = Math.hypot(L(54)[0] - L(48)[0], L(54)[1] - L(48)[1]);
  // Too little to be a mouth's inside (a shadow, a glint): keep the landmarks.
  if (interior < 0.02 * width * width) return null;

  // The interior's top and bottom per column (holes inside it do not matter).
  const top = new Float32Array(w).fill(NaN),
    bottom = new Float32Array(w).fill(NaN);
  let first = -1,
    last = -1;
  for (let i = 0; i < w; i++) {
    for (let j = 0; j < h; j++) {
      if (state[j * w + i] !== 2) continue;
      if (Number.isNaN(top[i])) top[i] = j;
      bottom[i] = j + 1;
    }
    if (!Number.isNaN(top[i])) {
      if (first < 0) first = i;
      last = i;
    }
  }
  if (last - first < 0.3 * width) return null;
  const edge = (col: Float32Array, at: number) => {
    // Mean over a few columns around `at` (the edge is ragged at pixel scale).
    const c = Math.round(at - x0 - 0.5);
    let sum = 0,
      n = 0;
    for (let i = Math.max(first, c - 2); i <= Math.min(last, c + 2); i++) {
      if (Number.isNaN(col[i])) continue;
      sum += col[i];
      n++;
    }
    return n ? y0 + sum / n : NaN;
  };

  const out = Float32Array.from(landmarks);
  const left = x0 + first + 0.5,
    right = x0 + last + 0.5;
  const leftY = (edge(top, left) + edge(bottom, left)) / 2,
    rightY = (edge(top, right) + edge(bottom, right)) / 2;
  const place = (i: number, x: number, y: number) => {
    out[2 * i] = x;
    out[2 * i + 1] = y;
  };
  place(60, left, leftY);
  place(64, right, rightY);
  // Each inner point at its share of the way between the interior's ends: the landmarks' shares made
  // symmetric (61 and 63 mirror each other, 62 in the middle; the same below), so a mouth posed
  // symmetric (mouth-shape) is not drawn from a lopsided spread of the lips' texture.
  const c0 = L(60)[0],
    c1 = L(64)[0];
  const share = (i: number) => (c1 > c0 ? Math.min(0.9, Math.max(0.1, (L(i)[0] - c0) / (c1 - c0))) : 0.5);
  const upperShare = (share(61) + 1 - share(63)) / 2,
    lowerShare = (share(67) + 1 - share(65)) / 2;
  for (const [i, col, f] of [
    [61, top, upperShare],
    [62, top, 0.5],
    [63, top, 1 - upperShare],
    [65, bottom, 1 - lowerShare],
    [66, bottom, 0.5],
    [67, bottom, lowerShare],
  ] as const) {
    const x = left + f * (right - left);
    const y = edge(col, x);
    if (Number.isNaN(y)) return null;
    place(i, x, y + (i > 64 ? 1 : -1) * EDGE_MARGIN * width);
  }
  // The chords between the points bulge less than the interior's edge: each point moved out (at most
  // ENVELOPE_CAP of the way to its outer lip point) until its two chords pass beyond the edge plus the margin.
  const margin = EDGE_MARGIN * width;
  for (let pass = 0; pass < 3; pass++) {
    for (const [a, k, c, outer, which, sign] of ENVELOPE_STEPS) {
      const col = which === 'top' ? top : bottom;
      const xa = out[2 * a],
        ya = out[2 * a + 1],
        xk = out[2 * k],
        xc = out[2 * c],
        yc = out[2 * c + 1];
      const edgeK = edge(col, xk);
      const cap = edgeK + ENVELOPE_CAP * (landmarks[2 * outer + 1] - edgeK);
      let yk = out[2 * k + 1];
      for (let i = Math.max(first, Math.ceil(xa - x0 - 0.5)); i <= Math.min(last, Math.floor(xc - x0 - 0.5)); i++) {
        if (Number.isNaN(col[i])) continue;
        const x = x0 + i + 0.5,
          b = y0 + col[i] + sign * margin;
        let need: number;
        if (x <= xk) {
          const t = (x - xa) / (xk - xa);
          if (!(t > ENVELOPE_FROM)) continue;
          need = ya + (b - ya) / t;
        } else {
          const t = (x - xk) / (xc - xk);
          if (!(t < 1 - ENVELOPE_FROM)) continue;
          need = (b - t * yc) / (1 - t);
        }
        if (sign * (need - yk) > 0) yk = need;
      }
      out[2 * k + 1] = sign * (yk - cap) > 0 ? cap : yk;
    }
  }
  // The upper edge above the lower one, and the new points inside the lips.
  for (const [u, l] of [
    [61, 67],
    [62, 66],
    [63, 65],
  ]) {
    if (!(out[2 * l + 1] > out[2 * u + 1])) return null;
  }
  const lips = new Float32Array(24);
  for (let i = 0; i < 24; i++) lips[i] = landmarks[96 + i];
  for (let i = 61; i < 68; i++) if (i !== 64 && !pointInPolygon(lips, out[2 * i], out[2 * i + 1])) return null;

  const inner = new Float32Array(16);
  for (let i = 0; i < 8; i++) {
    inner[2 * i] = out[2 * (60 + i)];
    inner[2 * i + 1] = out[2 * (60 + i) + 1];
  }
  const painted = paintOutside(rgba, size, state, x0, y0, w, h, inner, top, bottom);
  return { landmarks: out, rgba: painted.rgba, interior, painted: painted.count };
}

/**
 * The interior left outside the eight-sided inner polygon, painted with the lip beyond the
 * interior's edge in its column, mirrored across that edge (above the mouth's middle: the upper
 * lip; below: the lower).
 */
function paintOutside(
  rgba: Uint8Array,
  size: number,
  state: Uint8Array,
  x0: number,
  y0: number,
  w: number,
  h: number,
  inner: Float32Array,
  top: Float32Array,
  bottom: Float32Array,
): { rgba: Uint8Array; count: number } {
  const out = Uint8Array.from(rgba);
  let count = 0;
  for (let i = 0; i < w; i++) {
    if (Number.isNaN(top[i])) continue;
    const mid = (top[i] + bottom[i]) / 2;
    for (let j = top[i]; j < bottom[i]; j++) {
      if (state[j * w + i] !== 2) continue;
      const x = x0 + i,
        y = y0 + j;
      if (pointInPolygon(inner, x + 0.5, y + 0.5)) continue;
      // Mirror across the interior's edge on this side.
      const sy = j < mid ? y0 + 2 * top[i] - j - 1 : y0 + 2 * bottom[i] - j - 1;
      const yy = Math.max(0, Math.min(size - 1, Math.round(sy)));
      const s = 4 * (yy * size + x),
        d = 4 * (y * size + x);
      out[d] = rgba[s];
      out[d + 1] = rgba[s + 1];
      out[d + 2] = rgba[s + 2];
      count++;
    }
  }
  return { rgba: out, count };
}

/** Luma (BT.601 weights, 0–255) and redness ((R − G) / R) of an sRGB pixel. */
function lumaRedness(r: number, g: number, b: number): [number, number] {
  return [0.299 * r + 0.587 * g + 0.114 * b, (r - g) / Math.max(1, r)];
}

/**
 * The lips' luma and redness: the median over small patches half way between the middle outer and
 * inner lip points (50–52 / 61–63 above, 56–58 / 65–67 below). Null if they are not redder than grey.
 */
function lipColour(rgba: Uint8Array, size: number, landmarks: ArrayLike<number>): { luma: number; red: number } | null {
  const lumas: number[] = [],
    reds: number[] = [];
  for (const [o, i] of [
    [50, 61],
    [51, 62],
    [52, 63],
    [56, 65],
    [57, 66],
    [58, 67],
  ]) {
    const cx = Math.round((landmarks[2 * o] + landmarks[2 * i]) / 2),
      cy = Math.round((landmarks[2 * o + 1] + landmarks[2 * i + 1]) / 2);
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const x = cx + dx,
          y = cy + dy;
        if (x < 0 || y < 0 || x >= size || y >= size) continue;
        const p = 4 * (y * size + x);
        const [l, r] = lumaRedness(rgba[p], rgba[p + 1], rgba[p + 2]);
        lumas.push(l);
        reds.push(r);
      }
    }
  }
  if (!lumas.length) return null;
  const median = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1];
  const red = median(reds);
  return red > 0.05 ? { luma: median(lumas), red } : null;
}
