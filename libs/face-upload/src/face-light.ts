// Light on a photographed face, from its 68 landmarks and pixels: how much darker one cheek is
// than the other (strong side light), and how dark the eyes are against the cheeks (sunglasses).
// Pure: RGB pixels and landmarks in, figures out.

export interface FaceLight {
  /** |left − right| cheek luma over the brighter one: 0 even light .. 1 one side black. */
  sideContrast: number;
  /** Mean luma around the eyes (lids included) over the mean luma of the cheeks. */
  eyeDarkness: number;
  /** Spread (standard deviation) of luma around the eyes over the cheeks' mean: sunglasses are flat. */
  eyeTexture: number;
}

type Rect = { x0: number; y0: number; x1: number; y1: number };

/** Mean and standard deviation of luma inside a rectangle (clipped to the picture). */
export function lumaStats(rgb: Uint8Array, width: number, height: number, r: Rect): { mean: number; sd: number; n: number } {
  const x0 = Math.max(0, Math.round(Math.min(r.x0, r.x1))),
    x1 = Math.min(width - 1, Math.round(Math.max(r.x0, r.x1)));
  const y0 = Math.max(0, Math.round(Math.min(r.y0, r.y1))),
    y1 = Math.min(height - 1, Math.round(Math.max(r.y0, r.y1)));
  const step = Math.max(1, Math.floor(Math.min(x1 - x0, y1 - y0) / 40));
  let s = 0,
    s2 = 0,
    n = 0;
  for (let y = y0; y <= y1; y += step) {
    for (let x = x0; x <= x1; x += step) {
      const o = (y * width + x) * 3;
      const v = 0.299 * rgb[o] + 0.587 * rgb[o + 1] + 0.114 * rgb[o + 2];
      s += v;
      s2 += v * v;
      n++;
    }
  }
  if (n === 0) return { mean: 0, sd: 0, n: 0 };
  const mean = s / n;
  return { mean, sd: Math.sqrt(Math.max(0, s2 / n - mean * mean)), n };
}

export function measureLight(rgb: Uint8Array, width: number, height: number, lm: ArrayLike<number>): FaceLight {
  const P = (k: number) => [lm[2 * k], lm[2 * k + 1]] as const;
  // Cheeks: below the lower lids, above the mouth corners, between the jaw and the nose's sides
  // (the middle 70% of that box, away from the features).
  const cheek = (jaw: number, lid: number, nose: number, mouth: number): Rect => {
    const xa = P(jaw)[0],
      xb = P(nose)[0],
      ya = P(lid)[1],
      yb = P(mouth)[1];
    const dx = (xb - xa) * 0.15,
      dy = (yb - ya) * 0.15;
    return { x0: xa + dx, x1: xb - dx, y0: ya + dy, y1: yb - dy };
  };
  const right = lumaStats(rgb, width, height, cheek(2, 41, 31, 48));
  const left = lumaStats(rgb, width, height, cheek(14, 46, 35, 54));
  // Around each eye: its corners, and half an eye width above and below the eye's centre line.
  const eye = (a: number, b: number): Rect => {
    const [ax, ay] = P(a),
      [bx, by] = P(b);
    const w = Math.hypot(bx - ax, by - ay);
    const cy = (ay + by) / 2;
    return { x0: ax, x1: bx, y0: cy - w * 0.4, y1: cy + w * 0.4 };
  };
  const eyes = [lumaStats(rgb, width, height, eye(36, 39)), lumaStats(rgb, width, height, eye(42, 45))];
  const cheeks = (right.mean + left.mean) / 2 || 1;
  const eyeMean = (eyes[0].mean + eyes[1].mean) / 2;
  return {
    sideContrast: Math.abs(left.mean - right.mean) / Math.max(1, left.mean, right.mean),
    eyeDarkness: eyeMean / cheeks,
    eyeTexture: (eyes[0].sd + eyes[1].sd) / 2 / cheeks,
  };
}
