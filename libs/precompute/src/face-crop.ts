// Builds the network inputs for a face box straight from the RGB frame, the way face-api
// prepares them (box region, padded to a square at the bottom/right, resized), without making a
// tensor of the whole frame. Pure: pixels in, pixels out.
import type { Box, BoxCalibration, OrientedBox } from '@talecast/face';

export { BoxCalibration, eyeLineAngle, OrientedBox, orientedFaceInput, predictOrientedBox, SSD_CALIBRATION } from '@talecast/face';

export interface CropPlacement {
  /** Output pixels per source pixel. */
  scale: number;
  /** Where the box's top-left corner lands in the output (the content is centred, as face-api does). */
  ox: number;
  oy: number;
}

/** Bilinear crop of `box` into a size×size float RGB buffer, aspect kept, centred. */
export function cropFaceInput(rgb: Uint8Array, width: number, height: number, box: Box, size: number, out: Float32Array): CropPlacement {
  return cropFaceInputRect(rgb, width, height, box, size, size, out);
}

/** Bilinear crop of `box` scaled to fit outW×outH (aspect kept, centred, zero padding). */
export function cropFaceInputRect(rgb: Uint8Array, width: number, height: number, box: Box, outW: number, outH: number, out: Float32Array): CropPlacement {
  const scale = Math.min(outW / box.width, outH / box.height);
  out.fill(0);
  const w = Math.min(outW, Math.round(box.width * scale));
  const h = Math.min(outH, Math.round(box.height * scale));
  const ox = Math.floor((outW - w) / 2);
  const oy = Math.floor((outH - h) / 2);
  for (let y = 0; y < h; y++) {
    const sy = box.y + (y + 0.5) / scale - 0.5;
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    const ya = clampInt(y0, 0, height - 1) * width;
    const yb = clampInt(y0 + 1, 0, height - 1) * width;
    for (let x = 0; x < w; x++) {
      const sx = box.x + (x + 0.5) / scale - 0.5;
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      const xa = clampInt(x0, 0, width - 1);
      const xb = clampInt(x0 + 1, 0, width - 1);
      const o = ((y + oy) * outW + x + ox) * 3;
      for (let c = 0; c < 3; c++) {
        const top = rgb[(ya + xa) * 3 + c] * (1 - fx) + rgb[(ya + xb) * 3 + c] * fx;
        const bottom = rgb[(yb + xa) * 3 + c] * (1 - fx) + rgb[(yb + xb) * 3 + c] * fx;
        out[o + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return { scale, ox, oy };
}

function clampInt(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

export function landmarkBounds(lm: ArrayLike<number>): Box {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (let i = 0; i < 68; i++) {
    const x = lm[2 * i],
      y = lm[2 * i + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export function iou(a: Box, b: Box): number {
  const x0 = Math.max(a.x, b.x),
    y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width),
    y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

export function predictBox(lm: ArrayLike<number>, c: BoxCalibration): Box {
  const b = landmarkBounds(lm);
  return { x: b.x + c.dx * b.width, y: b.y + c.dy * b.height, width: b.width * c.sw, height: b.height * c.sh };
}

/**
 * Overlap score for boxes from different detectors (their box conventions differ): 1 at the
 * same centre and size, falling to 0 as the centres move apart by half a face or sizes differ 2x.
 */
export function sameFaceScore(a: Box, b: Box): number {
  const size = Math.sqrt(Math.max(1, a.width * a.height));
  const sizeB = Math.sqrt(Math.max(1, b.width * b.height));
  const ratio = Math.max(size, sizeB) / Math.min(size, sizeB);
  const d = Math.hypot(a.x + a.width / 2 - (b.x + b.width / 2), a.y + a.height / 2 - (b.y + b.height / 2)) / Math.min(size, sizeB);
  return Math.max(0, 1 - d * 2) * Math.max(0, 2 - ratio);
}

/**
 * Whether a detector's box is the face another role holds (`held`: that role's track box): the
 * same-face score, or the held face's centre inside the box at a like size. The tiny detector's
 * boxes on small drawn faces sit lower and larger than the landmark-calibrated track boxes (tale,
 * 640x360: centre 0.5 of the face's size below, score 0 for the very face the friend was
 * following), so by the score alone the hero, searching after walking out of the picture, took the
 * friend's face for seven frames.
 */
export function holdsFace(box: Box, held: Box): boolean {
  if (sameFaceScore(box, held) > 0.3) return true;
  const cx = held.x + held.width / 2,
    cy = held.y + held.height / 2;
  const ratio = Math.sqrt(Math.max(1, box.width * box.height) / Math.max(1, held.width * held.height));
  return cx > box.x && cx < box.x + box.width && cy > box.y && cy < box.y + box.height && ratio > 0.5 && ratio < 2;
}

export function orientedFromBox(box: Box, angle = 0): OrientedBox {
  return { cx: box.x + box.width / 2, cy: box.y + box.height / 2, width: box.width, height: box.height, angle };
}

/** The upright box around an oriented one (for detectors and overlap scores). */
export function boundingBoxOf(o: OrientedBox): Box {
  const c = Math.abs(Math.cos(o.angle)),
    s = Math.abs(Math.sin(o.angle));
  const w = o.width * c + o.height * s;
  const h = o.width * s + o.height * c;
  return { x: o.cx - w / 2, y: o.cy - h / 2, width: w, height: h };
}
