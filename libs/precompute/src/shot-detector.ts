// Shot-cut detection from tiny colour thumbnails of consecutive frames. Pure: arrays in, a
// decision out. A cut is a frame whose thumbnail differs from the previous one far more than
// motion does (mean absolute difference over a threshold and over a multiple of recent motion).

export const THUMB_W = 32;
export const THUMB_H = 18;

/** Values per thumbnail: three colour channels per cell (two shots of equal brightness differ in hue). */
export const THUMB_SIZE = THUMB_W * THUMB_H * 3;

/** Samples per thumbnail cell: a 4×4 grid is plenty for cut detection. */
const CELL_SAMPLES = 16;
let sampleCache: { width: number; height: number; offsets: Int32Array } | undefined;

/**
 * The pixels the thumbnail reads (offsets `y * width + x`), cell by cell in row order, 16 per
 * cell: the centres of a 4×4 grid over each of the THUMB_W×THUMB_H cells.
 */
export function thumbnailSampleOffsets(width: number, height: number): Int32Array {
  if (sampleCache && sampleCache.width === width && sampleCache.height === height) return sampleCache.offsets;
  const offsets = new Int32Array(THUMB_W * THUMB_H * CELL_SAMPLES);
  const sx = width / THUMB_W;
  const sy = height / THUMB_H;
  let n = 0;
  for (let ty = 0; ty < THUMB_H; ty++) {
    for (let tx = 0; tx < THUMB_W; tx++) {
      for (let j = 0; j < 4; j++) {
        const y = Math.min(height - 1, Math.floor((ty + (j + 0.5) / 4) * sy));
        for (let i = 0; i < 4; i++) offsets[n++] = y * width + Math.min(width - 1, Math.floor((tx + (i + 0.5) / 4) * sx));
      }
    }
  }
  sampleCache = { width, height, offsets };
  return offsets;
}

/** Downsamples an RGB frame to a THUMB_W×THUMB_H colour thumbnail (mean of each cell's samples). */
export function frameThumbnail(rgb: Uint8Array, width: number, height: number, out: Float32Array = new Float32Array(THUMB_SIZE)): Float32Array {
  const offsets = thumbnailSampleOffsets(width, height);
  for (let c = 0, n = 0; c < THUMB_SIZE; c += 3) {
    let r = 0,
      g = 0,
      b = 0;
    for (let s = 0; s < CELL_SAMPLES; s++, n++) {
      const o = offsets[n] * 3;
      r += rgb[o];
      g += rgb[o + 1];
      b += rgb[o + 2];
    }
    out[c] = r / CELL_SAMPLES;
    out[c + 1] = g / CELL_SAMPLES;
    out[c + 2] = b / CELL_SAMPLES;
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

  constructor(
    private readonly threshold = 14,
    private readonly motionFactor = 3,
  ) {}

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
