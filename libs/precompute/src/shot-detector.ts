// Shot-cut detection from tiny colour thumbnails of consecutive frames. Pure: arrays in, a
// decision out. A cut is a frame whose thumbnail differs from the previous one far more than
// motion does (mean absolute difference over a threshold and over a multiple of recent motion).

export const THUMB_W = 32;
export const THUMB_H = 18;

/** Values per thumbnail: three colour channels per cell (two shots of equal brightness differ in hue). */
export const THUMB_SIZE = THUMB_W * THUMB_H * 3;

/** Downsamples an RGB frame to a THUMB_W×THUMB_H colour thumbnail (average of a 4×4 sample grid per cell). */
export function frameThumbnail(rgb: Uint8Array, width: number, height: number, out: Float32Array = new Float32Array(THUMB_SIZE)): Float32Array {
  const sx = width / THUMB_W;
  const sy = height / THUMB_H;
  for (let ty = 0; ty < THUMB_H; ty++) {
    for (let tx = 0; tx < THUMB_W; tx++) {
      let r = 0, g = 0, b = 0;
      let n = 0;
      // 4x4 samples per cell are plenty for cut detection.
      for (let j = 0; j < 4; j++) {
        const y = Math.min(height - 1, Math.floor((ty + (j + 0.5) / 4) * sy));
        for (let i = 0; i < 4; i++) {
          const x = Math.min(width - 1, Math.floor((tx + (i + 0.5) / 4) * sx));
          const o = (y * width + x) * 3;
          r += rgb[o]; g += rgb[o + 1]; b += rgb[o + 2];
          n++;
        }
      }
      const c = (ty * THUMB_W + tx) * 3;
      out[c] = r / n; out[c + 1] = g / n; out[c + 2] = b / n;
    }
  }
  return out;
}

export function thumbnailDifference(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

export class ShotCutDetector {
  private recent: number[] = [];

  constructor(private readonly threshold = 14, private readonly motionFactor = 3) {}

  /** Feed the difference to the previous frame; returns true when this frame starts a new shot. */
  isCut(difference: number): boolean {
    const motion = this.recent.length ? median(this.recent) : 0;
    const cut = difference > this.threshold && difference > motion * this.motionFactor;
    if (cut) this.recent = [];
    else {
      this.recent.push(difference);
      if (this.recent.length > 8) this.recent.shift();
    }
    return cut;
  }
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
