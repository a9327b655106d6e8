// 2-D transforms between point sets: least-squares similarity (Umeyama) and affine fits, and
// the algebra of 2x3 affine matrices [a, b, c, d, e, f] (x' = a*x + b*y + c, y' = d*x + e*y + f).
// Image coordinates: y grows downwards, so a positive rotation angle turns clockwise on screen.
// Must never depend on images, I/O or frameworks; plain numbers in, Float64Array(6) out.

/** A 2x3 affine matrix [a, b, c, d, e, f]. */
export type Affine = Float64Array;

/** Anything holding flat points [x0, y0, x1, y1, ...]. */
export type Points = ArrayLike<number>;

export interface SimilarityParts {
  scale: number;
  rotationRadians: number;
  tx: number;
  ty: number;
}

export function identityAffine(): Affine {
  return Float64Array.of(1, 0, 0, 0, 1, 0);
}

/** The similarity with the given scale, rotation (radians) and translation. */
export function similarityFromParts(parts: SimilarityParts): Affine {
  const cos = Math.cos(parts.rotationRadians) * parts.scale;
  const sin = Math.sin(parts.rotationRadians) * parts.scale;
  return Float64Array.of(cos, -sin, parts.tx, sin, cos, parts.ty);
}

/**
 * Least-squares similarity (uniform scale, proper rotation, translation) mapping `src` onto `dst`
 * (Umeyama 1991, which in 2-D has this closed form), with optional non-negative per-point weights.
 */
export function fitSimilarity(src: Points, dst: Points, weights?: ArrayLike<number>): Affine {
  const n = pointCount(src, dst, weights, 2);
  const m = weightedMeans(src, dst, weights, n);
  let sss = 0;
  let dot = 0;
  let cross = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    const sx = src[2 * i] - m.sx;
    const sy = src[2 * i + 1] - m.sy;
    const dx = dst[2 * i] - m.dx;
    const dy = dst[2 * i + 1] - m.dy;
    sss += w * (sx * sx + sy * sy);
    dot += w * (sx * dx + sy * dy);
    cross += w * (sx * dy - sy * dx);
  }
  if (!(sss > 1e-12 * Math.max(1, m.w))) throw new RangeError('fitSimilarity: source points coincide');
  const a = dot / sss;
  const b = cross / sss;
  return Float64Array.of(a, -b, m.dx - (a * m.sx - b * m.sy), b, a, m.dy - (b * m.sx + a * m.sy));
}

/** Least-squares general affine mapping `src` onto `dst` (at least 3 non-collinear points). */
export function fitAffine(src: Points, dst: Points, weights?: ArrayLike<number>): Affine {
  const n = pointCount(src, dst, weights, 3);
  const m = weightedMeans(src, dst, weights, n);
  let sxx = 0,
    sxy = 0,
    syy = 0,
    xdx = 0,
    ydx = 0,
    xdy = 0,
    ydy = 0;
  for (let i = 0; i < n; i++) {
    const w = weights ? weights[i] : 1;
    const sx = src[2 * i] - m.sx;
    const sy = src[2 * i + 1] - m.sy;
    const dx = dst[2 * i] - m.dx;
    const dy = dst[2 * i + 1] - m.dy;
    sxx += w * sx * sx;
    sxy += w * sx * sy;
    syy += w * sy * sy;
    xdx += w * sx * dx;
    ydx += w * sy * dx;
    xdy += w * sx * dy;
    ydy += w * sy * dy;
  }
  const det = sxx * syy - sxy * sxy;
  if (!(Math.abs(det) > 1e-12 * Math.max(1e-300, (sxx + syy) * (sxx + syy)))) {
    throw new RangeError('fitAffine: source points are collinear');
  }
  const a = (xdx * syy - ydx * sxy) / det;
  const b = (ydx * sxx - xdx * sxy) / det;
  const d = (xdy * syy - ydy * sxy) / det;
  const e = (ydy * sxx - xdy * sxy) / det;
  return Float64Array.of(a, b, m.dx - a * m.sx - b * m.sy, d, e, m.dy - d * m.sx - e * m.sy);
}

/** Applies `m` to every point of `points`, writing into `out` (may be `points` itself). */
export function applyAffine<T extends Float32Array | Float64Array>(m: Affine, points: Points, out: T): T {
  const [a, b, c, d, e, f] = m;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = points[i];
    const y = points[i + 1];
    out[i] = a * x + b * y + c;
    out[i + 1] = d * x + e * y + f;
  }
  return out;
}

/** Applies `m` to one point. */
export function applyAffineToPoint(m: Affine, x: number, y: number): [number, number] {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

export function invertAffine(m: Affine, out: Affine = new Float64Array(6)): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (det === 0 || !Number.isFinite(det)) throw new RangeError('invertAffine: singular matrix');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  out[0] = ia;
  out[1] = ib;
  out[2] = -(ia * c + ib * f);
  out[3] = id;
  out[4] = ie;
  out[5] = -(id * c + ie * f);
  return out;
}

/** `outer ∘ inner`: the map x ↦ outer(inner(x)). */
export function composeAffine(outer: Affine, inner: Affine, out: Affine = new Float64Array(6)): Affine {
  const [a2, b2, c2, d2, e2, f2] = outer;
  const [a1, b1, c1, d1, e1, f1] = inner;
  out[0] = a2 * a1 + b2 * d1;
  out[1] = a2 * b1 + b2 * e1;
  out[2] = a2 * c1 + b2 * f1 + c2;
  out[3] = d2 * a1 + e2 * d1;
  out[4] = d2 * b1 + e2 * e1;
  out[5] = d2 * c1 + e2 * f1 + f2;
  return out;
}

/**
 * Scale, rotation and translation of a similarity. For a general affine, the scale is the RMS
 * of the two column norms and the angle that of the closest rotation.
 */
export function decomposeSimilarity(m: Affine): SimilarityParts {
  const [a, b, c, d, e, f] = m;
  return {
    scale: Math.sqrt((a * a + b * b + d * d + e * e) / 2),
    rotationRadians: Math.atan2(d - b, a + e),
    tx: c,
    ty: f,
  };
}

/** The exact affine taking triangle (s0, s1, s2) onto (d0, d1, d2); null if `s` is degenerate. */
export function triangleAffine(
  sx0: number,
  sy0: number,
  sx1: number,
  sy1: number,
  sx2: number,
  sy2: number,
  dx0: number,
  dy0: number,
  dx1: number,
  dy1: number,
  dx2: number,
  dy2: number,
  out: Affine = new Float64Array(6),
): Affine | null {
  const ux = sx1 - sx0,
    uy = sy1 - sy0,
    vx = sx2 - sx0,
    vy = sy2 - sy0;
  const det = ux * vy - vx * uy;
  if (det === 0 || !Number.isFinite(det)) return null;
  const pux = dx1 - dx0,
    puy = dy1 - dy0,
    pvx = dx2 - dx0,
    pvy = dy2 - dy0;
  // [a b; d e] * [u v] = [pu pv]  =>  [a b; d e] = [pu pv] * [u v]^-1
  const a = (pux * vy - pvx * uy) / det;
  const b = (pvx * ux - pux * vx) / det;
  const d = (puy * vy - pvy * uy) / det;
  const e = (pvy * ux - puy * vx) / det;
  out[0] = a;
  out[1] = b;
  out[2] = dx0 - a * sx0 - b * sy0;
  out[3] = d;
  out[4] = e;
  out[5] = dy0 - d * sx0 - e * sy0;
  return out;
}

function pointCount(src: Points, dst: Points, weights: ArrayLike<number> | undefined, min: number): number {
  if (src.length !== dst.length || src.length % 2 !== 0) throw new RangeError('point arrays differ in length');
  const n = src.length / 2;
  if (n < min) throw new RangeError(`need at least ${min} points, got ${n}`);
  if (weights && weights.length !== n) throw new RangeError('one weight per point');
  return n;
}

function weightedMeans(src: Points, dst: Points, weights: ArrayLike<number> | undefined, n: number) {
  let w = 0,
    sx = 0,
    sy = 0,
    dx = 0,
    dy = 0;
  for (let i = 0; i < n; i++) {
    const wi = weights ? weights[i] : 1;
    if (!(wi >= 0)) throw new RangeError('weights must be non-negative');
    w += wi;
    sx += wi * src[2 * i];
    sy += wi * src[2 * i + 1];
    dx += wi * dst[2 * i];
    dy += wi * dst[2 * i + 1];
  }
  if (!(w > 0)) throw new RangeError('weights sum to zero');
  return { w, sx: sx / w, sy: sy / w, dx: dx / w, dy: dy / w };
}
