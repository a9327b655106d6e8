// Small polygon helpers shared by the triangulation, the masks and their tests: signed areas,
// convex hull, point-in-polygon. Polygons are flat [x0, y0, x1, y1, ...], implicitly closed.
// Must never allocate per call beyond its result; no images, no I/O.

/** Twice the signed area of triangle (a, b, c): > 0 when (x right, y down) it turns clockwise on screen. */
export function orient2d(ax: number, ay: number, bx: number, by: number, cx: number, cy: number): number {
  return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/** Signed area of a flat polygon (shoelace); positive for the same turning sense as `orient2d`. */
export function polygonArea(polygon: ArrayLike<number>): number {
  const n = polygon.length >> 1;
  let twice = 0;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    twice += polygon[2 * j] * polygon[2 * i + 1] - polygon[2 * i] * polygon[2 * j + 1];
  }
  return twice / 2;
}

/** Picks the points `indices` out of `points` as a flat polygon. */
export function gatherPoints(points: ArrayLike<number>, indices: ArrayLike<number>, out?: Float32Array): Float32Array {
  const result = out ?? new Float32Array(indices.length * 2);
  for (let k = 0; k < indices.length; k++) {
    result[2 * k] = points[2 * indices[k]];
    result[2 * k + 1] = points[2 * indices[k] + 1];
  }
  return result;
}

/** Indices of the convex hull (Andrew's monotone chain), positive orientation, no collinear points. */
export function convexHull(points: ArrayLike<number>): Uint32Array {
  const n = points.length >> 1;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => points[2 * i] - points[2 * j] || points[2 * i + 1] - points[2 * j + 1]);
  if (n < 3) return Uint32Array.from(order);
  const hull: number[] = [];
  const cross = (o: number, a: number, b: number) =>
    orient2d(points[2 * o], points[2 * o + 1], points[2 * a], points[2 * a + 1], points[2 * b], points[2 * b + 1]);
  for (const pass of [order, [...order].reverse()]) {
    const start = hull.length;
    for (const i of pass) {
      while (hull.length >= start + 2 && cross(hull[hull.length - 2], hull[hull.length - 1], i) <= 0) hull.pop();
      hull.push(i);
    }
    hull.pop();
  }
  return Uint32Array.from(hull);
}

/** Even-odd point-in-polygon test. */
export function pointInPolygon(polygon: ArrayLike<number>, x: number, y: number): boolean {
  const n = polygon.length >> 1;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const xi = polygon[2 * i],
      yi = polygon[2 * i + 1];
    const xj = polygon[2 * j],
      yj = polygon[2 * j + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
