// Image planes as plain typed arrays: 8-bit planes with a row stride (a video plane or a view
// into one) and float planes (masks, coverage). Helpers allocate and crop.
// Must never touch the file system, a codec or any image library: callers bring the bytes.

/** An 8-bit image plane. Pixel (x, y) is `data[y * stride + x]`; `stride >= width`. */
export interface Plane {
  data: Uint8Array;
  width: number;
  height: number;
  stride: number;
}

/**
 * A float plane (mask, coverage, alpha), rows packed: pixel (x, y) is `data[y * width + x]`.
 * `data` may be longer than `width * height` (reused scratch); only that prefix is meaningful.
 */
export interface FloatPlane {
  data: Float32Array;
  width: number;
  height: number;
}

/** An integer pixel rectangle: columns [x, x + width), rows [y, y + height). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export function createPlane(width: number, height: number, fill = 0): Plane {
  assertSize(width, height);
  const data = new Uint8Array(width * height);
  if (fill !== 0) data.fill(fill);
  return { data, width, height, stride: width };
}

export function createFloatPlane(width: number, height: number, fill = 0): FloatPlane {
  assertSize(width, height);
  const data = new Float32Array(width * height);
  if (fill !== 0) data.fill(fill);
  return { data, width, height };
}

/** A view (shared bytes) of a rectangle of `plane`; the rectangle must lie inside it. */
export function planeView(plane: Plane, rect: Rect): Plane {
  assertInside(plane, rect);
  const offset = rect.y * plane.stride + rect.x;
  const end = rect.height === 0 ? offset : offset + (rect.height - 1) * plane.stride + rect.width;
  return { data: plane.data.subarray(offset, end), width: rect.width, height: rect.height, stride: plane.stride };
}

/** A packed copy of a rectangle of `plane`. */
export function cropPlane(plane: Plane, rect: Rect): Plane {
  assertInside(plane, rect);
  const out = createPlane(rect.width, rect.height);
  for (let y = 0; y < rect.height; y++) {
    const from = (rect.y + y) * plane.stride + rect.x;
    out.data.set(plane.data.subarray(from, from + rect.width), y * rect.width);
  }
  return out;
}

/** A copy of a rectangle of a float plane. */
export function cropFloatPlane(plane: FloatPlane, rect: Rect): FloatPlane {
  assertInside(plane, rect);
  const out = createFloatPlane(rect.width, rect.height);
  for (let y = 0; y < rect.height; y++) {
    const from = (rect.y + y) * plane.width + rect.x;
    out.data.set(plane.data.subarray(from, from + rect.width), y * rect.width);
  }
  return out;
}

/** Copies `src` into `dst` row by row; both must have the same width and height. */
export function copyPlane(src: Plane, dst: Plane): void {
  if (src.width !== dst.width || src.height !== dst.height) throw new RangeError('copyPlane: size mismatch');
  for (let y = 0; y < src.height; y++) {
    const s = y * src.stride;
    dst.data.set(src.data.subarray(s, s + src.width), y * dst.stride);
  }
}

/** The intersection of `rect` with [0, width) x [0, height); may be empty (width or height 0). */
export function clipRect(rect: Rect, width: number, height: number): Rect {
  const x0 = Math.max(0, rect.x);
  const y0 = Math.max(0, rect.y);
  const x1 = Math.min(width, rect.x + rect.width);
  const y1 = Math.min(height, rect.y + rect.height);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

/**
 * The smallest integer rectangle holding every pixel whose centre can lie inside the points'
 * bounding box (points scaled by `scale`), grown by `margin` pixels and clipped to the plane.
 */
export function pointsBoundingRect(points: ArrayLike<number>, planeWidth: number, planeHeight: number, scale = 1, margin = 0): Rect {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 2) {
    const x = points[i] * scale;
    const y = points[i + 1] * scale;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  if (!(minX <= maxX && minY <= maxY)) return { x: 0, y: 0, width: 0, height: 0 };
  const x0 = Math.floor(minX) - margin;
  const y0 = Math.floor(minY) - margin;
  const x1 = Math.ceil(maxX) + margin;
  const y1 = Math.ceil(maxY) + margin;
  return clipRect({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, planeWidth, planeHeight);
}

function assertSize(width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 0 || height < 0) {
    throw new RangeError(`invalid plane size ${width}x${height}`);
  }
}

function assertInside(plane: { width: number; height: number }, rect: Rect): void {
  if (rect.x < 0 || rect.y < 0 || rect.width < 0 || rect.height < 0 || rect.x + rect.width > plane.width || rect.y + rect.height > plane.height) {
    throw new RangeError(`rect ${rect.x},${rect.y} ${rect.width}x${rect.height} outside ${plane.width}x${plane.height}`);
  }
}
