// Eye geometry on the 68-point landmarks: per-eye lid openness (eye aspect ratio), the eye's own
// frame (centre, eye-line direction, width and lid gap), moving the lids to a given openness (the
// upper lid comes down to meet a slightly rising lower lid, so the lid skin above the eye is
// stretched over it by the mesh warp), and an iris shift clamped so the iris stays inside the eye.
// Pure functions of points; must never look at pixels or hold state.

/** Per eye (0 = subject's right = image left, 1 = left): corners and the upper/lower lid pairs. */
export const EYE_CORNERS: readonly [number, number][] = [
  [36, 39],
  [42, 45],
];
/** Upper-lid landmark and the lower-lid landmark facing it, two pairs per eye. */
export const EYE_LID_PAIRS: readonly [number, number][][] = [
  [
    [37, 41],
    [38, 40],
  ],
  [
    [43, 47],
    [44, 46],
  ],
];
/** First landmark of each eye's 6-point contour. */
export const EYE_FIRST: readonly [number, number] = [36, 42];

/** Eye aspect ratio of a typical fully open eye (Soukupová & Čech; adults and children ≈ 0.28–0.34). */
export const OPEN_EYE_ASPECT = 0.3;
/** Where a closed eye's lids meet, as a share of the open gap above the lower lid (the lower lid rises this much). */
export const LID_MEET = 0.15;

/** Eye aspect ratio of one eye: mean lid gap over corner-to-corner width. */
export function eyeAspect(landmarks: ArrayLike<number>, eye: 0 | 1): number {
  const o = EYE_FIRST[eye];
  const w = dist(landmarks, o, o + 3);
  return w > 0 ? (dist(landmarks, o + 1, o + 5) + dist(landmarks, o + 2, o + 4)) / (2 * w) : 0;
}

/**
 * One eye's lid gap over the nose length (landmarks 27→33): a lid openness that, unlike the aspect
 * ratio, hardly moves when the head turns (the eye's width foreshortens with yaw, the nose's
 * height does not). On the animated tale's drawn truth (634 eye-frames, 11 in blinks) it
 * correlates 0.99 with the drawn lid openness, the aspect ratio 0.46. Compare it only within one
 * face (normalise by that face's own open value).
 */
export function eyeOpening(landmarks: ArrayLike<number>, eye: 0 | 1): number {
  const o = EYE_FIRST[eye];
  const nose = dist(landmarks, 27, 33);
  return nose > 0 ? (dist(landmarks, o + 1, o + 5) + dist(landmarks, o + 2, o + 4)) / (2 * nose) : 0;
}

/** Both eyes' aspect ratios [right, left]. */
export function eyeAspects(landmarks: ArrayLike<number>, out: Float32Array = new Float32Array(2)): Float32Array {
  out[0] = eyeAspect(landmarks, 0);
  out[1] = eyeAspect(landmarks, 1);
  return out;
}

/** One eye's frame: centre, unit eye-line direction (u, towards the other corner), down (n), width and mean lid gap. */
export interface EyeFrame {
  cx: number;
  cy: number;
  ux: number;
  uy: number;
  nx: number;
  ny: number;
  width: number;
  gap: number;
}

/**
 * The eye's frame from its contour: the centre is the midpoint of the corners (where a level gaze
 * puts the iris), `u` points from the image-left corner to the image-right one, `n` is `u` turned
 * to image-down, `gap` the mean distance between the facing lid points.
 */
export function eyeFrame(landmarks: ArrayLike<number>, eye: 0 | 1): EyeFrame {
  const [a, b] = EYE_CORNERS[eye];
  const ax = landmarks[2 * a],
    ay = landmarks[2 * a + 1],
    bx = landmarks[2 * b],
    by = landmarks[2 * b + 1];
  const width = Math.hypot(bx - ax, by - ay);
  const ux = width > 0 ? (bx - ax) / width : 1,
    uy = width > 0 ? (by - ay) / width : 0;
  let gap = 0;
  for (const [up, low] of EYE_LID_PAIRS[eye]) gap += dist(landmarks, up, low) / 2;
  return { cx: (ax + bx) / 2, cy: (ay + by) / 2, ux, uy, nx: -uy, ny: ux, width, gap };
}

/**
 * Moves each eye's lids to `scale[eye]` (0 closed .. 1 as given; above 1 opens wider) of the gap
 * they have in `landmarks`: each upper/lower pair closes towards its meeting point LID_MEET of
 * the way up from the lower lid, so the gap between the pair becomes exactly scale × its gap.
 * Corners and every other point are copied unchanged. `out` may be `landmarks`.
 */
export function setEyelids(landmarks: ArrayLike<number>, scale: ArrayLike<number>, out: Float32Array): Float32Array {
  if (out !== landmarks) for (let i = 0; i < 136; i++) out[i] = landmarks[i];
  for (let eye = 0; eye < 2; eye++) {
    const s = Math.max(0, scale[eye]);
    for (const [up, low] of EYE_LID_PAIRS[eye]) {
      const ux = out[2 * up],
        uy = out[2 * up + 1],
        lx = out[2 * low],
        ly = out[2 * low + 1];
      const mx = lx + LID_MEET * (ux - lx),
        my = ly + LID_MEET * (uy - ly);
      out[2 * up] = mx + s * (ux - mx);
      out[2 * up + 1] = my + s * (uy - my);
      out[2 * low] = mx + s * (lx - mx);
      out[2 * low + 1] = my + s * (ly - my);
    }
  }
  return out;
}

/**
 * The story's openness as the child's eye shows it: at or above OPEN_DEADBAND the eye is simply
 * open (the landmark net's frame-to-frame noise on an open eye must never make the child's lids
 * flicker); at or below SHUT_BELOW it is shut (a blink seen at 30 fps is caught mid-way, at 0.1–0.3
 * of the drawn opening: shown as such, the child's eye kept a dark slit that neither a viewer nor
 * the eye model on a 15 px eye read as closed); a straight ramp between.
 */
export const OPEN_DEADBAND = 0.8;
export const SHUT_BELOW = 0.25;
export function shownOpenness(storyOpen: number): number {
  if (!(storyOpen < OPEN_DEADBAND)) return 1; // also NaN: no measurement, open
  return storyOpen <= SHUT_BELOW ? 0 : (storyOpen - SHUT_BELOW) / (OPEN_DEADBAND - SHUT_BELOW);
}

/**
 * Lid scale that gives an eye whose openness is `childOpen` (0..1, as photographed) the story's
 * openness `targetOpen` (as `shownOpenness` reads it): their ratio, never more than `maxOpen` (a
 * photographed eye cannot open much wider than the photo shows) and 1 when the child's openness is unknown.
 */
export function lidScale(targetOpen: number, childOpen: number, maxOpen = 1.1): number {
  if (!(childOpen > 0.05)) return 1;
  const s = shownOpenness(targetOpen) / childOpen;
  return s < 0 ? 0 : s > maxOpen ? maxOpen : s;
}

/**
 * An eye's surround: the ellipse through its 6-point contour (centre = the contour's mean, axes
 * along and across the eye line; semi-axes half the corner distance and the lid points' half gap
 * over sqrt(8/9), as an ellipse through points a third of the way from the centre to each corner
 * needs). The 68-point net draws a photo's eye as a hexagon a little inside the real eye: its
 * white and iris reach past the hexagon's edges towards the corners and under the lower lid. The
 * lid warp collapses only the hexagon, so a shut eye kept those bits as a pale or grey crescent
 * (docs/notes/2026-12-07-s8/blinks.md); they lie in the ring between the ellipse (ρ 1) and SURROUND_REACH.
 */
export interface EyeSurround {
  cx: number;
  cy: number;
  ux: number;
  uy: number;
  /** Semi-axis along the eye line. */
  a: number;
  /** Semi-axis across it, above the centre. */
  b: number;
  /** Semi-axis across it, below the centre: b × SURROUND_BELOW (the net's lower lid points sit highest above the real lid). */
  below: number;
}

/** Outer edge of the surround the shut eye covers with lid skin, in the ellipse's radius. */
export const SURROUND_REACH = 1.3;
/**
 * The ellipse's lower half over its upper: on both eval children's prepared faces the net's lower
 * lid points run through the iris, whose lower part and the white beside it reach about half a lid
 * gap further down, while the upper lid points sit on the lash line.
 */
export const SURROUND_BELOW = 1.7;
/** Width of the cover's soft outer edge, in the ellipse's radius. */
export const SURROUND_FEATHER = 0.12;

export function eyeSurround(landmarks: ArrayLike<number>, eye: 0 | 1, out?: EyeSurround): EyeSurround {
  const f = eyeFrame(landmarks, eye);
  const o = EYE_FIRST[eye];
  let cx = 0,
    cy = 0;
  for (let k = 0; k < 6; k++) {
    cx += landmarks[2 * (o + k)] / 6;
    cy += landmarks[2 * (o + k) + 1] / 6;
  }
  const s = out ?? { cx: 0, cy: 0, ux: 1, uy: 0, a: 0, b: 0, below: 0 };
  s.cx = cx;
  s.cy = cy;
  s.ux = f.ux;
  s.uy = f.uy;
  s.a = f.width / 2;
  s.b = f.gap / 2 / Math.sqrt(8 / 9);
  s.below = SURROUND_BELOW * s.b;
  return s;
}

/** The normalised radius of (x, y) in the surround's ellipse (1 on it; its lower half `below` deep; Infinity for a degenerate eye). */
export function surroundRadius(s: EyeSurround, x: number, y: number): number {
  if (!(s.a > 0 && s.b > 0 && s.below > 0)) return Infinity;
  const dx = x - s.cx,
    dy = y - s.cy;
  const n = -dx * s.uy + dy * s.ux;
  return Math.hypot((dx * s.ux + dy * s.uy) / s.a, n / (n > 0 ? s.below : s.b));
}

/** How much of the surround is covered at radius ρ: 1 inside, a linear edge over SURROUND_FEATHER, 0 beyond SURROUND_REACH. */
export function surroundWeight(rho: number): number {
  if (rho >= SURROUND_REACH) return 0;
  const edge = (SURROUND_REACH - rho) / SURROUND_FEATHER;
  return edge >= 1 ? 1 : edge;
}

/**
 * How far a lid scale (see `setEyelids`) shuts the eye's surround: none while the eye is at least
 * COVER_FROM open (its white and iris past the hexagon are the open eye's own), all of it from
 * COVER_FULL down (the hexagon has collapsed to a line), a ramp between.
 */
export const COVER_FROM = 0.6;
export const COVER_FULL = 0.1;
export function surroundCover(scale: number): number {
  if (!(scale < COVER_FROM)) return 0;
  return scale <= COVER_FULL ? 1 : (COVER_FROM - scale) / (COVER_FROM - COVER_FULL);
}

/** An iris in one eye: centre and radius in the same units as the landmarks. */
export interface Iris {
  x: number;
  y: number;
  r: number;
}

/**
 * The shift (dx, dy in landmark units) that moves `iris` from its gaze `from` to the gaze `to`
 * (each [x, y] in eye units: x along the eye line over the eye width, y down over the lid gap),
 * clamped so the moved iris centre stays inside the eye: along the eye line at least `0.8 r` from
 * each corner (an iris may tuck under a corner a little, never leave the eye), across it within
 * `maxDown` of the gap from the eye centre (a vertical gaze is mostly the lids' job).
 */
export function irisShift(
  frame: EyeFrame,
  iris: Iris,
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  out: Float32Array = new Float32Array(2),
  maxDown = 0.25,
): Float32Array {
  const du = (to[0] - from[0]) * frame.width;
  const dn = (to[1] - from[1]) * frame.gap;
  // Iris centre in the eye's frame, then the wanted one, clamped.
  const iu = (iris.x - frame.cx) * frame.ux + (iris.y - frame.cy) * frame.uy;
  const inn = (iris.x - frame.cx) * frame.nx + (iris.y - frame.cy) * frame.ny;
  const limU = Math.max(0, frame.width / 2 - 0.8 * iris.r);
  const limN = maxDown * frame.gap;
  const u = clamp(iu + du, -limU, limU);
  const n = clamp(inn + dn, -limN, limN);
  const su = u - iu,
    sn = n - inn;
  out[0] = su * frame.ux + sn * frame.nx;
  out[1] = su * frame.uy + sn * frame.ny;
  return out;
}

/** Gaze of an iris in its eye: [x along the eye line / width, y down / gap] from the eye centre. */
export function gazeOf(frame: EyeFrame, iris: { x: number; y: number }, out: Float32Array = new Float32Array(2)): Float32Array {
  const dx = iris.x - frame.cx,
    dy = iris.y - frame.cy;
  out[0] = frame.width > 0 ? (dx * frame.ux + dy * frame.uy) / frame.width : 0;
  out[1] = frame.gap > 0 ? (dx * frame.nx + dy * frame.ny) / frame.gap : 0;
  return out;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function dist(p: ArrayLike<number>, i: number, j: number): number {
  return Math.hypot(p[2 * i] - p[2 * j], p[2 * i + 1] - p[2 * j + 1]);
}
