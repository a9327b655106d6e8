// Which pixels count as skin for colour statistics, and the statistics themselves, for the
// child's canonical face and for a story frame alike (the same rule on both sides is what makes
// the colour transfer fair): the face outline (jaw + forehead arc) minus the eyes, the brows and
// the inner mouth, each cut out with a small margin.
// Must never allocate frame-sized buffers: work happens inside the landmarks' bounding box.
import {
  centroid,
  ChannelStats,
  createFloatPlane,
  FACE_OUTLINE,
  faceMeshPoints,
  FloatPlane,
  gatherPoints,
  INNER_MOUTH,
  LEFT_BROW,
  LEFT_EYE,
  maskedStats,
  Plane,
  pointsBoundingRect,
  PolygonRasterizer,
  Rect,
  RIGHT_BROW,
  RIGHT_EYE,
  srgbToLab,
  Yuv420,
  yuv420MaskedStats,
} from '@talecast/geometry';

/** Eyes and the inner mouth are cut out grown by this factor about their centroid. */
const FEATURE_GROWTH = 1.3;
/** Brows are cut out as a band this many eye-distances thick. */
const BROW_THICKNESS = 0.12;

/**
 * Paints the skin mask of a face into `mask` (zero-filled by the caller, or fresh), whose pixel
 * (0, 0) sits at (`originX`, `originY`) in landmark coordinates. Antialiased, values in [0, 1].
 */
export function paintSkinMask(
  mask: FloatPlane,
  landmarks: ArrayLike<number>,
  originX = 0,
  originY = 0,
  rasterizer: PolygonRasterizer = new PolygonRasterizer(),
): FloatPlane {
  const mesh = faceMeshPoints(landmarks);
  const opts = { originX, originY };
  rasterizer.fill(mask, gatherPoints(mesh, FACE_OUTLINE), { ...opts, combine: 'max' });
  for (const feature of [RIGHT_EYE, LEFT_EYE, INNER_MOUTH]) {
    rasterizer.fill(mask, grow(gatherPoints(mesh, feature), FEATURE_GROWTH), { ...opts, combine: 'cut' });
  }
  const [rx, ry] = centroid(mesh, RIGHT_EYE);
  const [lx, ly] = centroid(mesh, LEFT_EYE);
  const eyeDistance = Math.hypot(lx - rx, ly - ry);
  // Up direction: perpendicular to the eye line, pointing from the chin towards the brows.
  const nx = (ly - ry) / (eyeDistance || 1),
    ny = -(lx - rx) / (eyeDistance || 1);
  for (const brow of [RIGHT_BROW, LEFT_BROW]) {
    rasterizer.fill(mask, band(gatherPoints(mesh, brow), nx, ny, (BROW_THICKNESS * eyeDistance) / 2), { ...opts, combine: 'cut' });
  }
  return mask;
}

/** The skin mask of a face as an image-sized plane (for canonical faces; frames use the bbox helpers). */
export function skinMask(landmarks: ArrayLike<number>, width: number, height: number): FloatPlane {
  return paintSkinMask(createFloatPlane(width, height), landmarks);
}

/** The luma rectangle (start even-aligned for 4:2:0, clipped) that holds a face's skin region. */
export function skinRegion(landmarks: ArrayLike<number>, width: number, height: number): Rect {
  const r = pointsBoundingRect(faceMeshPoints(landmarks), width, height, 1, 2);
  if (r.width === 0 || r.height === 0) return r;
  const x0 = r.x & ~1,
    y0 = r.y & ~1;
  return { x: x0, y: y0, width: r.x + r.width - x0, height: r.y + r.height - y0 };
}

/**
 * Skin colour statistics [Y, Cb, Cr] of a face in a 4:2:0 frame (or the canonical texture),
 * weighted by the antialiased skin mask; only the face's bounding box is visited.
 */
export function skinStatsYuv(frame: Yuv420, landmarks: ArrayLike<number>): ChannelStats {
  const region = skinRegion(landmarks, frame.y.width, frame.y.height);
  if (region.width <= 0 || region.height <= 0) return { mean: [0, 0, 0], std: [0, 0, 0], weight: 0 };
  const cx = region.x >> 1,
    cy = region.y >> 1;
  const cw = (region.width + 1) >> 1;
  const ch = (region.height + 1) >> 1;
  const view = (p: Plane, x: number, y: number, w: number, h: number): Plane => ({
    data: p.data.subarray(y * p.stride + x),
    width: w,
    height: h,
    stride: p.stride,
  });
  const mask = paintSkinMask(createFloatPlane(region.width, region.height), landmarks, region.x, region.y);
  return yuv420MaskedStats(
    {
      y: view(frame.y, region.x, region.y, region.width, region.height),
      u: view(frame.u, cx, cy, cw, ch),
      v: view(frame.v, cx, cy, cw, ch),
    },
    mask,
  );
}

/** Skin colour statistics in CIE Lab of a face in an RGBA image. */
export function skinStatsLab(rgba: Uint8Array, width: number, height: number, landmarks: ArrayLike<number>): ChannelStats {
  const region = pointsBoundingRect(faceMeshPoints(landmarks), width, height, 1, 1);
  const mask = paintSkinMask(createFloatPlane(region.width, region.height), landmarks, region.x, region.y);
  const lab = new Float32Array(region.width * region.height * 3);
  const tmp = new Float64Array(3);
  for (let j = 0; j < region.height; j++) {
    for (let i = 0; i < region.width; i++) {
      const k = j * region.width + i;
      if (mask.data[k] <= 0) continue;
      const s = 4 * ((region.y + j) * width + region.x + i);
      srgbToLab(rgba[s], rgba[s + 1], rgba[s + 2], tmp);
      lab[3 * k] = tmp[0];
      lab[3 * k + 1] = tmp[1];
      lab[3 * k + 2] = tmp[2];
    }
  }
  return maskedStats(lab, 3, mask.data);
}

function grow(polygon: Float32Array, factor: number): Float32Array {
  const n = polygon.length / 2;
  let cx = 0,
    cy = 0;
  for (let k = 0; k < n; k++) {
    cx += polygon[2 * k];
    cy += polygon[2 * k + 1];
  }
  cx /= n;
  cy /= n;
  for (let k = 0; k < n; k++) {
    polygon[2 * k] = cx + (polygon[2 * k] - cx) * factor;
    polygon[2 * k + 1] = cy + (polygon[2 * k + 1] - cy) * factor;
  }
  return polygon;
}

/** A closed band of half-thickness `t` along a polyline (offset along the up direction n). */
function band(line: Float32Array, nx: number, ny: number, t: number): Float32Array {
  const n = line.length / 2;
  const out = new Float32Array(4 * n);
  for (let k = 0; k < n; k++) {
    out[2 * k] = line[2 * k] + nx * t;
    out[2 * k + 1] = line[2 * k + 1] + ny * t;
    const back = 2 * n - 1 - k;
    out[2 * back] = line[2 * k] - nx * t;
    out[2 * back + 1] = line[2 * k + 1] - ny * t;
  }
  return out;
}
