// The drawn face's features to their drawn extent (issue 18, "one face, not two"): on a turned drawn head the
// landmark net reads the far side short (the stored far eye corner and brow end sit ~0.4 eye distances inside the
// drawn ones on the tale's turned shot), so even the grown outline ends at or inside the drawn far eye and its
// lashes and brow tail show between the child's temple and the character's hair.
//
// Measured per frame on the frame itself: from each side's eye outer corner and brow end, a ray runs outwards along
// the eye line through the frame. Pixels are told as the story face's skin or not (its colour statistics, the same
// test as the compositor's story-hair rule). The run of non-skin the ray starts in is the feature itself (the stored
// corner can sit inside the drawn eye); after it, a short run of non-skin with skin beyond is more of the drawn
// feature (a lash, a brow's tail); a long one is where the face ends (hair, an outline stroke, the background). The
// feature's end plus FEATURE_MARGIN must lie inside the outline, but the outline never goes more than SKIN_MARGIN past
// the skin's end. Where the outline falls short, that side of it (the jaw from the eye line down, tapering to the
// chin, and the forehead arc from the brow line up, tapering to the top) is pushed outwards along the eye line.
// Frames whose drawn features already lie inside the outline are not changed.
import { centroid, ChannelStats, FACE_MESH_POINT_COUNT, FACE_OUTLINE, FOREHEAD_ARC, LEFT_EYE, RIGHT_EYE, Yuv420 } from '@talecast/geometry';

/** A drawn feature's end must lie this far (eye distances) inside the outline: the mask's feathered edge is about 0.1. */
export const FEATURE_MARGIN = 0.2;
/** The outline goes at most this far (eye distances) past the end of the face's skin on a ray: about the mask's
 *  feathered edge, so a feature right at the hairline is covered while the feather fades out over the hair's edge. */
export const SKIN_MARGIN = 0.12;
/** A run of non-skin longer than this (eye distances) after skin ends the face on a ray: longer than a drawn eye is
 *  wide where the ray crosses it (the stored corner can sit on the lid's skin, inside the drawn eye: 9 px of iris and
 *  lashes at an eye distance of 35 px on the tale's turned shot), shorter than hair and background. */
export const FEATURE_GAP = 0.5;
/** A non-skin run belongs to the drawn feature when it begins at most this far (eye distances) of skin after it. */
export const FEATURE_JOIN = 0.15;
/** Rays run at most this far (eye distances, between the eyes' centres) past their start... */
export const REACH_MAX = 1.2;
/** ...and no side is pushed further than this. */
export const PUSH_MAX = 0.6;

/** Skin test (as the compositor's story-hair rule): colour distance in the story skin's spreads, luma's widened and
 *  lighter luma counted less, with floors; skin within SKIN_NEAR. */
const SKIN_NEAR = 2;
const LUMA_SPREAD = 0.5;
const BRIGHTER = 0.3;
const FLOORS = [14, 3, 3];

/** Each start point's rays, offset across the eye line by these shares of the eye distance. */
const RAY_OFFSETS = [-0.2, -0.1, 0, 0.1, 0.2];

/** Outline points this share of their side's width from the middle, and further out, move by the full push. */
const FULL_PUSH_FROM = 0.6;

/** What one ray found, in px from its start along it (NaN: nothing found). */
export interface RayReading {
  /** Where the drawn feature ends: the far end of the last non-skin run that skin follows. */
  featureEnd: number;
  /** Where the face's skin ends. */
  skinEnd: number;
}

/**
 * Reads one ray through the frame: `isSkin(x, y)` per pixel at unit steps from (x0, y0) along (dx, dy) (unit vector) up
 * to `length` px. A non-skin run is part of the feature when it starts the ray or begins at most `join` px of skin after
 * the feature's last run (a lash beside the eye; not a stray dark pixel at the hair's edge further on) and skin follows
 * it; `gap` px of non-skin after skin end the face. NaN for both when the ray never meets skin.
 */
export function readRay(
  isSkin: (x: number, y: number) => boolean,
  x0: number,
  y0: number,
  dx: number,
  dy: number,
  length: number,
  gap: number,
  join = Infinity,
): RayReading {
  let featureEnd = NaN,
    skinEnd = NaN,
    runStart = 0,
    inRun = true,
    seenSkin = false,
    lastFeature = -1;
  for (let t = 0; t <= length; t++) {
    const skin = isSkin(x0 + t * dx, y0 + t * dy);
    if (skin) {
      if (inRun) {
        // A non-skin run closed by skin: part of the feature if it starts the ray or lies close enough to the feature.
        if (t > runStart && (runStart === 0 || runStart - lastFeature - 1 <= join)) {
          featureEnd = t - 1;
          lastFeature = t - 1;
        }
        inRun = false;
      }
      seenSkin = true;
      skinEnd = t;
    } else {
      if (!inRun) {
        inRun = true;
        runStart = t;
      }
      if (seenSkin && t - runStart + 1 > gap) break;
    }
  }
  if (!seenSkin) return { featureEnd: NaN, skinEnd: NaN };
  return { featureEnd: Number.isNaN(featureEnd) ? 0 : featureEnd, skinEnd };
}

/** Distance along the ray from (x0, y0) in unit direction (dx, dy) to the first crossing of the closed polygon (Infinity if none). */
export function rayExit(polygon: ArrayLike<number>, x0: number, y0: number, dx: number, dy: number): number {
  const n = polygon.length >> 1;
  let best = Infinity;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const ax = polygon[2 * j],
      ay = polygon[2 * j + 1];
    const ex = polygon[2 * i] - ax,
      ey = polygon[2 * i + 1] - ay;
    const den = dx * ey - dy * ex;
    if (den === 0) continue;
    const wx = ax - x0,
      wy = ay - y0;
    const t = (wx * ey - wy * ex) / den;
    const s = (wx * dy - wy * dx) / den;
    if (t >= 0 && s >= 0 && s <= 1 && t < best) best = t;
  }
  return best;
}

/** How far each side's outline must move outwards (px) at the eye line and at the brow line. */
export interface SideReach {
  /** [image-left, image-right] × [eye line, brow line]. */
  push: [[number, number], [number, number]];
}

/** The rays read on one frame: per ray its start, unit direction and how far along it the outline must reach. */
export interface DrawnReach {
  /** Per ray: x0, y0, dx, dy, need (px), side (0 image-left, 1 image-right), line (0 eye, 1 brow). */
  rays: Float64Array;
  count: number;
  /** The story face's eye distance (px). */
  iod: number;
}

/** Per side: the eye's outer corner and the brow's outer end (iBUG), the eye line pointing outwards. */
const SIDES = [
  { corner: 36, brow: 17, sign: -1 },
  { corner: 45, brow: 26, sign: 1 },
] as const;

const RAY_FIELDS = 7;

/**
 * Reads on `frame` how far the story face's drawn eyes and brows reach (see the file's head), from the story's
 * `landmarks` and skin `colour`: per ray, where the outline must reach. `out` is reused when given.
 */
export function measureDrawnReach(frame: Yuv420, landmarks: ArrayLike<number>, colour: ChannelStats, out?: DrawnReach): DrawnReach {
  const size = 4 * RAY_OFFSETS.length * RAY_FIELDS;
  const reach = out ?? { rays: new Float64Array(size), count: 0, iod: 0 };
  if (reach.rays.length < size) reach.rays = new Float64Array(size);
  reach.count = 0;
  reach.iod = 0;
  if (!(colour && colour.weight > 0)) return reach;
  const [lx, ly] = centroid(landmarks, RIGHT_EYE);
  const [rx, ry] = centroid(landmarks, LEFT_EYE);
  const iod = Math.hypot(rx - lx, ry - ly);
  if (!(iod > 2)) return reach;
  reach.iod = iod;
  const ux = (rx - lx) / iod,
    uy = (ry - ly) / iod;
  const nx = -uy,
    ny = ux;
  const scale = [0, 0, 0];
  for (let c = 0; c < 3; c++) scale[c] = 1 / Math.max(FLOORS[c], (c === 0 ? LUMA_SPREAD : 1) * colour.std[c]);
  const { y, u, v } = frame;
  const isSkin = (fx: number, fy: number): boolean => {
    const x = Math.round(fx),
      yy = Math.round(fy);
    if (x < 0 || yy < 0 || x >= y.width || yy >= y.height) return false;
    const yv = y.data[yy * y.stride + x];
    const du = (u.data[(yy >> 1) * u.stride + (x >> 1)] - colour.mean[1]) * scale[1],
      dv = (v.data[(yy >> 1) * v.stride + (x >> 1)] - colour.mean[2]) * scale[2],
      dl = (yv - colour.mean[0]) * scale[0] * (yv > colour.mean[0] ? BRIGHTER : 1);
    return du * du + dv * dv + dl * dl <= SKIN_NEAR * SKIN_NEAR;
  };
  const rays = reach.rays;
  for (let s = 0; s < 2; s++) {
    const side = SIDES[s];
    const dx = side.sign * ux,
      dy = side.sign * uy;
    const starts = [side.corner, side.brow];
    for (let r = 0; r < 2; r++) {
      for (const off of RAY_OFFSETS) {
        // Parallel rays across the eye line: the drawn eye or brow need not lie on the stored one's line.
        const x0 = landmarks[2 * starts[r]] + off * iod * nx,
          y0 = landmarks[2 * starts[r] + 1] + off * iod * ny;
        const read = readRay(isSkin, x0, y0, dx, dy, REACH_MAX * iod, FEATURE_GAP * iod, FEATURE_JOIN * iod);
        if (Number.isNaN(read.featureEnd)) continue;
        const k = RAY_FIELDS * reach.count++;
        rays[k] = x0;
        rays[k + 1] = y0;
        rays[k + 2] = dx;
        rays[k + 3] = dy;
        rays[k + 4] = Math.min(read.featureEnd + FEATURE_MARGIN * iod, read.skinEnd + SKIN_MARGIN * iod);
        rays[k + 5] = s;
        rays[k + 6] = r;
      }
    }
  }
  return reach;
}

/** Fitting rounds in reachOutline: a push moves the outline's segments unevenly, so the shortfall is read again. */
const FIT_ROUNDS = 3;

/**
 * Pushes the outline of `mesh` (mesh points in frame px, after any growth; in place) until every ray of `reach` ends
 * inside it, side by side and line by line (see pushOutline), each at most PUSH_MAX eye distances in all. Returns the
 * total push; a mesh whose outline already holds every ray's reach is not touched. `outline` is scratch.
 */
export function reachOutline(mesh: Float32Array, landmarks: ArrayLike<number>, reach: DrawnReach, outline?: Float32Array): SideReach {
  const total: SideReach = {
    push: [
      [0, 0],
      [0, 0],
    ],
  };
  if (!reach.count) return total;
  const poly = outline ?? new Float32Array(FACE_OUTLINE.length * 2);
  const step: SideReach = {
    push: [
      [0, 0],
      [0, 0],
    ],
  };
  const cap = PUSH_MAX * reach.iod;
  for (let round = 0; round < FIT_ROUNDS; round++) {
    for (let k = 0; k < FACE_OUTLINE.length; k++) {
      poly[2 * k] = mesh[2 * FACE_OUTLINE[k]];
      poly[2 * k + 1] = mesh[2 * FACE_OUTLINE[k] + 1];
    }
    step.push[0][0] = step.push[0][1] = step.push[1][0] = step.push[1][1] = 0;
    let any = false;
    for (let i = 0; i < reach.count; i++) {
      const k = RAY_FIELDS * i;
      const have = rayExit(poly, reach.rays[k], reach.rays[k + 1], reach.rays[k + 2], reach.rays[k + 3]);
      const s = reach.rays[k + 5],
        r = reach.rays[k + 6];
      const short = Math.min(reach.rays[k + 4] - have, cap - total.push[s][r]);
      if (Number.isFinite(have) && short > 0.25 && short > step.push[s][r]) {
        step.push[s][r] = short;
        any = true;
      }
    }
    if (!any) break;
    pushOutline(mesh, landmarks, step);
    for (let s = 0; s < 2; s++) for (let r = 0; r < 2; r++) total.push[s][r] += step.push[s][r];
  }
  return total;
}

/**
 * Moves the outline side by side outwards along the eye line, in place: on each side a mesh point of the outline or
 * the outer ring (indices 0–16 and from 68 on; the inner face stays) moves by that side's push at its height — the eye
 * line's below the eye line, the brow line's above the brows, blended between — times its share of the side's width
 * from the face's middle (1 from FULL_PUSH_FROM of the side's width outwards, where the rays cross the outline; 0 on
 * the middle line: the chin and the top of the arc stay).
 */
export function pushOutline(mesh: Float32Array, landmarks: ArrayLike<number>, reach: SideReach): Float32Array {
  const [p0, p1] = reach.push;
  if (!(p0[0] > 0 || p0[1] > 0 || p1[0] > 0 || p1[1] > 0)) return mesh;
  const [lx, ly] = centroid(landmarks, RIGHT_EYE);
  const [rx, ry] = centroid(landmarks, LEFT_EYE);
  const iod = Math.hypot(rx - lx, ry - ly);
  if (!(iod > 0)) return mesh;
  const ux = (rx - lx) / iod,
    uy = (ry - ly) / iod;
  // Up: perpendicular to the eye line, towards the brows.
  let nx = uy,
    ny = -ux;
  const mx = (lx + rx) / 2,
    my = (ly + ry) / 2;
  let bx = 0,
    by = 0;
  for (let i = 17; i < 27; i++) {
    bx += landmarks[2 * i] / 10;
    by += landmarks[2 * i + 1] / 10;
  }
  if ((bx - mx) * nx + (by - my) * ny < 0) {
    nx = -nx;
    ny = -ny;
  }
  const browH = Math.max(1e-3, (bx - mx) * nx + (by - my) * ny);
  const count = mesh.length >> 1;
  let wLeft = 0,
    wRight = 0;
  const moved = (i: number) => i < 17 || (i >= 68 && i < FACE_MESH_POINT_COUNT && i < count);
  // The outline's widest point on each side moves by the full push.
  const onOutline = (i: number) => i < 17 || (i >= FOREHEAD_ARC[0] && i <= FOREHEAD_ARC[FOREHEAD_ARC.length - 1]);
  for (let i = 0; i < count; i++) {
    if (!onOutline(i)) continue;
    const a = (mesh[2 * i] - mx) * ux + (mesh[2 * i + 1] - my) * uy;
    if (a < wLeft) wLeft = a;
    if (a > wRight) wRight = a;
  }
  for (let i = 0; i < count; i++) {
    if (!moved(i)) continue;
    const px = mesh[2 * i],
      py = mesh[2 * i + 1];
    const a = (px - mx) * ux + (py - my) * uy;
    const side = a < 0 ? 0 : 1;
    const p = side === 0 ? p0 : p1;
    const width = side === 0 ? -wLeft : wRight;
    if (!(width > 0)) continue;
    const h = ((px - mx) * nx + (py - my) * ny) / browH;
    const t = h <= 0 ? 0 : h >= 1 ? 1 : h;
    const d = (p[0] + (p[1] - p[0]) * t) * Math.min(1, Math.abs(a) / (FULL_PUSH_FROM * width));
    if (!(d > 0)) continue;
    const sx = side === 0 ? -ux : ux,
      sy = side === 0 ? -uy : uy;
    mesh[2 * i] = px + d * sx;
    mesh[2 * i + 1] = py + d * sy;
  }
  return mesh;
}
