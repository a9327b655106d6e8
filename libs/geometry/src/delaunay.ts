// Delaunay triangulation of a small point set (Bowyer–Watson with a far super-triangle), with
// optional constraint edges forced in afterwards by edge flips (Sloan 1993), used once per face
// to build the fixed mesh for the piecewise-affine warp. O(n^2): meant for a hundred-odd
// landmarks, not for point clouds. Must never run per video frame.
import { orient2d } from './polygon';

/**
 * Triangulates flat points [x0, y0, ...] and returns vertex index triples. Every triangle has
 * positive `orient2d` (clockwise on screen with y down). Exact duplicate points are skipped
 * (never referenced); fewer than three distinct, non-collinear points give no triangles.
 * `constraints` (flat index pairs [u0, v0, u1, v1, ...]) are made edges of the result where
 * possible (an edge running exactly through another point cannot be); the triangulation is then
 * constrained-Delaunay-ish rather than Delaunay near those edges.
 */
export function delaunayTriangulate(points: ArrayLike<number>, constraints?: ArrayLike<number>): Uint32Array {
  const n = points.length >> 1;
  if (n < 3) return new Uint32Array(0);

  // Normalise into a unit box so the super-triangle's size is meaningful and tests are stable.
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = points[2 * i],
      y = points[2 * i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new RangeError(`point ${i} is not finite`);
    minX = Math.min(minX, x);
    maxX = Math.max(maxX, x);
    minY = Math.min(minY, y);
    maxY = Math.max(maxY, y);
  }
  const extent = Math.max(maxX - minX, maxY - minY) || 1;
  const cx = (minX + maxX) / 2,
    cy = (minY + maxY) / 2;
  const xs = new Float64Array(n + 3);
  const ys = new Float64Array(n + 3);
  for (let i = 0; i < n; i++) {
    xs[i] = (points[2 * i] - cx) / extent;
    ys[i] = (points[2 * i + 1] - cy) / extent;
  }
  // Far enough that a missing hull triangle needs three hull points collinear to ~1e-6.
  const M = 1e4;
  xs[n] = -M;
  ys[n] = -M;
  xs[n + 1] = M;
  ys[n + 1] = -M;
  xs[n + 2] = 0;
  ys[n + 2] = M;

  let tris: number[] = orient2d(xs[n], ys[n], xs[n + 1], ys[n + 1], xs[n + 2], ys[n + 2]) > 0 ? [n, n + 1, n + 2] : [n, n + 2, n + 1];

  // Insert in a deterministic x-then-y order, skipping exact duplicates.
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => xs[i] - xs[j] || ys[i] - ys[j] || i - j);
  const edges: number[] = [];
  let prev = -1;
  for (const p of order) {
    if (prev >= 0 && xs[p] === xs[prev] && ys[p] === ys[prev]) continue;
    prev = p;
    const px = xs[p],
      py = ys[p];
    edges.length = 0;
    const kept: number[] = [];
    for (let t = 0; t < tris.length; t += 3) {
      const a = tris[t],
        b = tris[t + 1],
        c = tris[t + 2];
      if (inCircle(xs[a], ys[a], xs[b], ys[b], xs[c], ys[c], px, py) > 0) {
        edges.push(a, b, b, c, c, a);
      } else {
        kept.push(a, b, c);
      }
    }
    // Boundary of the cavity: directed edges whose reverse is not also a cavity edge.
    for (let e = 0; e < edges.length; e += 2) {
      const u = edges[e],
        v = edges[e + 1];
      let shared = false;
      for (let f = 0; f < edges.length; f += 2) {
        if (edges[f] === v && edges[f + 1] === u) {
          shared = true;
          break;
        }
      }
      if (!shared) kept.push(u, v, p);
    }
    tris = kept;
  }

  if (constraints) {
    for (let c = 0; c + 1 < constraints.length; c += 2) insertEdge(xs, ys, tris, constraints[c], constraints[c + 1]);
  }

  const out: number[] = [];
  for (let t = 0; t < tris.length; t += 3) {
    const a = tris[t],
      b = tris[t + 1],
      c = tris[t + 2];
    if (a >= n || b >= n || c >= n) continue;
    if (orient2d(xs[a], ys[a], xs[b], ys[b], xs[c], ys[c]) <= 1e-14) continue;
    out.push(a, b, c);
  }
  return Uint32Array.from(out);
}

/**
 * > 0 when (dx, dy) lies strictly inside the circumcircle of (a, b, c), for positively oriented
 * (a, b, c); the classic 3x3 in-circle determinant on coordinates relative to d.
 */
export function inCircle(ax: number, ay: number, bx: number, by: number, cx: number, cy: number, dx: number, dy: number): number {
  const adx = ax - dx,
    ady = ay - dy;
  const bdx = bx - dx,
    bdy = by - dy;
  const cdx = cx - dx,
    cdy = cy - dy;
  const ad = adx * adx + ady * ady;
  const bd = bdx * bdx + bdy * bdy;
  const cd = cdx * cdx + cdy * cdy;
  return adx * (bdy * cd - bd * cdy) - ady * (bdx * cd - bd * cdx) + ad * (bdx * cdy - bdy * cdx);
}

/**
 * Makes (u, v) an edge of `tris` (in place) by flipping the edges that cross it, skipping
 * non-convex quads until a later flip makes them convex. Gives up quietly if it cannot.
 */
function insertEdge(xs: Float64Array, ys: Float64Array, tris: number[], u: number, v: number): void {
  if (u === v) return;
  const crosses = (p: number, q: number) => {
    if (p === u || p === v || q === u || q === v) return false;
    const o1 = orient2d(xs[u], ys[u], xs[v], ys[v], xs[p], ys[p]);
    const o2 = orient2d(xs[u], ys[u], xs[v], ys[v], xs[q], ys[q]);
    const o3 = orient2d(xs[p], ys[p], xs[q], ys[q], xs[u], ys[u]);
    const o4 = orient2d(xs[p], ys[p], xs[q], ys[q], xs[v], ys[v]);
    return o1 * o2 < 0 && o3 * o4 < 0;
  };
  for (let guard = 0; guard < 4 * tris.length; guard++) {
    let flipped = false;
    let anyCrossing = false;
    for (let t = 0; t < tris.length && !flipped; t += 3) {
      for (let e = 0; e < 3 && !flipped; e++) {
        const p = tris[t + e],
          q = tris[t + ((e + 1) % 3)],
          r = tris[t + ((e + 2) % 3)];
        if (!crosses(p, q)) continue;
        anyCrossing = true;
        // The neighbour across (p, q) holds the directed edge (q, p).
        for (let s = 0; s < tris.length; s += 3) {
          if (s === t) continue;
          for (let f = 0; f < 3; f++) {
            if (tris[s + f] !== q || tris[s + ((f + 1) % 3)] !== p) continue;
            const w = tris[s + ((f + 2) % 3)];
            // Flip only when (r, w) crosses (p, q): the quad is strictly convex.
            const a1 = orient2d(xs[r], ys[r], xs[w], ys[w], xs[p], ys[p]);
            const a2 = orient2d(xs[r], ys[r], xs[w], ys[w], xs[q], ys[q]);
            if (!(a1 * a2 < 0)) break;
            // (p, q, r) and (q, p, w) positive  =>  (p, w, r) and (q, r, w) positive.
            tris[t] = p;
            tris[t + 1] = w;
            tris[t + 2] = r;
            tris[s] = q;
            tris[s + 1] = r;
            tris[s + 2] = w;
            flipped = true;
            break;
          }
          if (flipped) break;
        }
      }
    }
    if (!anyCrossing || !flipped) return;
  }
}
