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
/** A run of non-skin that may be the feature ends the face on a ray when longer than this (eye distances): longer than a drawn eye is
 *  wide where the ray crosses it (the stored corner can sit on the lid's skin, inside the drawn eye: 9 px of iris and
 *  lashes at an eye distance of 35 px on the tale's turned shot), shorter than hair and background. */
export const FEATURE_GAP = 0.5;
/**
 * Only turned heads, on the far side: from TURN[0] degrees of stored |yaw| (none), fully from TURN[1]. The net reads a
 * turned drawn head's far side short (tale 1280x720 frames 17-27, stored yaw 19-27°); reading skin by colour alone on
 * frontal heads took a band of hair with a skin-coloured sunset sky beyond it for more face (the same tale's frames
 * 317-359, stored yaw 11-15°) and pushed skin over the hair there.
 */
export const TURN = [14, 18] as const;
/** Skin counts on a ray only in runs at least this long (eye distances; 2 px at least: at 0.06 the 2 px of skin between
 *  the tale's far lash tip and the hair at frame 26 (eye distance 36 px) no longer counted, and the far eye showed again). */
export const MIN_SKIN = 0.05;
/** Any other run of non-skin longer than this (eye distances) ends the face on a ray. */
export const END_GAP = 0.1;
/** A non-skin run belongs to the drawn feature when it begins at most this far (eye distances) of skin after it. */
export const FEATURE_JOIN = 0.15;
/** Rays run at most this far (eye distances, between the eyes' centres) past their start... */
export const REACH_MAX = 1.2;
/** ...and no side is pushed further than this. */
export const PUSH_MAX = 0.6;

/** Skin test (after the compositor's story-hair rule): colour distance from the story skin's mean in its spreads, with
 *  floors, lighter luma counted less; skin within SKIN_NEAR. The spreads are halved: the story's statistics also hold
 *  its drawn features and fringe, and at their full spread a sunset sky (V 9 above a drawn face's skin on the tale's
 *  last shot) passed for skin, so a band of hair with sky beyond it read as a gap in the face. */
const SKIN_NEAR = 2.5;
const LUMA_SPREAD = 0.5;
const CHROMA_SPREAD = 0.5;
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
 * it within `gap` px. Any other non-skin run longer than `end` px ends the face (hair, an outline stroke, the
 * background: a thin band of hair must stop the ray even where a skin-coloured sky lies beyond it). Runs of skin
 * shorter than `minSkin` px are not skin. NaN for both when the ray never meets skin or ends on skin (the skin may be a
 * skin-coloured background behind a band of hair the ray started in: nothing is known).
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
  end = gap,
  minSkin = 1,
): RayReading {
  // Skin along the ray, with runs of skin shorter than minSkin taken as not skin (a stray pixel among leaves).
  const n = Math.max(0, Math.floor(length)) + 1;
  if (ray.length < n) ray = new Uint8Array(n);
  for (let t = 0; t < n; t++) ray[t] = isSkin(x0 + t * dx, y0 + t * dy) ? 1 : 0;
  for (let t = 0; t < n;) {
    if (!ray[t]) {
      t++;
      continue;
    }
    let e = t;
    while (e < n && ray[e]) e++;
    if (e - t < minSkin && e < n) ray.fill(0, t, e);
    t = e;
  }
  let featureEnd = NaN,
    skinEnd = NaN,
    runStart = 0,
    inRun = true,
    seenSkin = false,
    candidate = true,
    lastFeature = -1;
  const found = () => ({ featureEnd: Number.isNaN(featureEnd) ? 0 : featureEnd, skinEnd });
  for (let t = 0; t < n; t++) {
    if (ray[t]) {
      if (inRun) {
        // A non-skin run closed by skin: part of the feature if it starts the ray or lies close enough to the feature.
        if (t > runStart && candidate) {
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
        candidate = runStart - lastFeature - 1 <= join;
      }
      if (seenSkin && t - runStart + 1 > (candidate ? gap : end)) return found();
    }
  }
  // The ray ran out inside a run of non-skin after skin: the face ends there. Inside skin (or never on it): the face's
  // end was not found (a skin-coloured background behind hair the ray started in, or a face larger than the ray), and
  // nothing is read.
  return seenSkin && inRun ? found() : { featureEnd: NaN, skinEnd: NaN };
}

let ray = new Uint8Array(256);

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
  /** Share of each ray's shortfall made up (turnWeight of the yaw). */
  weight: number;
}

/** 0 below TURN[0] degrees of |yaw|, 1 from TURN[1], smoothstep between. */
export function turnWeight(yaw: number): number {
  const a = Math.abs(yaw);
  if (!(a > TURN[0])) return 0;
  if (a >= TURN[1]) return 1;
  const t = (a - TURN[0]) / (TURN[1] - TURN[0]);
  return t * t * (3 - 2 * t);
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
export function measureDrawnReach(frame: Yuv420, landmarks: ArrayLike<number>, colour: ChannelStats, yaw: number, out?: DrawnReach): DrawnReach {
  const size = 4 * RAY_OFFSETS.length * RAY_FIELDS;
  const reach = out ?? { rays: new Float64Array(size), count: 0, iod: 0, weight: 0 };
  if (reach.rays.length < size) reach.rays = new Float64Array(size);
  reach.count = 0;
  reach.iod = 0;
  reach.weight = turnWeight(yaw);
  if (!(reach.weight > 0) || !(colour && colour.weight > 0)) return reach;
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
  for (let c = 0; c < 3; c++) scale[c] = 1 / Math.max(FLOORS[c], (c === 0 ? LUMA_SPREAD : CHROMA_SPREAD) * colour.std[c]);
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
  // Only the side the head turns away from (positive yaw turns the nose towards image-right: the far side is there).
  for (let s = yaw > 0 ? 1 : 0, last = s; s <= last; s++) {
    const side = SIDES[s];
    const dx = side.sign * ux,
      dy = side.sign * uy;
    const starts = [side.corner, side.brow];
    for (let r = 0; r < 2; r++) {
      for (const off of RAY_OFFSETS) {
        // Parallel rays across the eye line: the drawn eye or brow need not lie on the stored one's line.
        const x0 = landmarks[2 * starts[r]] + off * iod * nx,
          y0 = landmarks[2 * starts[r] + 1] + off * iod * ny;
        const read = readRay(isSkin, x0, y0, dx, dy, REACH_MAX * iod, FEATURE_GAP * iod, FEATURE_JOIN * iod, END_GAP * iod, Math.max(2, MIN_SKIN * iod));
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

let targets = new Float64Array(32);

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
  if (targets.length < reach.count) targets = new Float64Array(reach.rays.length / RAY_FIELDS);
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
      // The reach to fit: the weight's share of the way from where the outline first ended to where it must.
      if (round === 0) targets[i] = have + reach.weight * Math.max(0, reach.rays[k + 4] - have);
      const s = reach.rays[k + 5],
        r = reach.rays[k + 6];
      const short = Math.min(targets[i] - have, cap - total.push[s][r]);
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
