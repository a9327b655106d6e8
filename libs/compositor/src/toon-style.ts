// The 'toon' look for a child's face in an animated story, applied once per face before anything
// else: soft and smooth, features clean. Edge-preserving smoothing (a few bilateral iterations on
// a half-size copy: skin texture, pores and noise go, the shading and the outlines of eyes, mouth
// and jaw stay), then the photo's detail added back through a coring curve (small differences —
// skin texture — mostly dropped, large ones — the features' edges, which the half-size pass
// softened — kept), and a slightly richer colour. No posterisation: quantising skin into a few
// levels made blotchy patches on real animation (issue 18); `levels` still does it on request.
// Must never run per frame; must never touch the alpha channel.

export interface ToonOptions {
  /** Bilateral iterations (default 3). */
  iterations?: number;
  /** Bilateral window radius in half-size pixels (default 3). */
  radius?: number;
  /** Spatial and range sigmas (default 2 px and 24 code values). */
  sigmaSpace?: number;
  sigmaRange?: number;
  /** Quantisation levels per channel (default none: the soft look never posterises). */
  levels?: number;
  /** Detail coring: differences from the smoothed face under `coring[0]` code values are kept at
   *  `detailFloor`, above `coring[1]` fully (default [6, 26], floor 0.2). */
  coring?: [number, number];
  detailFloor?: number;
  /** Saturation gain around each pixel's luma (default 1.08). */
  saturation?: number;
}

/** A stylised copy of square-or-not RGBA `rgba` (width x height). */
export function stylizeToon(rgba: Uint8Array, width: number, height: number, options: ToonOptions = {}): Uint8Array {
  const iterations = options.iterations ?? 3;
  const radius = options.radius ?? 3;
  const sigmaSpace = options.sigmaSpace ?? 2;
  const sigmaRange = options.sigmaRange ?? 24;
  const levels = options.levels === undefined ? 0 : Math.max(2, Math.round(options.levels));
  const [c0, c1] = options.coring ?? [6, 26];
  const floor = options.detailFloor ?? 0.2;
  const saturation = options.saturation ?? 1.08;

  // Half-size RGB copy (2x2 box).
  const hw = Math.max(1, width >> 1),
    hh = Math.max(1, height >> 1);
  let small = new Float32Array(hw * hh * 3);
  for (let j = 0; j < hh; j++) {
    for (let i = 0; i < hw; i++) {
      for (let c = 0; c < 3; c++) {
        let sum = 0,
          n = 0;
        for (let dj = 0; dj < 2; dj++)
          for (let di = 0; di < 2; di++) {
            const x = Math.min(width - 1, 2 * i + di),
              y = Math.min(height - 1, 2 * j + dj);
            sum += rgba[4 * (y * width + x) + c];
            n++;
          }
        small[3 * (j * hw + i) + c] = sum / n;
      }
    }
  }

  // Bilateral iterations; the spatial weights and the range-weight table are built once.
  const spatial = new Float32Array((2 * radius + 1) ** 2);
  for (let dy = -radius; dy <= radius; dy++)
    for (let dx = -radius; dx <= radius; dx++) {
      spatial[(dy + radius) * (2 * radius + 1) + dx + radius] = Math.exp(-(dx * dx + dy * dy) / (2 * sigmaSpace * sigmaSpace));
    }
  const rangeLut = new Float32Array(3 * 255 * 255 + 1);
  for (let d2 = 0; d2 < rangeLut.length; d2++) rangeLut[d2] = Math.exp(-d2 / (2 * sigmaRange * sigmaRange));
  let next = new Float32Array(small.length);
  for (let it = 0; it < iterations; it++) {
    for (let j = 0; j < hh; j++) {
      for (let i = 0; i < hw; i++) {
        const p = 3 * (j * hw + i);
        const r0 = small[p],
          g0 = small[p + 1],
          b0 = small[p + 2];
        let sw = 0,
          sr = 0,
          sg = 0,
          sb = 0;
        for (let dy = -radius; dy <= radius; dy++) {
          const y = j + dy;
          if (y < 0 || y >= hh) continue;
          for (let dx = -radius; dx <= radius; dx++) {
            const x = i + dx;
            if (x < 0 || x >= hw) continue;
            const q = 3 * (y * hw + x);
            const dr = small[q] - r0,
              dg = small[q + 1] - g0,
              db = small[q + 2] - b0;
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

  // Bilinear upsampling back to full size, cored detail, saturation (or quantisation), alpha copied.
  const out = new Uint8Array(rgba.length);
  const step = levels ? 255 / (levels - 1) : 1;
  const v3 = new Float32Array(3);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(hh - 1, Math.max(0, (y + 0.5) / 2 - 0.5));
    const y0 = Math.floor(sy),
      y1 = Math.min(hh - 1, y0 + 1),
      fy = sy - y0;
    for (let x = 0; x < width; x++) {
      const sx = Math.min(hw - 1, Math.max(0, (x + 0.5) / 2 - 0.5));
      const x0 = Math.floor(sx),
        x1 = Math.min(hw - 1, x0 + 1),
        fx = sx - x0;
      const o = 4 * (y * width + x);
      for (let c = 0; c < 3; c++) {
        const top = small[3 * (y0 * hw + x0) + c] * (1 - fx) + small[3 * (y0 * hw + x1) + c] * fx;
        const bottom = small[3 * (y1 * hw + x0) + c] * (1 - fx) + small[3 * (y1 * hw + x1) + c] * fx;
        v3[c] = top * (1 - fy) + bottom * fy;
      }
      if (levels) {
        for (let c = 0; c < 3; c++) out[o + c] = Math.round(Math.round(v3[c] / step) * step);
      } else {
        // Detail back through the coring curve, on luma so colours do not fringe.
        const ly = 0.299 * v3[0] + 0.587 * v3[1] + 0.114 * v3[2];
        const oy = 0.299 * rgba[o] + 0.587 * rgba[o + 1] + 0.114 * rgba[o + 2];
        const d = oy - ly,
          ad = Math.abs(d);
        const t = ad <= c0 ? 0 : ad >= c1 ? 1 : (ad - c0) / (c1 - c0);
        const detail = d * (floor + (1 - floor) * t * t * (3 - 2 * t));
        const y = ly + detail;
        for (let c = 0; c < 3; c++) {
          const v = y + saturation * (v3[c] - ly);
          out[o + c] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
        }
      }
      out[o + 3] = rgba[o + 3];
    }
  }
  return out;
}
