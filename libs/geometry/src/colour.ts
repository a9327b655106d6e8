// Colour maths on typed arrays: sRGB (8-bit) <-> CIE Lab (D65), RGB <-> Y'CbCr (BT.601 / BT.709,
// 'tv' limited or 'pc' full range) including planar 4:2:0, masked per-channel statistics and
// Reinhard colour transfer as a per-channel gain/offset.
// Must never depend on an image library; per-pixel loops must not allocate.
import { FloatPlane, Plane } from './plane';

// ---------------------------------------------------------------- sRGB <-> CIE Lab (D65)

const M_RGB_TO_XYZ = [0.4124564, 0.3575761, 0.1804375, 0.2126729, 0.7151522, 0.072175, 0.0193339, 0.119192, 0.9503041];
const M_XYZ_TO_RGB = invert3(M_RGB_TO_XYZ);
// The white point is the matrix's image of RGB white, so white maps to exactly L=100, a=b=0.
const XN = M_RGB_TO_XYZ[0] + M_RGB_TO_XYZ[1] + M_RGB_TO_XYZ[2];
const YN = M_RGB_TO_XYZ[3] + M_RGB_TO_XYZ[4] + M_RGB_TO_XYZ[5];
const ZN = M_RGB_TO_XYZ[6] + M_RGB_TO_XYZ[7] + M_RGB_TO_XYZ[8];
const EPSILON = 216 / 24389;
const KAPPA = 24389 / 27;

/** sRGB 8-bit code value -> linear light, one entry per code value. */
const SRGB_TO_LINEAR = Float64Array.from({ length: 256 }, (_, v) => srgbDecode(v / 255));

function srgbDecode(c: number): number {
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

function srgbEncode(c: number): number {
  return c <= 0.0031308 ? 12.92 * c : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
}

function labF(t: number): number {
  return t > EPSILON ? Math.cbrt(t) : (KAPPA * t + 16) / 116;
}

function labFInv(f: number): number {
  const f3 = f * f * f;
  return f3 > EPSILON ? f3 : (116 * f - 16) / KAPPA;
}

/** sRGB components 0..255 (fractions allowed) to Lab [L, a, b]. */
export function srgbToLab(r: number, g: number, b: number, out: Float64Array | Float32Array | number[] = new Float64Array(3)) {
  const rl = Number.isInteger(r) && r >= 0 && r <= 255 ? SRGB_TO_LINEAR[r] : srgbDecode(r / 255);
  const gl = Number.isInteger(g) && g >= 0 && g <= 255 ? SRGB_TO_LINEAR[g] : srgbDecode(g / 255);
  const bl = Number.isInteger(b) && b >= 0 && b <= 255 ? SRGB_TO_LINEAR[b] : srgbDecode(b / 255);
  linearToLab(rl, gl, bl, out);
  return out;
}

function linearToLab(r: number, g: number, b: number, out: Float64Array | Float32Array | number[], o = 0): void {
  const M = M_RGB_TO_XYZ;
  const fx = labF((M[0] * r + M[1] * g + M[2] * b) / XN);
  const fy = labF((M[3] * r + M[4] * g + M[5] * b) / YN);
  const fz = labF((M[6] * r + M[7] * g + M[8] * b) / ZN);
  out[o] = 116 * fy - 16;
  out[o + 1] = 500 * (fx - fy);
  out[o + 2] = 200 * (fy - fz);
}

/** Lab to sRGB components on the 0..255 scale, unrounded and unclamped (out of gamut may exceed). */
export function labToSrgb(L: number, a: number, b: number, out: Float64Array | Float32Array | number[] = new Float64Array(3)) {
  const fy = (L + 16) / 116;
  const x = labFInv(fy + a / 500) * XN;
  const y = (L > KAPPA * EPSILON ? fy * fy * fy : L / KAPPA) * YN;
  const z = labFInv(fy - b / 200) * ZN;
  const M = M_XYZ_TO_RGB;
  out[0] = 255 * srgbEncode(M[0] * x + M[1] * y + M[2] * z);
  out[1] = 255 * srgbEncode(M[3] * x + M[4] * y + M[5] * z);
  out[2] = 255 * srgbEncode(M[6] * x + M[7] * y + M[8] * z);
  return out;
}

/** Bulk: RGBA (or RGB with `channels` 3) bytes to interleaved Lab floats (3 per pixel). */
export function rgbaToLab(rgba: Uint8Array, out?: Float32Array, channels: 3 | 4 = 4): Float32Array {
  const n = Math.floor(rgba.length / channels);
  const lab = out ?? new Float32Array(n * 3);
  for (let p = 0, s = 0; p < n; p++, s += channels) {
    linearToLab(SRGB_TO_LINEAR[rgba[s]], SRGB_TO_LINEAR[rgba[s + 1]], SRGB_TO_LINEAR[rgba[s + 2]], lab, 3 * p);
  }
  return lab;
}

/** Bulk: interleaved Lab to RGBA bytes (rounded, clamped); alpha set to `alpha`. */
export function labToRgba(lab: ArrayLike<number>, out?: Uint8Array, alpha = 255): Uint8Array {
  const n = Math.floor(lab.length / 3);
  const rgba = out ?? new Uint8Array(n * 4);
  const tmp = new Float64Array(3);
  for (let p = 0; p < n; p++) {
    labToSrgb(lab[3 * p], lab[3 * p + 1], lab[3 * p + 2], tmp);
    rgba[4 * p] = clampByte(tmp[0]);
    rgba[4 * p + 1] = clampByte(tmp[1]);
    rgba[4 * p + 2] = clampByte(tmp[2]);
    rgba[4 * p + 3] = alpha;
  }
  return rgba;
}

// ---------------------------------------------------------------- RGB <-> Y'CbCr

export type YuvMatrix = 'bt601' | 'bt709';
/** 'tv': limited range (Y 16..235, C 16..240); 'pc': full range (0..255). */
export type YuvRange = 'tv' | 'pc';

export interface YuvCoefficients {
  kr: number;
  kb: number;
  kg: number;
  /** Y = yOffset + yScale * Y' (Y' in 0..255); C = 128 + cScale * C' (C' in -127.5..127.5). */
  yOffset: number;
  yScale: number;
  cScale: number;
  /** Legal code range per channel, for clamping. */
  yMin: number;
  yMax: number;
  cMin: number;
  cMax: number;
}

export function yuvCoefficients(matrix: YuvMatrix, range: YuvRange): YuvCoefficients {
  const [kr, kb] = matrix === 'bt709' ? [0.2126, 0.0722] : [0.299, 0.114];
  const tv = range === 'tv';
  return {
    kr,
    kb,
    kg: 1 - kr - kb,
    yOffset: tv ? 16 : 0,
    yScale: tv ? 219 / 255 : 1,
    cScale: tv ? 224 / 255 : 1,
    yMin: tv ? 16 : 0,
    yMax: tv ? 235 : 255,
    cMin: tv ? 16 : 0,
    cMax: tv ? 240 : 255,
  };
}

/** One RGB pixel (0..255) to unrounded [Y, Cb, Cr] codes. */
export function rgbToYuv(r: number, g: number, b: number, k: YuvCoefficients, out: Float64Array | number[] = new Float64Array(3)) {
  const y = k.kr * r + k.kg * g + k.kb * b;
  out[0] = k.yOffset + k.yScale * y;
  out[1] = 128 + (k.cScale * (b - y) * 0.5) / (1 - k.kb);
  out[2] = 128 + (k.cScale * (r - y) * 0.5) / (1 - k.kr);
  return out;
}

/** [Y, Cb, Cr] codes to unrounded, unclamped RGB (0..255 scale). */
export function yuvToRgb(y: number, u: number, v: number, k: YuvCoefficients, out: Float64Array | number[] = new Float64Array(3)) {
  const yl = (y - k.yOffset) / k.yScale;
  const cb = (u - 128) / k.cScale;
  const cr = (v - 128) / k.cScale;
  const r = yl + 2 * (1 - k.kr) * cr;
  const b = yl + 2 * (1 - k.kb) * cb;
  out[0] = r;
  out[1] = (yl - k.kr * r - k.kb * b) / k.kg;
  out[2] = b;
  return out;
}

export interface Yuv420 {
  y: Plane;
  u: Plane;
  v: Plane;
}

/**
 * RGBA bytes to planar Y'CbCr 4:2:0: Y per pixel, Cb/Cr from the mean of each 2x2 block
 * (blocks clipped at odd edges); chroma planes are ceil(w/2) x ceil(h/2).
 */
export function rgbaToYuv420(rgba: Uint8Array, width: number, height: number, matrix: YuvMatrix, range: YuvRange): Yuv420 {
  const k = yuvCoefficients(matrix, range);
  const cw = (width + 1) >> 1,
    ch = (height + 1) >> 1;
  const y = { data: new Uint8Array(width * height), width, height, stride: width };
  const u = { data: new Uint8Array(cw * ch), width: cw, height: ch, stride: cw };
  const v = { data: new Uint8Array(cw * ch), width: cw, height: ch, stride: cw };
  const { kr, kg, kb, yOffset, yScale } = k;
  const cbScale = (k.cScale * 0.5) / (1 - kb);
  const crScale = (k.cScale * 0.5) / (1 - kr);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const s = 4 * (j * width + i);
      y.data[j * width + i] = clampByte(yOffset + yScale * (kr * rgba[s] + kg * rgba[s + 1] + kb * rgba[s + 2]));
    }
  }
  for (let cj = 0; cj < ch; cj++) {
    for (let ci = 0; ci < cw; ci++) {
      let r = 0,
        g = 0,
        b = 0,
        n = 0;
      for (let dj = 0; dj < 2; dj++) {
        const j = 2 * cj + dj;
        if (j >= height) break;
        for (let di = 0; di < 2; di++) {
          const i = 2 * ci + di;
          if (i >= width) break;
          const s = 4 * (j * width + i);
          r += rgba[s];
          g += rgba[s + 1];
          b += rgba[s + 2];
          n++;
        }
      }
      r /= n;
      g /= n;
      b /= n;
      const yl = kr * r + kg * g + kb * b;
      u.data[cj * cw + ci] = clampByte(128 + cbScale * (b - yl));
      v.data[cj * cw + ci] = clampByte(128 + crScale * (r - yl));
    }
  }
  return { y, u, v };
}

/** Planar 4:2:0 to RGBA bytes (chroma replicated over each 2x2 block), alpha 255. */
export function yuv420ToRgba(frame: Yuv420, matrix: YuvMatrix, range: YuvRange, out?: Uint8Array): Uint8Array {
  const k = yuvCoefficients(matrix, range);
  const { width, height } = frame.y;
  const rgba = out ?? new Uint8Array(width * height * 4);
  const tmp = new Float64Array(3);
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const c = (j >> 1) * frame.u.stride + (i >> 1);
      yuvToRgb(frame.y.data[j * frame.y.stride + i], frame.u.data[c], frame.v.data[(j >> 1) * frame.v.stride + (i >> 1)], k, tmp);
      const d = 4 * (j * width + i);
      rgba[d] = clampByte(tmp[0]);
      rgba[d + 1] = clampByte(tmp[1]);
      rgba[d + 2] = clampByte(tmp[2]);
      rgba[d + 3] = 255;
    }
  }
  return rgba;
}

/** The three planes of a packed yuv420p frame (as ffmpeg's rawvideo writes it) as views of `buf`. */
export function yuv420View(buf: Uint8Array, width: number, height: number): Yuv420 {
  const cw = (width + 1) >> 1,
    ch = (height + 1) >> 1,
    ySize = width * height,
    cSize = cw * ch;
  return {
    y: { data: buf.subarray(0, ySize), width, height, stride: width },
    u: { data: buf.subarray(ySize, ySize + cSize), width: cw, height: ch, stride: cw },
    v: { data: buf.subarray(ySize + cSize, ySize + 2 * cSize), width: cw, height: ch, stride: cw },
  };
}

/** Bytes of a packed yuv420p frame. */
export function yuv420FrameBytes(width: number, height: number): number {
  return width * height + 2 * ((width + 1) >> 1) * ((height + 1) >> 1);
}

/**
 * Converts the pixels of `frame` inside the rectangle [x0, x1) × [y0, y1) (already clipped) to
 * interleaved RGB bytes in `out`, laid out as a whole frame (3 bytes per pixel, rows of the
 * frame's width); chroma replicated over each 2×2 block, as ffmpeg's unscaled conversion does.
 */
export function yuv420ToRgbRect(frame: Yuv420, k: YuvCoefficients, x0: number, y0: number, x1: number, y1: number, out: Uint8Array): void {
  const width = frame.y.width;
  const ys = 1 / k.yScale,
    cs = 1 / k.cScale;
  const rv = 2 * (1 - k.kr) * cs,
    bu = 2 * (1 - k.kb) * cs;
  const gu = ((-2 * (1 - k.kb) * k.kb) / k.kg) * cs,
    gv = ((-2 * (1 - k.kr) * k.kr) / k.kg) * cs;
  const Y = frame.y.data,
    U = frame.u.data,
    V = frame.v.data,
    yStride = frame.y.stride,
    cStride = frame.u.stride;
  for (let j = y0; j < y1; j++) {
    const yr = j * yStride,
      cr = (j >> 1) * cStride;
    let o = (j * width + x0) * 3;
    for (let i = x0; i < x1; i++, o += 3) {
      const yy = (Y[yr + i] - k.yOffset) * ys;
      const c = cr + (i >> 1);
      const u = U[c] - 128,
        v = V[c] - 128;
      const r = yy + rv * v,
        g = yy + gu * u + gv * v,
        b = yy + bu * u;
      out[o] = r <= 0 ? 0 : r >= 255 ? 255 : r + 0.5;
      out[o + 1] = g <= 0 ? 0 : g >= 255 ? 255 : g + 0.5;
      out[o + 2] = b <= 0 ? 0 : b >= 255 ? 255 : b + 0.5;
    }
  }
}

// ---------------------------------------------------------------- statistics and transfer

/** Per-channel weighted mean and standard deviation; `weight` is the total weight used. */
export interface ChannelStats {
  mean: number[];
  std: number[];
  weight: number;
}

/**
 * Weighted per-channel stats of interleaved data (`channels` values per pixel). `mask` gives a
 * weight per pixel (a soft mask); pixels with weight <= `minWeight` are ignored.
 */
export function maskedStats(data: ArrayLike<number>, channels: number, mask?: ArrayLike<number> | null, minWeight = 0): ChannelStats {
  const n = Math.floor(data.length / channels);
  let sw = 0;
  const s1 = new Float64Array(channels),
    s2 = new Float64Array(channels);
  for (let p = 0; p < n; p++) {
    const w = mask ? mask[p] : 1;
    if (!(w > minWeight)) continue;
    sw += w;
    for (let c = 0; c < channels; c++) {
      const x = data[p * channels + c];
      s1[c] += w * x;
      s2[c] += w * x * x;
    }
  }
  return finishStats(sw, s1, s2);
}

/**
 * Weighted stats of a 4:2:0 frame as channels [Y, Cb, Cr]. `mask` is luma-sized (or absent);
 * chroma samples are weighted by the mean of the mask over their 2x2 luma block.
 */
export function yuv420MaskedStats(frame: Yuv420, mask?: FloatPlane | null, minWeight = 0): ChannelStats {
  const { y, u, v } = frame;
  if (mask && (mask.width !== y.width || mask.height !== y.height)) throw new RangeError('mask must be luma-sized');
  let wy = 0,
    y1 = 0,
    y2 = 0;
  for (let j = 0; j < y.height; j++) {
    for (let i = 0; i < y.width; i++) {
      const w = mask ? mask.data[j * mask.width + i] : 1;
      if (!(w > minWeight)) continue;
      const x = y.data[j * y.stride + i];
      wy += w;
      y1 += w * x;
      y2 += w * x * x;
    }
  }
  let wc = 0,
    u1 = 0,
    u2 = 0,
    v1 = 0,
    v2 = 0;
  for (let cj = 0; cj < u.height; cj++) {
    for (let ci = 0; ci < u.width; ci++) {
      let w = 1;
      if (mask) {
        let sum = 0,
          n = 0;
        for (let j = 2 * cj; j < Math.min(2 * cj + 2, y.height); j++) {
          for (let i = 2 * ci; i < Math.min(2 * ci + 2, y.width); i++) {
            sum += mask.data[j * mask.width + i];
            n++;
          }
        }
        w = n > 0 ? sum / n : 0;
      }
      if (!(w > minWeight)) continue;
      const a = u.data[cj * u.stride + ci],
        b = v.data[cj * v.stride + ci];
      wc += w;
      u1 += w * a;
      u2 += w * a * a;
      v1 += w * b;
      v2 += w * b * b;
    }
  }
  const ys = finishStats(wy, [y1], [y2]);
  const cs = finishStats(wc, [u1, v1], [u2, v2]);
  return { mean: [ys.mean[0], cs.mean[0], cs.mean[1]], std: [ys.std[0], cs.std[0], cs.std[1]], weight: wy };
}

function finishStats(w: number, s1: ArrayLike<number>, s2: ArrayLike<number>): ChannelStats {
  const mean: number[] = [],
    std: number[] = [];
  for (let c = 0; c < s1.length; c++) {
    const m = w > 0 ? s1[c] / w : 0;
    mean.push(m);
    std.push(w > 0 ? Math.sqrt(Math.max(0, s2[c] / w - m * m)) : 0);
  }
  return { mean, std, weight: w };
}

/** Per-channel linear map x' = gain * x + offset. */
export interface ColourTransfer {
  gain: number[];
  offset: number[];
}

export interface ReinhardOptions {
  /** Gains are clamped to [1 / maxGain, maxGain] (default 3) so a flat source cannot explode. */
  maxGain?: number;
  /** Floor for the source std (default 1e-3). */
  minStd?: number;
  /** 0 = identity, 1 = full transfer (default 1). */
  strength?: number;
}

/**
 * Reinhard et al. (2001) colour transfer per channel: gain = σt / σs, offset = μt − gain·μs, so
 * data with the source statistics gets the target mean and (unless clamped) std. Writes into
 * `out` when given (per-frame callers reuse one).
 */
export function reinhardTransfer(source: ChannelStats, target: ChannelStats, options: ReinhardOptions = {}, out?: ColourTransfer): ColourTransfer {
  const maxGain = options.maxGain ?? 3;
  const minStd = options.minStd ?? 1e-3;
  const s = Math.max(0, Math.min(1, options.strength ?? 1));
  const channels = Math.min(source.mean.length, target.mean.length);
  const result = out ?? { gain: [], offset: [] };
  result.gain.length = channels;
  result.offset.length = channels;
  for (let c = 0; c < channels; c++) {
    let g = target.std[c] / Math.max(source.std[c], minStd);
    if (!(g >= 1 / maxGain)) g = 1 / maxGain;
    if (g > maxGain) g = maxGain;
    const o = target.mean[c] - g * source.mean[c];
    result.gain[c] = 1 + s * (g - 1);
    result.offset[c] = s * o;
  }
  return result;
}

/** Applies a transfer to interleaved float data in place (or into `out`). */
export function applyTransfer<T extends Float32Array | Float64Array>(data: T, channels: number, t: ColourTransfer, out: T = data): T {
  for (let p = 0; p < data.length; p += channels) {
    for (let c = 0; c < channels; c++) out[p + c] = t.gain[c] * data[p + c] + t.offset[c];
  }
  return out;
}

/** A 256-entry byte table for gain*x + offset, rounded and clamped to [min, max]. */
export function transferLut(gain: number, offset: number, min = 0, max = 255, out: Uint8Array = new Uint8Array(256)): Uint8Array {
  for (let x = 0; x < 256; x++) {
    const v = gain * x + offset;
    out[x] = v <= min ? min : v >= max ? max : (v + 0.5) | 0;
  }
  return out;
}

/** Maps every pixel of `plane` through `lut` in place. */
export function applyLut(plane: Plane, lut: Uint8Array): Plane {
  for (let j = 0; j < plane.height; j++) {
    const base = j * plane.stride;
    for (let i = 0; i < plane.width; i++) plane.data[base + i] = lut[plane.data[base + i]];
  }
  return plane;
}

export function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
}

function invert3(m: number[]): number[] {
  const [a, b, c, d, e, f, g, h, i] = m;
  const A = e * i - f * h,
    B = -(d * i - f * g),
    C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    A / det,
    -(b * i - c * h) / det,
    (b * f - c * e) / det,
    B / det,
    (a * i - c * g) / det,
    -(a * f - c * d) / det,
    C / det,
    -(a * h - b * g) / det,
    (a * e - b * d) / det,
  ];
}
