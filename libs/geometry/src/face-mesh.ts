// The face mesh: 68 iBUG/dlib-order landmarks (face-api's order) plus extra outer points (a
// forehead arc and a ring just outside the face) built by one geometric rule, so the same call on
// the canonical face and on a frame's landmarks gives corresponding points; the fixed triangulation
// and named index lists over them; pose and openness estimates from the landmarks.
// Must never look at pixels or hold state; everything here is a function of the landmarks.
import { delaunayTriangulate } from './delaunay';
import { gatherPoints, pointInPolygon } from './polygon';

export const LANDMARK_COUNT = 68;

// Landmark groups (subject's right = image left for a frontal face).
export const JAW = range(0, 17);
export const RIGHT_BROW = range(17, 22);
export const LEFT_BROW = range(22, 27);
export const NOSE = range(27, 36);
export const RIGHT_EYE = range(36, 42);
export const LEFT_EYE = range(42, 48);
export const OUTER_LIP = range(48, 60);
export const INNER_MOUTH = range(60, 68);

/** Forehead arc points, ordered from the landmark-16 side over the top to the landmark-0 side. */
export const FOREHEAD_ARC_COUNT = 7;
/** Jaw landmarks that get a companion point just outside the face. */
export const OUTER_JAW_SOURCES = Uint32Array.of(0, 2, 4, 6, 8, 10, 12, 14, 16);

export const FOREHEAD_ARC = range(68, 68 + FOREHEAD_ARC_COUNT);
export const OUTER_JAW = range(FOREHEAD_ARC[FOREHEAD_ARC.length - 1] + 1, FOREHEAD_ARC[FOREHEAD_ARC.length - 1] + 1 + OUTER_JAW_SOURCES.length);
export const OUTER_ARC = range(OUTER_JAW[OUTER_JAW.length - 1] + 1, OUTER_JAW[OUTER_JAW.length - 1] + 1 + FOREHEAD_ARC_COUNT);
/** Number of points `faceMeshPoints` returns (68 landmarks + extra points). */
export const FACE_MESH_POINT_COUNT = OUTER_ARC[OUTER_ARC.length - 1] + 1;

/** The face outline for masks: jaw 0→16, then the forehead arc back to 0. */
export const FACE_OUTLINE = Uint32Array.from([...JAW, ...FOREHEAD_ARC]);
/** The mesh's outer boundary (a little outside FACE_OUTLINE), same turning sense. */
export const MESH_OUTLINE = Uint32Array.from([...OUTER_JAW, ...OUTER_ARC]);

/** Forehead height above the eye line, as a fraction of the brow-to-chin distance. */
export const FOREHEAD_RATIO = 0.6;
/** How far the outer ring sits outside the face, as a fraction of the distance from its centre. */
export const OUTER_MARGIN = 0.12;

/** A face's local frame: eye-line direction `u` (image-right when upright) and up direction `n`. */
interface FaceFrame {
  ux: number;
  uy: number;
  nx: number;
  ny: number;
}

/**
 * The 68 landmarks followed by FOREHEAD_ARC (an ellipse arc above the eyes, as wide as the jaw
 * ends and FOREHEAD_RATIO × brow-to-chin tall), OUTER_JAW and OUTER_ARC (the jaw and the arc
 * pushed out by OUTER_MARGIN from the face centre). Pure function of the landmarks' geometry.
 */
export function faceMeshPoints(landmarks: ArrayLike<number>, out?: Float32Array): Float32Array {
  if (landmarks.length < LANDMARK_COUNT * 2) throw new RangeError(`need ${LANDMARK_COUNT} landmarks`);
  const pts = out ?? new Float32Array(FACE_MESH_POINT_COUNT * 2);
  if (pts.length < FACE_MESH_POINT_COUNT * 2) throw new RangeError('output too small for the face mesh');
  for (let i = 0; i < LANDMARK_COUNT * 2; i++) pts[i] = landmarks[i];

  const f = faceFrame(landmarks);
  const lx = (i: number) => landmarks[2 * i];
  const ly = (i: number) => landmarks[2 * i + 1];
  const [cx, cy] = foreheadArcCentre(landmarks);
  const halfWidth = Math.abs((lx(16) - lx(0)) * f.ux + (ly(16) - ly(0)) * f.uy) / 2;
  let bmx = 0,
    bmy = 0;
  for (let i = 17; i < 27; i++) {
    bmx += lx(i);
    bmy += ly(i);
  }
  bmx /= 10;
  bmy /= 10;
  const browToChin = Math.max(0, (bmx - lx(8)) * f.nx + (bmy - ly(8)) * f.ny);
  const height = FOREHEAD_RATIO * browToChin;

  for (let k = 0; k < FOREHEAD_ARC_COUNT; k++) {
    const t = (Math.PI * (k + 1)) / (FOREHEAD_ARC_COUNT + 1);
    const du = Math.cos(t) * halfWidth;
    const dn = Math.sin(t) * height;
    const ix = FOREHEAD_ARC[k],
      ox = OUTER_ARC[k];
    pts[2 * ix] = cx + du * f.ux + dn * f.nx;
    pts[2 * ix + 1] = cy + du * f.uy + dn * f.ny;
    pts[2 * ox] = cx + (1 + OUTER_MARGIN) * (du * f.ux + dn * f.nx);
    pts[2 * ox + 1] = cy + (1 + OUTER_MARGIN) * (du * f.uy + dn * f.ny);
  }
  // Face centre for the jaw ring: halfway between the eye line and the chin.
  const fx = (cx + lx(8)) / 2;
  const fy = (cy + ly(8)) / 2;
  for (let k = 0; k < OUTER_JAW_SOURCES.length; k++) {
    const j = OUTER_JAW_SOURCES[k];
    const o = OUTER_JAW[k];
    pts[2 * o] = lx(j) + OUTER_MARGIN * (lx(j) - fx);
    pts[2 * o + 1] = ly(j) + OUTER_MARGIN * (ly(j) - fy);
  }
  return pts;
}

/** The forehead arc's centre: the midpoint of the jaw ends, moved along the face's up direction onto the eye line. */
export function foreheadArcCentre(landmarks: ArrayLike<number>): [number, number] {
  const f = faceFrame(landmarks);
  const [ex, ey] = eyeMidpoint(landmarks);
  const cx = (landmarks[0] + landmarks[32]) / 2;
  const cy = (landmarks[1] + landmarks[33]) / 2;
  const lift = (ex - cx) * f.nx + (ey - cy) * f.ny;
  return [cx + lift * f.nx, cy + lift * f.ny];
}

/**
 * Moves each forehead arc point (and its outer-ring companion) towards the arc's centre to
 * `scales[k]` of its distance (1: where `faceMeshPoints` put it), in place. Lets a face's mesh end
 * where its own forehead skin ends (below the hairline), while another face's mesh keeps the rule:
 * the warp between them then stretches the one's forehead skin over the other's forehead.
 */
export function scaleForeheadArc(meshPoints: Float32Array, scales: ArrayLike<number>): Float32Array {
  if (scales.length !== FOREHEAD_ARC_COUNT) throw new RangeError(`need ${FOREHEAD_ARC_COUNT} scales`);
  const [cx, cy] = foreheadArcCentre(meshPoints);
  for (let k = 0; k < FOREHEAD_ARC_COUNT; k++) {
    const s = scales[k];
    const a = FOREHEAD_ARC[k],
      o = OUTER_ARC[k];
    const dx = meshPoints[2 * a] - cx,
      dy = meshPoints[2 * a + 1] - cy;
    meshPoints[2 * a] = cx + s * dx;
    meshPoints[2 * a + 1] = cy + s * dy;
    meshPoints[2 * o] = cx + (1 + OUTER_MARGIN) * s * dx;
    meshPoints[2 * o + 1] = cy + (1 + OUTER_MARGIN) * s * dy;
  }
  return meshPoints;
}

/**
 * Moves the jaw (and its outer-ring companions) outwards from the forehead arc's centre, in place:
 * landmark j by `grow` × |j − 8| / 8 of its distance (the jaw's ends by the whole share, none at the
 * chin). Inner points and the forehead arc stay.
 */
export function growJaw(meshPoints: Float32Array, grow: number): Float32Array {
  const [cx, cy] = foreheadArcCentre(meshPoints);
  const push = (i: number, g: number) => {
    meshPoints[2 * i] = cx + (1 + g) * (meshPoints[2 * i] - cx);
    meshPoints[2 * i + 1] = cy + (1 + g) * (meshPoints[2 * i + 1] - cy);
  };
  for (let j = 0; j < 17; j++) push(j, (grow * Math.abs(j - 8)) / 8);
  for (let k = 0; k < OUTER_JAW_SOURCES.length; k++) push(OUTER_JAW[k], (grow * Math.abs(OUTER_JAW_SOURCES[k] - 8)) / 8);
  return meshPoints;
}

/**
 * The fixed triangulation of the mesh, built once from a canonical layout (the output of
 * `faceMeshPoints` on canonical landmarks). The face outline and the contours of the eyes, the
 * outer lips and the inner mouth are forced to be mesh edges, and a closed mouth is first parted
 * a little, so no triangle bridges the lips or an eyelid (the triangles stay valid while a
 * frame's mouth opens and its eyes blink) and every triangle is either inside the face outline
 * or in the outer ring (see `faceTriangles`).
 */
export function faceMeshTriangles(canonicalPoints: ArrayLike<number>): Uint32Array {
  if (canonicalPoints.length < FACE_MESH_POINT_COUNT * 2) throw new RangeError('need the full face mesh');
  const pts = Float64Array.from(Array.prototype.slice.call(canonicalPoints, 0, FACE_MESH_POINT_COUNT * 2) as number[]);
  const f = faceFrame(pts);
  const outerHeight = (pts[2 * 51] - pts[2 * 57]) * f.nx + (pts[2 * 51 + 1] - pts[2 * 57 + 1]) * f.ny;
  const half = (Math.max(0, outerHeight) * MIN_LAYOUT_LIP_GAP) / 2;
  for (const [upper, lower] of [
    [61, 67],
    [62, 66],
    [63, 65],
  ]) {
    const gap = (pts[2 * upper] - pts[2 * lower]) * f.nx + (pts[2 * upper + 1] - pts[2 * lower + 1]) * f.ny;
    if (gap >= 2 * half) continue;
    const mx = (pts[2 * upper] + pts[2 * lower]) / 2;
    const my = (pts[2 * upper + 1] + pts[2 * lower + 1]) / 2;
    pts[2 * upper] = mx + half * f.nx;
    pts[2 * upper + 1] = my + half * f.ny;
    pts[2 * lower] = mx - half * f.nx;
    pts[2 * lower + 1] = my - half * f.ny;
  }
  return delaunayTriangulate(pts, MESH_CONSTRAINTS);
}

/** Smallest inner-lip gap, as a fraction of the outer lip height, in the triangulation layout. */
const MIN_LAYOUT_LIP_GAP = 0.3;

/** Closed contours whose edges the triangulation must keep. */
const MESH_CONSTRAINTS = Uint32Array.from(
  [FACE_OUTLINE, RIGHT_EYE, LEFT_EYE, OUTER_LIP, INNER_MOUTH].flatMap((ring) => {
    const pairs: number[] = [];
    for (let k = 0; k < ring.length; k++) pairs.push(ring[k], ring[(k + 1) % ring.length]);
    return pairs;
  }),
);

/**
 * The triangles inside FACE_OUTLINE (where a face mask can be non-zero), for warps that need not
 * visit the outer ring; a subset of `triangles` from `faceMeshTriangles`.
 */
export function faceTriangles(canonicalPoints: ArrayLike<number>, triangles: ArrayLike<number>): Uint32Array {
  const outline = gatherPoints(canonicalPoints, FACE_OUTLINE);
  const inside: number[] = [];
  for (let t = 0; t + 2 < triangles.length; t += 3) {
    const a = triangles[t],
      b = triangles[t + 1],
      c = triangles[t + 2];
    const cx = (canonicalPoints[2 * a] + canonicalPoints[2 * b] + canonicalPoints[2 * c]) / 3;
    const cy = (canonicalPoints[2 * a + 1] + canonicalPoints[2 * b + 1] + canonicalPoints[2 * c + 1]) / 3;
    if (pointInPolygon(outline, cx, cy)) inside.push(a, b, c);
  }
  return Uint32Array.from(inside);
}

/**
 * The landmarks with each eye's six contour points scaled by `factor` about that eye's centroid
 * (corners and lids alike, so the eye's openness is kept); every other point copied. `out` may be
 * `landmarks`.
 */
export function scaleEyes(landmarks: ArrayLike<number>, factor: number, out: Float32Array): Float32Array {
  if (out !== landmarks) for (let i = 0; i < LANDMARK_COUNT * 2; i++) out[i] = landmarks[i];
  for (const eye of [RIGHT_EYE, LEFT_EYE]) {
    const [cx, cy] = centroid(out, eye);
    for (let k = 0; k < eye.length; k++) {
      const i = eye[k];
      out[2 * i] = cx + factor * (out[2 * i] - cx);
      out[2 * i + 1] = cy + factor * (out[2 * i + 1] - cy);
    }
  }
  return out;
}

/** Head roll in degrees: the eye line's angle; positive turns clockwise on screen (y down). */
export function estimateRoll(landmarks: ArrayLike<number>): number {
  const [rx, ry] = centroid(landmarks, RIGHT_EYE);
  const [lx, ly] = centroid(landmarks, LEFT_EYE);
  return (Math.atan2(ly - ry, lx - rx) * 180) / Math.PI;
}

/**
 * Rough head yaw in degrees, positive when the nose points towards image-right. The nose tip's
 * offset from the middle of the face (mean of the jaw-end and outer-eye-corner midpoints) along
 * the eye line, over half the jaw width, is ≈ tan(yaw) on a cylinder-like head; atan maps it back.
 */
export function estimateYaw(landmarks: ArrayLike<number>): number {
  const f = faceFrame(landmarks);
  const l = landmarks;
  const mx = ((l[0] + l[32]) / 2 + (l[72] + l[90]) / 2) / 2;
  const my = ((l[1] + l[33]) / 2 + (l[73] + l[91]) / 2) / 2;
  const offset = (l[60] - mx) * f.ux + (l[61] - my) * f.uy;
  const halfWidth = Math.abs((l[32] - l[0]) * f.ux + (l[33] - l[1]) * f.uy) / 2;
  if (!(halfWidth > 0)) return 0;
  return (Math.atan(offset / halfWidth / YAW_GAIN) * 180) / Math.PI;
}
/** Normalised nose offset at 45° on the reference head model. */
const YAW_GAIN = 0.9;

/**
 * The eyes' spacing over the nose tip's drop below their midpoint (across the eye line). A head
 * turning away shortens the spacing by about cos(yaw) and leaves the drop; looking up or down only
 * lengthens the drop (the nose juts out) by at most ~12 %. NaN when the nose is not below the eyes.
 */
export function eyeSpacingOverNoseDrop(landmarks: ArrayLike<number>): number {
  const [rx, ry] = centroid(landmarks, RIGHT_EYE);
  const [lx, ly] = centroid(landmarks, LEFT_EYE);
  const spacing = Math.hypot(lx - rx, ly - ry);
  if (!(spacing > 0)) return NaN;
  const ux = (lx - rx) / spacing,
    uy = (ly - ry) / spacing;
  const drop = -(landmarks[60] - (rx + lx) / 2) * uy + (landmarks[61] - (ry + ly) / 2) * ux;
  return drop > 0 ? spacing / drop : NaN;
}

/** Yaw in degrees (unsigned) from how much the eye spacing has shrunk against the face's frontal ratio. */
export function foreshortenedYaw(ratio: number, frontalRatio: number): number {
  if (!(ratio > 0 && frontalRatio > 0)) return 0;
  return (Math.acos(Math.min(1, ratio / frontalRatio)) * 180) / Math.PI;
}

/**
 * The yaw to use: the nose-offset estimate, unless the foreshortening says the head is turned
 * further and at least FORESHORTENED_YAW_FROM degrees. The landmark network keeps a turning drawn
 * face's nose near the middle: in the tale's turn to profile (1280x720) it read 27–59° where the
 * character was at 64–84°, and the child's frontal face was put on a head in profile. Below 45°
 * the foreshortening is within the landmarks' noise on drawn faces (it read 40–44° for a face at
 * 30° and for a face half behind a branch).
 */
export function turnedYaw(noseYaw: number, foreshortened: number): number {
  if (!(foreshortened >= FORESHORTENED_YAW_FROM) || foreshortened <= Math.abs(noseYaw)) return noseYaw;
  return (noseYaw < 0 ? -1 : 1) * foreshortened;
}
/** See turnedYaw. */
export const FORESHORTENED_YAW_FROM = 45;

/** Inner-lip gap over mouth width (outer corners): ~0 closed, ~0.3+ wide open. */
export function mouthOpenness(landmarks: ArrayLike<number>): number {
  const width = dist(landmarks, 48, 54);
  if (!(width > 0)) return 0;
  return (dist(landmarks, 61, 67) + dist(landmarks, 62, 66) + dist(landmarks, 63, 65)) / 3 / width;
}

/** Inner-lip pairs (upper, lower) whose gaps `mouthOpenness` averages, and the outer lip points that follow each. */
const LIP_PAIRS: readonly (readonly [number, number, number, number])[] = [
  [61, 67, 50, 58],
  [62, 66, 51, 57],
  [63, 65, 52, 56],
];
/** Share of an opening change taken by the lower lip (the jaw drops; the upper lip moves less). */
const LOWER_LIP_SHARE = 0.65;

/**
 * Moves the lips of `landmarks` (in place) so that its `mouthOpenness` becomes `openness`, keeping
 * its mouth's width, corners and shape: each inner-lip gap is scaled by the same factor (or, from
 * a closed mouth, opened evenly), the lower lip taking LOWER_LIP_SHARE of the change along the
 * face's down direction, the outer lip points beside each pair moving with it (49, 53, 55, 59 by
 * half). So a mouth in the child's own shape opens and closes as the story's does.
 */
export function openMouthTo(landmarks: Float32Array, openness: number): Float32Array {
  const width = dist(landmarks, 48, 54);
  if (!(width > 0) || !(openness >= 0)) return landmarks;
  const down = faceDown(landmarks);
  if (!down) return landmarks;
  const gaps = LIP_PAIRS.map(([u, l]) => Math.max(0, lipPairGap(landmarks, u, l, down)));
  const current = (gaps[0] + gaps[1] + gaps[2]) / 3;
  const wanted = openness * width;
  const scale = current > 1e-3 * width ? wanted / current : 1;
  return moveLips(
    landmarks,
    gaps.map((g) => (current > 1e-3 * width ? g * scale - g : wanted - g)),
    down,
  );
}

/**
 * The mean inner-lip gap along the face's down over the mouth's width, signed: unlike
 * `mouthOpenness` (distances), a pair the landmark net put crossed (the lower inner lip above the
 * upper, as it does on pressed lips) counts as less than closed, not as open. NaN without a face.
 */
export function signedLipGap(landmarks: ArrayLike<number>): number {
  const width = dist(landmarks, 48, 54);
  const down = faceDown(landmarks);
  if (!(width > 0) || !down) return NaN;
  return LIP_PAIRS.reduce((sum, [u, l]) => sum + lipPairGap(landmarks, u, l, down), 0) / 3 / width;
}

/**
 * Closes the inner lips (in place): each pair's gap along the face's down becomes 0, a crossed pair
 * is uncrossed, moved as openMouthTo moves them; then the pair's two points meet across too (each
 * half way), so the inner mouth has no area left for an interior to be drawn in.
 */
export function closeMouth(landmarks: Float32Array): Float32Array {
  const down = faceDown(landmarks);
  if (!down) return landmarks;
  moveLips(
    landmarks,
    LIP_PAIRS.map(([u, l]) => -lipPairGap(landmarks, u, l, down)),
    down,
  );
  for (const [u, l] of LIP_PAIRS) {
    const mx = (landmarks[2 * u] + landmarks[2 * l]) / 2,
      my = (landmarks[2 * u + 1] + landmarks[2 * l + 1]) / 2;
    landmarks[2 * u] = landmarks[2 * l] = mx;
    landmarks[2 * u + 1] = landmarks[2 * l + 1] = my;
  }
  return landmarks;
}

/** Down in the face: the eye line turned by +90° (image y grows downwards); null without eyes. */
function faceDown(landmarks: ArrayLike<number>): [number, number] | null {
  const [rx, ry] = centroid(landmarks, RIGHT_EYE);
  const [lx, ly] = centroid(landmarks, LEFT_EYE);
  const len = Math.hypot(lx - rx, ly - ry);
  return len > 0 ? [-(ly - ry) / len, (lx - rx) / len] : null;
}

/** Signed gap of an inner-lip pair along `down` (lower minus upper), in pixels. */
function lipPairGap(landmarks: ArrayLike<number>, upper: number, lower: number, [dx, dy]: [number, number]): number {
  return (landmarks[2 * lower] - landmarks[2 * upper]) * dx + (landmarks[2 * lower + 1] - landmarks[2 * upper + 1]) * dy;
}

/** Changes each LIP_PAIRS gap by `moves` (pixels along `down`): the lower lip takes LOWER_LIP_SHARE, the outer lip points beside each pair follow (49, 53, 55, 59 by half). */
function moveLips(landmarks: Float32Array, moves: number[], [dx, dy]: [number, number]): Float32Array {
  const shift = (i: number, amount: number) => {
    landmarks[2 * i] += amount * dx;
    landmarks[2 * i + 1] += amount * dy;
  };
  LIP_PAIRS.forEach(([u, l, ou, ol], k) => {
    const m = moves[k];
    shift(u, -(1 - LOWER_LIP_SHARE) * m);
    shift(ou, -(1 - LOWER_LIP_SHARE) * m);
    shift(l, LOWER_LIP_SHARE * m);
    shift(ol, LOWER_LIP_SHARE * m);
  });
  shift(49, (-(1 - LOWER_LIP_SHARE) * moves[0]) / 2);
  shift(53, (-(1 - LOWER_LIP_SHARE) * moves[2]) / 2);
  shift(59, (LOWER_LIP_SHARE * moves[0]) / 2);
  shift(55, (LOWER_LIP_SHARE * moves[2]) / 2);
  return landmarks;
}

/** Eye aspect ratio (Soukupová & Čech), both eyes averaged: ~0.25–0.35 open, < 0.15 closed. */
export function eyeOpenness(landmarks: ArrayLike<number>): number {
  const ear = (o: number) => {
    const w = dist(landmarks, o, o + 3);
    return w > 0 ? (dist(landmarks, o + 1, o + 5) + dist(landmarks, o + 2, o + 4)) / (2 * w) : 0;
  };
  return (ear(36) + ear(42)) / 2;
}

/** Distance between the eye centres of a 68-point face: the unit of every face-relative measure. */
export function interOcularDistance(landmarks: ArrayLike<number>): number {
  const [rx, ry] = centroid(landmarks, RIGHT_EYE);
  const [lx, ly] = centroid(landmarks, LEFT_EYE);
  return Math.hypot(lx - rx, ly - ry);
}

/** Mean of the given landmarks. */
export function centroid(points: ArrayLike<number>, indices: ArrayLike<number>): [number, number] {
  let x = 0,
    y = 0;
  for (let k = 0; k < indices.length; k++) {
    x += points[2 * indices[k]];
    y += points[2 * indices[k] + 1];
  }
  return [x / indices.length, y / indices.length];
}

function eyeMidpoint(landmarks: ArrayLike<number>): [number, number] {
  const [rx, ry] = centroid(landmarks, RIGHT_EYE);
  const [lx, ly] = centroid(landmarks, LEFT_EYE);
  return [(rx + lx) / 2, (ry + ly) / 2];
}

function faceFrame(landmarks: ArrayLike<number>): FaceFrame {
  const [rx, ry] = centroid(landmarks, RIGHT_EYE);
  const [lx, ly] = centroid(landmarks, LEFT_EYE);
  let ux = lx - rx,
    uy = ly - ry;
  const len = Math.hypot(ux, uy);
  if (len > 0) {
    ux /= len;
    uy /= len;
  } else {
    ux = 1;
    uy = 0;
  }
  return { ux, uy, nx: uy, ny: -ux };
}

function dist(p: ArrayLike<number>, i: number, j: number): number {
  return Math.hypot(p[2 * i] - p[2 * j], p[2 * i + 1] - p[2 * j + 1]);
}

function range(from: number, to: number): Uint32Array {
  return Uint32Array.from({ length: to - from }, (_, k) => from + k);
}
