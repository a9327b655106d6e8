// Turns one aligned child face (RGBA in the canonical S x S space + its 68 landmarks) into what
// the per-frame compositor needs: a 4:2:0 texture in the render's colour space, the mesh points
// and fixed triangulation, a soft canonical mask and the skin colour statistics (Lab and YUV).
// Runs once per face and render, never per frame. Must never touch files, sharp or ffmpeg.
import {
  bilinearFootprints, ChannelStats, createFloatPlane, FACE_OUTLINE, faceMeshPoints, faceMeshTriangles, faceTriangles, featherMask,
  FloatPlane, gatherPoints, LANDMARK_COUNT, PolygonRasterizer, rgbaToYuv420, Yuv420, YuvMatrix, YuvRange,
} from '@talecast/geometry';
import { skinStatsLab, skinStatsYuv } from './skin-stats';
import { stylizeToon, ToonOptions } from './toon-style';

export type FaceStyle = 'photo' | 'toon';

export interface PrepareFaceInput {
  /** The aligned face, RGBA, `size` x `size` (the canonical space). Alpha limits the mask. */
  rgba: Uint8Array;
  size: number;
  /** 68 landmarks in the canonical space (Float32Array(136)). */
  landmarks: Float32Array;
  /** The render's (frames') YUV matrix and range. */
  matrix: YuvMatrix;
  range: YuvRange;
  style: FaceStyle;
  /** Mask feather box radius in canonical pixels (default size / 85, about 6 at 512). */
  featherRadius?: number;
  toon?: ToonOptions;
}

export interface PreparedFace {
  size: number;
  matrix: YuvMatrix;
  range: YuvRange;
  style: FaceStyle;
  /** The (possibly stylised) face as planar 4:2:0: Y size x size, chroma size/2 x size/2. */
  texture: Yuv420;
  landmarks: Float32Array;
  /** Canonical mesh points (landmarks + forehead and outer points), see `faceMeshPoints`. */
  meshPoints: Float32Array;
  /** The whole mesh's triangulation (outline and outer ring included). */
  triangles: Uint32Array;
  /** The triangles inside the face outline: the only ones where the mask is non-zero, and so the
   *  only ones a frame needs to warp. */
  faceTriangles: Uint32Array;
  /** Soft mask, size x size: the face outline incl. forehead, feathered inwards to 0 at the outline. */
  mask: FloatPlane;
  /** Per mask pixel: FOOTPRINT_ZERO / _ONE / _MIXED, so frames skip bilinear mask samples where it is flat. */
  maskFootprints: Uint8Array;
  /** Skin statistics (outline minus eyes, brows, inner mouth): Lab, and [Y, Cb, Cr] in matrix/range. */
  skinLab: ChannelStats;
  skinYuv: ChannelStats;
}

export function prepareFace(input: PrepareFaceInput): PreparedFace {
  const { size, landmarks } = input;
  if (!Number.isInteger(size) || size < 16 || size % 2 !== 0) throw new RangeError('face size must be an even integer >= 16');
  if (input.rgba.length !== size * size * 4) throw new RangeError(`expected ${size}x${size} RGBA`);
  if (landmarks.length !== LANDMARK_COUNT * 2) throw new RangeError('expected 68 landmarks');

  const rgba = input.style === 'toon' ? stylizeToon(input.rgba, size, size, input.toon) : input.rgba;
  const texture = rgbaToYuv420(rgba, size, size, input.matrix, input.range);
  const meshPoints = faceMeshPoints(landmarks);
  const triangles = faceMeshTriangles(meshPoints);
  const mask = canonicalMask(rgba, size, meshPoints, input.featherRadius ?? Math.max(1, Math.round(size / 85)));
  return {
    size,
    matrix: input.matrix,
    range: input.range,
    style: input.style,
    texture,
    landmarks: Float32Array.from(landmarks),
    meshPoints,
    triangles,
    faceTriangles: faceTriangles(meshPoints, triangles),
    mask,
    maskFootprints: bilinearFootprints(mask),
    skinLab: skinStatsLab(rgba, size, size, landmarks),
    skinYuv: skinStatsYuv(texture, landmarks),
  };
}

/**
 * The outline polygon, feathered with three box passes and remapped by 2m − 1 so the soft edge
 * lies entirely inside the outline (0 on it): the mesh's outer ring then always covers the whole
 * ramp and no hard edge appears where the warp's coverage ends. Limited by the face's alpha.
 */
function canonicalMask(rgba: Uint8Array, size: number, meshPoints: Float32Array, radius: number): FloatPlane {
  const mask = createFloatPlane(size, size);
  new PolygonRasterizer().fill(mask, gatherPoints(meshPoints, FACE_OUTLINE));
  featherMask(mask, radius);
  const d = mask.data;
  for (let k = 0; k < d.length; k++) {
    const m = 2 * d[k] - 1;
    const alpha = rgba[4 * k + 3] / 255;
    const v = m < alpha ? m : alpha;
    d[k] = v > 0 ? v : 0;
  }
  return mask;
}
