// Builds the network inputs for a face box straight from the RGB frame, the way face-api
// prepares them (box region, padded to a square at the bottom/right, resized), without making a
// tensor of the whole frame. Pure: pixels in, pixels out.
import type { Box } from '@talecast/face';

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
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < 68; i++) {
    const x = lm[2 * i], y = lm[2 * i + 1];
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
  }
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

export function iou(a: Box, b: Box): number {
  const x0 = Math.max(a.x, b.x), y0 = Math.max(a.y, b.y);
  const x1 = Math.min(a.x + a.width, b.x + b.width), y1 = Math.min(a.y + a.height, b.y + b.height);
  const inter = Math.max(0, x1 - x0) * Math.max(0, y1 - y0);
  const union = a.width * a.height + b.width * b.height - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * How a detector box relates to the landmarks' bounding box, so a box can be predicted from
 * landmarks on frames without a detection: offsets and sizes relative to the landmark box.
 */
export interface BoxCalibration {
  dx: number;
  dy: number;
  sw: number;
  sh: number;
}

/**
 * The SSD detector's box relative to the landmarks' box, averaged over the sample photos
 * (scripts: /tmp/cal.js in the precompute issue note). The landmark network was trained on such
 * boxes, so every landmark crop is made this way, whichever detector found the face.
 */
export const SSD_CALIBRATION: BoxCalibration = { dx: 0.046, dy: -0.37, sw: 0.934, sh: 1.413 };

export function calibrate(detected: Box, lm: ArrayLike<number>): BoxCalibration {
  const b = landmarkBounds(lm);
  return { dx: (detected.x - b.x) / b.width, dy: (detected.y - b.y) / b.height, sw: detected.width / b.width, sh: detected.height / b.height };
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
 * A face region turned with the face: centre in frame pixels, size along the face's own axes
 * (width across, height down the face), and the angle of the face's x axis (radians, image
 * coordinates, y down). With angle 0 it is an ordinary box.
 */
export interface OrientedBox {
  cx: number;
  cy: number;
  width: number;
  height: number;
  angle: number;
}

export function orientedFromBox(box: Box, angle = 0): OrientedBox {
  return { cx: box.x + box.width / 2, cy: box.y + box.height / 2, width: box.width, height: box.height, angle };
}

/** The upright box around an oriented one (for detectors and overlap scores). */
export function boundingBoxOf(o: OrientedBox): Box {
  const c = Math.abs(Math.cos(o.angle)), s = Math.abs(Math.sin(o.angle));
  const w = o.width * c + o.height * s;
  const h = o.width * s + o.height * c;
  return { x: o.cx - w / 2, y: o.cy - h / 2, width: w, height: h };
}

/** Roll of the face from its eye centres (radians, image coordinates). */
export function eyeLineAngle(lm: ArrayLike<number>): number {
  let rx = 0, ry = 0, lx = 0, ly = 0;
  for (let i = 36; i < 42; i++) { rx += lm[2 * i]; ry += lm[2 * i + 1]; }
  for (let i = 42; i < 48; i++) { lx += lm[2 * i]; ly += lm[2 * i + 1]; }
  return Math.atan2(ly - ry, lx - rx);
}

/**
 * The detector-style box predicted from landmarks, in the face's own axes: the landmarks are
 * turned upright by `angle`, the calibration is applied to their bounding box there, and the
 * result is turned back. With angle 0 this equals predictBox.
 */
export function predictOrientedBox(lm: ArrayLike<number>, c: BoxCalibration, angle: number): OrientedBox {
  const cos = Math.cos(angle), sin = Math.sin(angle);
  let u0 = Infinity, v0 = Infinity, u1 = -Infinity, v1 = -Infinity;
  for (let i = 0; i < 68; i++) {
    const x = lm[2 * i], y = lm[2 * i + 1];
    const u = x * cos + y * sin;
    const v = -x * sin + y * cos;
    if (u < u0) u0 = u;
    if (u > u1) u1 = u;
    if (v < v0) v0 = v;
    if (v > v1) v1 = v;
  }
  const w = u1 - u0, h = v1 - v0;
  const bw = w * c.sw, bh = h * c.sh;
  const uc = u0 + c.dx * w + bw / 2;
  const vc = v0 + c.dy * h + bh / 2;
  return { cx: uc * cos - vc * sin, cy: uc * sin + vc * cos, width: bw, height: bh, angle };
}

/**
 * The landmark network's input for an oriented box, made the way face-api prepares an upright
 * box (the box region padded with zeros to a centred square, resized bilinearly with tf's
 * convention: source = destination × step), but sampled along the face's axes so a tilted face
 * is seen upright. Pixels outside the frame are zero, so a face at the frame's edge keeps its
 * place and size in the input instead of being shifted by a clipped box. `out` is size²×3 floats.
 * Returns the map back: frame point = toFrame(input x, input y).
 */
export function orientedFaceInput(rgb: Uint8Array, width: number, height: number, o: OrientedBox, size: number, out: Float32Array): { step: number; toFrame: (x: number, y: number) => [number, number] } {
  const side = Math.max(o.width, o.height);
  const step = side / size;
  const cos = Math.cos(o.angle), sin = Math.sin(o.angle);
  const halfW = o.width / 2, halfH = o.height / 2;
  const maxX = width - 1, maxY = height - 1;
  let k = 0;
  for (let j = 0; j < size; j++) {
    const v = -side / 2 + j * step;
    const rowInside = v >= -halfH && v < halfH;
    for (let i = 0; i < size; i++, k += 3) {
      const u = -side / 2 + i * step;
      if (!rowInside || u < -halfW || u >= halfW) {
        out[k] = out[k + 1] = out[k + 2] = 0;
        continue;
      }
      const sx = o.cx + u * cos - v * sin;
      const sy = o.cy + u * sin + v * cos;
      const x0 = Math.floor(sx), y0 = Math.floor(sy);
      const fx = sx - x0, fy = sy - y0;
      if (x0 >= 0 && y0 >= 0 && x0 < maxX && y0 < maxY) {
        const a = (y0 * width + x0) * 3, b = a + 3, c = a + width * 3, d = c + 3;
        const w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy, w11 = fx * fy;
        out[k] = rgb[a] * w00 + rgb[b] * w01 + rgb[c] * w10 + rgb[d] * w11;
        out[k + 1] = rgb[a + 1] * w00 + rgb[b + 1] * w01 + rgb[c + 1] * w10 + rgb[d + 1] * w11;
        out[k + 2] = rgb[a + 2] * w00 + rgb[b + 2] * w01 + rgb[c + 2] * w10 + rgb[d + 2] * w11;
      } else {
        // At the frame's edge: neighbours outside the frame count as black.
        let r = 0, g = 0, bl = 0;
        for (let n = 0; n < 4; n++) {
          const x = x0 + (n & 1), y = y0 + (n >> 1);
          if (x < 0 || y < 0 || x > maxX || y > maxY) continue;
          const wgt = ((n & 1) ? fx : 1 - fx) * ((n >> 1) ? fy : 1 - fy);
          const p = (y * width + x) * 3;
          r += rgb[p] * wgt; g += rgb[p + 1] * wgt; bl += rgb[p + 2] * wgt;
        }
        out[k] = r; out[k + 1] = g; out[k + 2] = bl;
      }
    }
  }
  return {
    step,
    toFrame: (x, y) => {
      const u = -side / 2 + x * step, v = -side / 2 + y * step;
      return [o.cx + u * cos - v * sin, o.cy + u * sin + v * cos];
    },
  };
}
