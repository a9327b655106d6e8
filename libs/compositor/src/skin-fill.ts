// One face, not two: the child's texture is made to hold skin wherever the character's face may
// need it. Once per prepared face: how far up the child's own forehead skin reaches along each
// forehead-arc ray (the mesh's arc is then moved there, so the warp stretches the child's forehead
// skin over the character's taller forehead instead of leaving the character's skin showing), and
// a copy of the texture with everything that is not skin (hair at the hairline, an ear, an earring,
// background at the cheek) replaced by the child's own skin colour spread in from around it.
// Pure: arrays in, arrays out.
import { featherMask, FloatPlane, FOREHEAD_ARC, FOREHEAD_ARC_COUNT, foreheadArcCentre, pushPullFill } from '@talecast/geometry';

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
 * the smooth skin colour of the nearest skin around them, never a feature's colour. With `detail` > 0 the
 * filled pixels also get that share of the child's own skin grain (see skinGrain). Opaque out.
 */
export function fillWithSkin(rgba: Uint8Array, size: number, skin: FloatPlane, keep: FloatPlane = skin, detail = 0): Uint8Array {
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
  const grain = detail > 0 ? skinGrain(rgba, size, weights) : null;
  const out = new Uint8Array(4 * n);
  for (let k = 0; k < n; k++) {
    const w = rgba[4 * k + 3] === 255 ? keep.data[k] : 0;
    const g = grain ? detail * grain[k] : 0;
    for (let c = 0; c < 3; c++) {
      const v = w * rgba[4 * k + c] + (1 - w) * (filled[3 * k + c] + g);
      out[4 * k + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
    out[4 * k + 3] = 255;
  }
  return out;
}

/**
 * The child's own skin grain for every pixel: the luma's fine detail (luma minus its blur over about
 * a pore's neighbourhood) of one square patch of pure skin (a cheek, typically), tiled over the whole
 * face, each tile turned one of eight ways. The patch is, of the patches that are skin throughout, the one whose detail is of
 * median strength (the smoothest is a flat highlight, the strongest holds a crease). Zero where there
 * is no such patch. Put into the filled pixels, the fill has the child's skin texture instead of a
 * smooth wash of colour (it looked smeared at full size on a drawn head).
 */
function skinGrain(rgba: Uint8Array, size: number, skin: Float32Array): Float32Array {
  const n = size * size;
  const out = new Float32Array(n);
  const luma: FloatPlane = { data: new Float32Array(n), width: size, height: size };
  for (let k = 0; k < n; k++) luma.data[k] = 0.299 * rgba[4 * k] + 0.587 * rgba[4 * k + 1] + 0.114 * rgba[4 * k + 2];
  // featherMask clamps to [0, 1]: blur the luma in units of 255.
  const blur: FloatPlane = { data: Float32Array.from(luma.data, (v) => v / 255), width: size, height: size };
  featherMask(blur, Math.max(1, Math.round(size / GRAIN_BLUR_PER_SIZE)));
  const fine = new Float32Array(n);
  for (let k = 0; k < n; k++) fine[k] = luma.data[k] - 255 * blur.data[k];
  const side = Math.max(4, Math.round(size / GRAIN_PATCH_PER_SIZE));
  const step = Math.max(1, side >> 1);
  const candidates: { x: number; y: number; energy: number }[] = [];
  for (let y = 0; y + side <= size; y += step) {
    for (let x = 0; x + side <= size; x += step) {
      let all = true,
        energy = 0;
      for (let j = y; j < y + side && all; j++) {
        for (let i = x; i < x + side; i++) {
          const k = j * size + i;
          if (skin[k] < 0.99) {
            all = false;
            break;
          }
          energy += fine[k] * fine[k];
        }
      }
      if (all) candidates.push({ x, y, energy });
    }
  }
  if (!candidates.length) return out;
  candidates.sort((a, b) => a.energy - b.energy);
  const { x: px, y: py } = candidates[candidates.length >> 1];
  // Tiled with each tile turned one of the square's 8 ways (a fixed hash of the tile's place): a patch repeated
  // as it is, or mirrored, shows its strongest line as a regular stripe pattern across the fill.
  for (let y = 0; y < size; y++) {
    const ty = Math.floor(y / side),
      v = y - ty * side;
    for (let x = 0; x < size; x++) {
      const tx = Math.floor(x / side),
        u = x - tx * side;
      const turn = tileTurn(tx, ty);
      let a = turn & 4 ? v : u,
        b = turn & 4 ? u : v;
      if (turn & 1) a = side - 1 - a;
      if (turn & 2) b = side - 1 - b;
      out[y * size + x] = fine[(py + b) * size + px + a];
    }
  }
  return out;
}

/** One of 8 turns for tile (tx, ty): a small integer hash, the same on every call. */
function tileTurn(tx: number, ty: number): number {
  let h = (Math.imul(tx + 1, 0x27d4eb2d) ^ Math.imul(ty + 1, 0x165667b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
  return (h >>> 13) & 7;
}
/** The grain's blur radius (size over this, 2 px at 512: pores and fine mottle; wider, a cheek's highlight and
 *  contour bands came along and tiled into stripes) and the patch's side (size over this, 32 px at 512). */
const GRAIN_BLUR_PER_SIZE = 256;
const GRAIN_PATCH_PER_SIZE = 16;

function sampleNearest(p: FloatPlane, x: number, y: number): number {
  const i = Math.floor(x),
    j = Math.floor(y);
  if (i < 0 || j < 0 || i >= p.width || j >= p.height) return 0;
  return p.data[j * p.width + i];
}
