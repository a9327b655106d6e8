// One face, not two: the child's texture is made to hold skin wherever the character's face may
// need it. Once per prepared face: how far up the child's own forehead skin reaches along each
// forehead-arc ray (the mesh's arc is then moved there, so the warp stretches the child's forehead
// skin over the character's taller forehead instead of leaving the character's skin showing), and
// a copy of the texture with everything that is not skin (hair at the hairline, an ear, an earring,
// background at the cheek) replaced by the child's own skin colour spread in from around it.
// Pure: arrays in, arrays out.
import { FloatPlane, FOREHEAD_ARC, FOREHEAD_ARC_COUNT, foreheadArcCentre, pushPullFill } from '@talecast/geometry';

/** Skin likelihood above which a pixel counts as skin when looking for the hairline. */
const SKIN_EDGE = 0.5;
/** The arc is put this share inside the skin's extent (the last pixels before hair are mixed). */
const HAIRLINE_MARGIN = 0.92;
/** Every arc point stays at least this share of the arc's height above the eye line, so no forehead
 *  triangle folds over the brows (the brows sit at about a third of it). */
const MIN_ARC_HEIGHT = 0.5;

/**
 * Per forehead arc point: the share of its distance from the arc centre that the face's own skin
 * covers (walking out from the centre, the first point where `skin` falls below SKIN_EDGE, times
 * HAIRLINE_MARGIN), clamped to [the lowest that keeps the arc above the brows, 1].
 */
export function foreheadSkinScales(skin: FloatPlane, meshPoints: ArrayLike<number>): Float32Array {
  const [cx, cy] = foreheadArcCentre(meshPoints);
  const out = new Float32Array(FOREHEAD_ARC_COUNT);
  for (let k = 0; k < FOREHEAD_ARC_COUNT; k++) {
    const a = FOREHEAD_ARC[k];
    const dx = meshPoints[2 * a] - cx,
      dy = meshPoints[2 * a + 1] - cy;
    // The ray's angle over the eye line: sin(t) of the ellipse parameter (see faceMeshPoints).
    const sinT = Math.sin((Math.PI * (k + 1)) / (FOREHEAD_ARC_COUNT + 1));
    const lowest = Math.min(1, MIN_ARC_HEIGHT / sinT);
    const steps = Math.max(8, Math.ceil(Math.hypot(dx, dy)));
    let reach = 1;
    for (let s = Math.floor(0.3 * steps); s <= steps; s++) {
      const t = s / steps;
      if (sampleNearest(skin, cx + t * dx, cy + t * dy) < SKIN_EDGE) {
        reach = t;
        break;
      }
    }
    const scale = reach * HAIRLINE_MARGIN;
    out[k] = reach >= 1 ? 1 : scale < lowest ? lowest : scale;
  }
  return out;
}

/**
 * The RGBA face with its non-skin pixels replaced by its own skin colour: a push-pull fill of the
 * colours weighted by `skin` (1 skin .. 0 not, by colour alone), blended back by `keep` (the same with
 * the features kept), so skin and features stay exactly as they were and hair or background become
 * the smooth skin colour of the nearest skin around them, never a feature's colour. Opaque out.
 */
export function fillWithSkin(rgba: Uint8Array, size: number, skin: FloatPlane, keep: FloatPlane = skin): Uint8Array {
  const n = size * size;
  if (skin.width !== size || skin.height !== size || keep.width !== size || keep.height !== size || rgba.length !== 4 * n)
    throw new RangeError('fillWithSkin: size mismatch');
  const rgb = new Float32Array(3 * n);
  const weights = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    rgb[3 * k] = rgba[4 * k];
    rgb[3 * k + 1] = rgba[4 * k + 1];
    rgb[3 * k + 2] = rgba[4 * k + 2];
    // Only opaque pixels are known skin (the aligned photo's padding is transparent).
    const s = skin.data[k];
    weights[k] = rgba[4 * k + 3] === 255 && s > 0 ? s : 0;
  }
  const filled = pushPullFill(rgb, weights, size, size, 3);
  const out = new Uint8Array(4 * n);
  for (let k = 0; k < n; k++) {
    const w = rgba[4 * k + 3] === 255 ? keep.data[k] : 0;
    for (let c = 0; c < 3; c++) {
      const v = w * rgba[4 * k + c] + (1 - w) * filled[3 * k + c];
      out[4 * k + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
    out[4 * k + 3] = 255;
  }
  return out;
}

function sampleNearest(p: FloatPlane, x: number, y: number): number {
  const i = Math.floor(x),
    j = Math.floor(y);
  if (i < 0 || j < 0 || i >= p.width || j >= p.height) return 0;
  return p.data[j * p.width + i];
}
