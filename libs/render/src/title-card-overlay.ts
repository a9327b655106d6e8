// The title card as planes a segment worker blends into decoded 4:2:0 frames: the card's RGBA
// (straight alpha) is cropped to where it is not transparent (even-aligned, so the chroma planes
// line up), turned into Y'CbCr codes in the story's matrix and range, with an alpha per luma
// pixel and one per chroma sample (the mean of its 2x2 block; the chroma colour weighted by
// alpha, so transparent pixels lend it nothing). Pure: typed arrays in and out; plain data that
// crosses a thread boundary.
import { rgbToYuv, Yuv420, yuvCoefficients, YuvMatrix, YuvRange } from '@talecast/geometry';

export interface CardOverlay {
  /** The covered rectangle in luma pixels (x, y, width, height even). */
  x: number;
  y: number;
  width: number;
  height: number;
  /** Y codes and alpha (0..255), width × height, rows packed. */
  luma: Uint8Array;
  alpha: Uint8Array;
  /** Cb, Cr codes and alpha, (width/2) × (height/2). */
  cb: Uint8Array;
  cr: Uint8Array;
  chromaAlpha: Uint8Array;
}

/** The card's RGBA (frameWidth × frameHeight, straight alpha) as an overlay; null when it is transparent everywhere. */
export function cardOverlayFromRgba(rgba: Uint8Array, frameWidth: number, frameHeight: number, matrix: YuvMatrix, range: YuvRange): CardOverlay | null {
  const box = opaqueBox(rgba, frameWidth, frameHeight);
  if (!box) return null;
  const k = yuvCoefficients(matrix, range);
  const { x, y, width, height } = box;
  const luma = new Uint8Array(width * height);
  const alpha = new Uint8Array(width * height);
  const cw = width >> 1;
  const ch = height >> 1;
  const cb = new Uint8Array(cw * ch);
  const cr = new Uint8Array(cw * ch);
  const chromaAlpha = new Uint8Array(cw * ch);
  const yuv = new Float64Array(3);
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      let aSum = 0;
      let uSum = 0;
      let vSum = 0;
      for (let dy = 0; dy < 2; dy++) {
        for (let dx = 0; dx < 2; dx++) {
          const lx = cx * 2 + dx;
          const ly = cy * 2 + dy;
          const p = ((y + ly) * frameWidth + x + lx) * 4;
          const a = rgba[p + 3];
          rgbToYuv(rgba[p], rgba[p + 1], rgba[p + 2], k, yuv);
          const i = ly * width + lx;
          luma[i] = clampRound(yuv[0], k.yMin, k.yMax);
          alpha[i] = a;
          aSum += a;
          uSum += a * yuv[1];
          vSum += a * yuv[2];
        }
      }
      const c = cy * cw + cx;
      chromaAlpha[c] = Math.round(aSum / 4);
      cb[c] = aSum > 0 ? clampRound(uSum / aSum, k.cMin, k.cMax) : 128;
      cr[c] = aSum > 0 ? clampRound(vSum / aSum, k.cMin, k.cMax) : 128;
    }
  }
  return { x, y, width, height, luma, alpha, cb, cr, chromaAlpha };
}

/**
 * Blends the overlay into a frame in place at `opacity` (0..1): each code moves towards the
 * card's by alpha × opacity. Opacity 0 leaves the frame untouched; a fully opaque card pixel at
 * opacity 1 becomes the card's code.
 */
export function blendCardOverlay(frame: Yuv420, o: CardOverlay, opacity: number): void {
  if (!(opacity > 0)) return;
  const scale = Math.round(Math.min(1, opacity) * 257); // alpha (0..255) × scale ≤ 65535
  blendPlane(frame.y.data, frame.y.stride, o.x, o.y, o.width, o.height, frame.y.width, frame.y.height, o.luma, o.alpha, scale);
  const cx = o.x >> 1;
  const cy = o.y >> 1;
  const cw = o.width >> 1;
  const ch = o.height >> 1;
  blendPlane(frame.u.data, frame.u.stride, cx, cy, cw, ch, frame.u.width, frame.u.height, o.cb, o.chromaAlpha, scale);
  blendPlane(frame.v.data, frame.v.stride, cx, cy, cw, ch, frame.v.width, frame.v.height, o.cr, o.chromaAlpha, scale);
}

function blendPlane(
  data: Uint8Array,
  stride: number,
  x0: number,
  y0: number,
  w: number,
  h: number,
  planeW: number,
  planeH: number,
  codes: Uint8Array,
  alpha: Uint8Array,
  scale: number,
): void {
  const rows = Math.min(h, planeH - y0);
  const cols = Math.min(w, planeW - x0);
  for (let r = 0; r < rows; r++) {
    const row = (y0 + r) * stride + x0;
    const src = r * w;
    for (let c = 0; c < cols; c++) {
      const a = alpha[src + c];
      if (a === 0) continue;
      const wgt = a * scale; // 0..65535
      const d = data[row + c];
      data[row + c] = d + (((codes[src + c] - d) * wgt + 32768) >> 16);
    }
  }
}

/** The smallest even-aligned rectangle holding every pixel with alpha > 0. */
function opaqueBox(rgba: Uint8Array, width: number, height: number): { x: number; y: number; width: number; height: number } | null {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (rgba[(y * width + x) * 4 + 3] === 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return null;
  x0 &= ~1;
  y0 &= ~1;
  // End on an even boundary inside the frame (an odd frame size loses at most its last column/row).
  const xe = Math.min(width & ~1, (x1 + 2) & ~1);
  const ye = Math.min(height & ~1, (y1 + 2) & ~1);
  if (xe <= x0 || ye <= y0) return null;
  return { x: x0, y: y0, width: xe - x0, height: ye - y0 };
}

function clampRound(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, Math.round(v)));
}
