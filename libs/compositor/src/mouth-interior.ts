// A drawn mouth interior for an open story mouth when the child's photo has closed lips: without
// it the warp stretches the photo's lip seam (a sliver of texels between the lips) over the whole
// gap, so the child's closed lips look smeared open. Per frame, over the inner-mouth triangles
// only: a dark, warm interior, darkest in the middle of the gap, blended with the face's alpha
// (which the story's own interior — the open-mouth cut — has already taken out where it shows).
// Pure; must never allocate per frame.
import { forEachWarpSpan, INNER_MOUTH, mouthOpenness, Rect, rgbToYuv, WarpScratch, WarpSpanVisitor, Yuv420, YuvCoefficients } from '@talecast/geometry';

/** The photo's inner-lip gap (see mouthOpenness) under which its mouth counts as closed. */
export const CLOSED_PHOTO_MOUTH = 0.08;
/** Interior colour (sRGB): a dark warm red-brown, as a mouth's shadowed inside. */
const INTERIOR_RGB: [number, number, number] = [58, 22, 24];

/** The inner-mouth triangles of a face's triangulation (all three corners on the inner lips). */
export function innerMouthTriangles(faceTriangles: ArrayLike<number>): Uint32Array {
  const first = INNER_MOUTH[0],
    last = INNER_MOUTH[INNER_MOUTH.length - 1];
  const out: number[] = [];
  for (let t = 0; t + 2 < faceTriangles.length; t += 3) {
    const a = faceTriangles[t],
      b = faceTriangles[t + 1],
      c = faceTriangles[t + 2];
    if (a >= first && a <= last && b >= first && b <= last && c >= first && c <= last) out.push(a, b, c);
  }
  return Uint32Array.from(out);
}

/** Whether a photo's mouth is closed enough that its interior must be drawn, not warped. */
export function photoMouthClosed(landmarks: ArrayLike<number>): boolean {
  return mouthOpenness(landmarks) < CLOSED_PHOTO_MOUTH;
}

export class MouthInterior {
  private readonly luma = new FillSpans();
  private readonly chroma = new FillSpans();
  private readonly chromaRegion: Rect = { x: 0, y: 0, width: 0, height: 0 };
  private readonly yuv = new Float64Array(3);

  /** Draws the interior into `frame` over `triangles` of the frame mesh `dst` (alpha: the face's, over `region`). */
  draw(
    frame: Yuv420,
    meshPoints: ArrayLike<number>,
    dst: ArrayLike<number>,
    triangles: Uint32Array,
    region: Rect,
    alpha: Float32Array,
    k: YuvCoefficients,
    scratch: WarpScratch,
  ): void {
    if (!triangles.length) return;
    rgbToYuv(INTERIOR_RGB[0], INTERIOR_RGB[1], INTERIOR_RGB[2], k, this.yuv);
    this.luma.setup(frame.y.data, null, frame.y.stride, region, alpha, this.yuv[0], 0, false);
    forEachWarpSpan(meshPoints, dst, triangles, region, this.luma, 1, scratch);
    const cr = this.chromaRegion;
    cr.x = region.x >> 1;
    cr.y = region.y >> 1;
    cr.width = (region.width + 1) >> 1;
    cr.height = (region.height + 1) >> 1;
    this.chroma.setup(frame.u.data, frame.v.data, frame.u.stride, region, alpha, this.yuv[1], this.yuv[2], true);
    forEachWarpSpan(meshPoints, dst, triangles, cr, this.chroma, 0.5, scratch);
    this.luma.release();
    this.chroma.release();
  }
}

const EMPTY8: Uint8Array = new Uint8Array(0);
const EMPTYF: Float32Array = new Float32Array(0);

/** Blends a constant value (luma) or pair (chroma, alpha = min over the 2×2 luma block) with the face's alpha. */
class FillSpans implements WarpSpanVisitor {
  private a = EMPTY8;
  private b = EMPTY8;
  private stride = 0;
  private alpha = EMPTYF;
  private ox = 0;
  private oy = 0;
  private w = 0;
  private h = 0;
  private va = 0;
  private vb = 0;
  private chroma = false;

  setup(a: Uint8Array, b: Uint8Array | null, stride: number, region: Rect, alpha: Float32Array, va: number, vb: number, chroma: boolean): void {
    this.a = a;
    this.b = b ?? EMPTY8;
    this.stride = stride;
    this.alpha = alpha;
    this.ox = region.x;
    this.oy = region.y;
    this.w = region.width;
    this.h = region.height;
    this.va = va;
    this.vb = vb;
    this.chroma = chroma;
  }

  release(): void {
    this.a = this.b = EMPTY8;
    this.alpha = EMPTYF;
  }

  span(y: number, x0: number, n: number): void {
    const alpha = this.alpha,
      w = this.w;
    for (let i = 0; i < n; i++) {
      let al: number;
      if (this.chroma) {
        const lx = 2 * (x0 + i - (this.ox >> 1)),
          ly = 2 * (y - (this.oy >> 1));
        const lx1 = lx + 1 < w ? lx + 1 : lx,
          ly1 = ly + 1 < this.h ? ly + 1 : ly;
        al = Math.min(alpha[ly * w + lx], alpha[ly * w + lx1], alpha[ly1 * w + lx], alpha[ly1 * w + lx1]);
      } else {
        al = alpha[(y - this.oy) * w + (x0 + i - this.ox)];
      }
      if (!(al > 0)) continue;
      const f = y * this.stride + x0 + i;
      this.a[f] = (this.a[f] + al * (this.va - this.a[f]) + 0.5) | 0;
      if (this.chroma) this.b[f] = (this.b[f] + al * (this.vb - this.b[f]) + 0.5) | 0;
    }
  }
}
