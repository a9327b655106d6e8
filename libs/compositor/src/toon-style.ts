// The 'toon' look for a child's face, applied once per face before anything else: edge-preserving
// smoothing (a few bilateral iterations on a half-size copy, so flat areas go flat while the
// outlines of eyes, mouth and jaw stay sharp) and colour quantisation to a few levels per channel.
// Must never run per frame; must never touch the alpha channel.

export interface ToonOptions {
  /** Bilateral iterations (default 3). */
  iterations?: number;
  /** Bilateral window radius in half-size pixels (default 3). */
  radius?: number;
  /** Spatial and range sigmas (default 2 px and 24 code values). */
  sigmaSpace?: number;
  sigmaRange?: number;
  /** Quantisation levels per channel (default 10). */
  levels?: number;
}

/** A stylised copy of square-or-not RGBA `rgba` (width x height). */
export function stylizeToon(rgba: Uint8Array, width: number, height: number, options: ToonOptions = {}): Uint8Array {
  const iterations = options.iterations ?? 3;
  const radius = options.radius ?? 3;
  const sigmaSpace = options.sigmaSpace ?? 2;
  const sigmaRange = options.sigmaRange ?? 24;
  const levels = Math.max(2, Math.round(options.levels ?? 10));

  // Half-size RGB copy (2x2 box).
  const hw = Math.max(1, width >> 1), hh = Math.max(1, height >> 1);
  let small = new Float32Array(hw * hh * 3);
  for (let j = 0; j < hh; j++) {
    for (let i = 0; i < hw; i++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0, n = 0;
        for (let dj = 0; dj < 2; dj++) for (let di = 0; di < 2; di++) {
          const x = Math.min(width - 1, 2 * i + di), y = Math.min(height - 1, 2 * j + dj);
          sum += rgba[4 * (y * width + x) + c];
          n++;
        }
        small[3 * (j * hw + i) + c] = sum / n;
      }
    }
  }

  // Bilateral iterations; the spatial weights and the range-weight table are built once.
  const spatial = new Float32Array((2 * radius + 1) ** 2);
  for (let dy = -radius; dy <= radius; dy++) for (let dx = -radius; dx <= radius; dx++) {
    spatial[(dy + radius) * (2 * radius + 1) + dx + radius] = Math.exp(-(dx * dx + dy * dy) / (2 * sigmaSpace * sigmaSpace));
  }
  const rangeLut = new Float32Array(3 * 255 * 255 + 1);
  for (let d2 = 0; d2 < rangeLut.length; d2++) rangeLut[d2] = Math.exp(-d2 / (2 * sigmaRange * sigmaRange));
  let next = new Float32Array(small.length);
  for (let it = 0; it < iterations; it++) {
    for (let j = 0; j < hh; j++) {
      for (let i = 0; i < hw; i++) {
        const p = 3 * (j * hw + i);
        const r0 = small[p], g0 = small[p + 1], b0 = small[p + 2];
        let sw = 0, sr = 0, sg = 0, sb = 0;
        for (let dy = -radius; dy <= radius; dy++) {
          const y = j + dy;
          if (y < 0 || y >= hh) continue;
          for (let dx = -radius; dx <= radius; dx++) {
            const x = i + dx;
            if (x < 0 || x >= hw) continue;
            const q = 3 * (y * hw + x);
            const dr = small[q] - r0, dg = small[q + 1] - g0, db = small[q + 2] - b0;
            const d2 = (dr * dr + dg * dg + db * db) | 0;
            const w = spatial[(dy + radius) * (2 * radius + 1) + dx + radius] * rangeLut[d2];
            sw += w;
            sr += w * small[q];
            sg += w * small[q + 1];
            sb += w * small[q + 2];
          }
        }
        next[p] = sr / sw;
        next[p + 1] = sg / sw;
        next[p + 2] = sb / sw;
      }
    }
    const t = small;
    small = next;
    next = t;
  }

  // Bilinear upsampling back to full size, quantisation, alpha copied.
  const out = new Uint8Array(rgba.length);
  const step = 255 / (levels - 1);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(hh - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
    const y0 = Math.floor(sy), y1 = Math.min(hh - 1, y0 + 1), fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(hw - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
      const x0 = Math.floor(sx), x1 = Math.min(hw - 1, x0 + 1), fx = sx - x0;
      const o = 4 * (y * width + x);
      for (let c = 0; c < 3; c++) {
        const top = small[3 * (y0 * hw + x0) + c] * (1 - fx) + small[3 * (y0 * hw + x1) + c] * fx;
        const bottom = small[3 * (y1 * hw + x0) + c] * (1 - fx) + small[3 * (y1 * hw + x1) + c] * fx;
        const v = top * (1 - fy) + bottom * fy;
        out[o + c] = Math.round(Math.round(v / step) * step);
      }
      out[o + 3] = rgba[o + 3];
    }
  }
  return out;
}
