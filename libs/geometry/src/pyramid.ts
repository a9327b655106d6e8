// Laplacian-pyramid (multi-band, Burt & Adelson 1983) blend of two equally sized 8-bit planes
// under a soft mask, for small regions such as a face's bounding box: low frequencies blend over
// a wide band, fine detail over a narrow one, which hides seams an alpha blend would show.
// Must never allocate per call once warmed up for a size (buffers only grow).
import { FloatPlane, Plane } from './plane';

export interface LaplacianBlendOptions {
  /** Pyramid levels including the base (3..5 is sensible; clamped to what the size allows). */
  levels?: number;
  /** Where the mask is exactly 0, copy `b` unchanged (default true): nothing outside bleeds in. */
  keepOutsideMask?: boolean;
}

interface Level {
  w: number;
  h: number;
  /** The difference image's pyramid level (then its weighted band, then the collapse). */
  a: Float32Array;
  /** The mask's Gaussian pyramid level. */
  m: Float32Array;
}

/** A reusable multi-band blender; keep one per thread or compositor. */
export class LaplacianBlender {
  private levels: Level[] = [];
  private tmp = new Float32Array(0);
  private up = new Float32Array(0);

  /**
   * out = multi-band blend of `a` (where mask = 1) over `b` (where mask = 0). All sizes equal;
   * `out` may be `b` (blend in place over a frame region view).
   */
  blend(a: Plane, b: Plane, mask: FloatPlane, out: Plane, options: LaplacianBlendOptions = {}): Plane {
    const w = a.width,
      h = a.height;
    if (b.width !== w || b.height !== h || mask.width !== w || mask.height !== h || out.width !== w || out.height !== h) {
      throw new RangeError('LaplacianBlender: planes and mask must be the same size');
    }
    if (w === 0 || h === 0) return out;
    let levels = Math.max(1, Math.floor(options.levels ?? 4));
    while (levels > 1 && w >> (levels - 1) < 2 && h >> (levels - 1) < 2) levels--;
    this.ensure(w, h, levels);
    const L = this.levels;

    // Pyramids are linear, so blend(L(a), L(b), G(m)) = L(b) + G(m)·L(a − b): one image
    // pyramid (of d = a − b) and the mask's instead of three.
    const base = L[0];
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        const k = j * w + i;
        base.a[k] = a.data[j * a.stride + i] - b.data[j * b.stride + i];
        base.m[k] = mask.data[j * mask.width + i];
      }
    }
    for (let l = 1; l < levels; l++) {
      const p = L[l - 1],
        q = L[l];
      this.reduce(p.a, p.w, p.h, q.a, q.w, q.h);
      this.reduce(p.m, p.w, p.h, q.m, q.w, q.h);
    }
    // Band l of d is G_l − expand(G_{l+1}); weight it by G_l(mask) in place (G_{l+1} is still
    // intact when level l is processed).
    const up = this.up;
    for (let l = 0; l < levels - 1; l++) {
      const p = L[l],
        q = L[l + 1],
        n = p.w * p.h;
      this.expand(q.a, q.w, q.h, up, p.w, p.h);
      for (let k = 0; k < n; k++) p.a[k] = p.m[k] * (p.a[k] - up[k]);
    }
    const top = L[levels - 1];
    for (let k = 0; k < top.w * top.h; k++) top.a[k] *= top.m[k];
    for (let l = levels - 2; l >= 0; l--) {
      const p = L[l],
        q = L[l + 1],
        n = p.w * p.h;
      this.expand(q.a, q.w, q.h, up, p.w, p.h);
      for (let k = 0; k < n; k++) p.a[k] += up[k];
    }
    const keep = options.keepOutsideMask ?? true;
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        const o = j * out.stride + i;
        const old = b.data[j * b.stride + i];
        if (keep && mask.data[j * mask.width + i] <= 0) {
          out.data[o] = old;
          continue;
        }
        const v = old + base.a[j * w + i];
        out.data[o] = v <= 0 ? 0 : v >= 255 ? 255 : (v + 0.5) | 0;
      }
    }
    return out;
  }

  private ensure(w: number, h: number, levels: number): void {
    for (let l = 0; l < levels; l++) {
      const lw = Math.max(1, Math.ceil(w / (1 << l))),
        lh = Math.max(1, Math.ceil(h / (1 << l)));
      const level = this.levels[l];
      if (!level || level.a.length < lw * lh) {
        const size = lw * lh;
        this.levels[l] = { w: lw, h: lh, a: new Float32Array(size), m: new Float32Array(size) };
      } else {
        level.w = lw;
        level.h = lh;
      }
    }
    if (this.tmp.length < w * h) {
      this.tmp = new Float32Array(w * h);
      this.up = new Float32Array(w * h);
    }
  }

  /** 5-tap [1 4 6 4 1]/16 blur then 2x decimation, separable, edges clamped. */
  private reduce(src: Float32Array, sw: number, sh: number, dst: Float32Array, dw: number, dh: number): void {
    const tmp = this.tmp; // dw x sh
    const mx = sw - 1;
    for (let j = 0; j < sh; j++) {
      const r = j * sw;
      for (let i = 0; i < dw; i++) {
        const x = 2 * i;
        const xm2 = x - 2 < 0 ? 0 : x - 2,
          xm1 = x - 1 < 0 ? 0 : x - 1;
        const xp1 = x + 1 > mx ? mx : x + 1,
          xp2 = x + 2 > mx ? mx : x + 2;
        const xc = x > mx ? mx : x;
        tmp[j * dw + i] = (src[r + xm2] + 4 * src[r + xm1] + 6 * src[r + xc] + 4 * src[r + xp1] + src[r + xp2]) / 16;
      }
    }
    const my = sh - 1;
    for (let j = 0; j < dh; j++) {
      const y = 2 * j;
      const ym2 = (y - 2 < 0 ? 0 : y - 2) * dw,
        ym1 = (y - 1 < 0 ? 0 : y - 1) * dw;
      const yc = (y > my ? my : y) * dw;
      const yp1 = (y + 1 > my ? my : y + 1) * dw,
        yp2 = (y + 2 > my ? my : y + 2) * dw;
      for (let i = 0; i < dw; i++) {
        dst[j * dw + i] = (tmp[ym2 + i] + 4 * tmp[ym1 + i] + 6 * tmp[yc + i] + 4 * tmp[yp1 + i] + tmp[yp2 + i]) / 16;
      }
    }
  }

  /** 2x upsampling with the same kernel (even outputs [1 6 1]/8, odd [4 4]/8), edges clamped. */
  private expand(src: Float32Array, sw: number, sh: number, dst: Float32Array, dw: number, dh: number): void {
    const tmp = this.tmp; // dw x sh
    const mx = sw - 1;
    for (let j = 0; j < sh; j++) {
      const r = j * sw;
      for (let i = 0; i < dw; i++) {
        const c = i >> 1;
        let v: number;
        if ((i & 1) === 0) v = (src[r + (c - 1 < 0 ? 0 : c - 1)] + 6 * src[r + (c > mx ? mx : c)] + src[r + (c + 1 > mx ? mx : c + 1)]) / 8;
        else v = (src[r + (c > mx ? mx : c)] + src[r + (c + 1 > mx ? mx : c + 1)]) / 2;
        tmp[j * dw + i] = v;
      }
    }
    const my = sh - 1;
    for (let j = 0; j < dh; j++) {
      const c = j >> 1;
      const r0 = (c - 1 < 0 ? 0 : c - 1) * dw,
        r1 = (c > my ? my : c) * dw,
        r2 = (c + 1 > my ? my : c + 1) * dw;
      const out = j * dw;
      if ((j & 1) === 0) for (let i = 0; i < dw; i++) dst[out + i] = (tmp[r0 + i] + 6 * tmp[r1 + i] + tmp[r2 + i]) / 8;
      else for (let i = 0; i < dw; i++) dst[out + i] = (tmp[r1 + i] + tmp[r2 + i]) / 2;
    }
  }
}

/** One-off Laplacian blend into a new plane (allocates; per frame keep a LaplacianBlender). */
export function laplacianBlend(a: Plane, b: Plane, mask: FloatPlane, options?: LaplacianBlendOptions): Plane {
  const out: Plane = { data: new Uint8Array(a.width * a.height), width: a.width, height: a.height, stride: a.width };
  return new LaplacianBlender().blend(a, b, mask, out, options);
}
