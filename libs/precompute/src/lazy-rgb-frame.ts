// A decoded 4:2:0 frame seen as RGB, converted only where someone looks. The analysis reads a
// frame's RGB in a few places — the face's crop, the shot detector's sample points, the skin
// region, rarely the whole frame — so converting all of it (ffmpeg's rgb24 output) spent most of
// the conversion and twice the pipe bytes on pixels nobody read. Consumers call `ensure*` for
// the area they are about to read, then read `rgb` as an ordinary whole-frame RGB24 buffer.
import { Rect, Yuv420, yuv420ToRgbRect, YuvCoefficients } from '@talecast/geometry';

export class LazyRgbFrame {
  /** Whole-frame RGB24 layout; only the ensured areas hold this frame's pixels. */
  readonly rgb: Uint8Array;
  private frame: Yuv420 | null = null;
  private whole = false;
  private readonly done: Rect[] = [];

  constructor(
    readonly width: number,
    readonly height: number,
    private readonly k: YuvCoefficients,
  ) {
    this.rgb = new Uint8Array(width * height * 3);
  }

  /** A new frame: nothing of it is converted yet. */
  reset(frame: Yuv420): void {
    if (frame.y.width !== this.width || frame.y.height !== this.height) throw new RangeError('frame size differs');
    this.frame = frame;
    this.whole = false;
    this.done.length = 0;
  }

  /** Converts the whole frame. */
  ensureAll(): void {
    if (this.whole) return;
    yuv420ToRgbRect(this.current(), this.k, 0, 0, this.width, this.height, this.rgb);
    this.whole = true;
  }

  /**
   * Converts the pixels of a rectangle (frame pixels, any extent; grown by `margin` for the
   * bilinear neighbours of its edge samples, clipped to the frame) unless they already are.
   */
  ensure(r: Rect, margin = 2): void {
    if (this.whole) return;
    const x0 = Math.max(0, Math.floor(r.x) - margin),
      y0 = Math.max(0, Math.floor(r.y) - margin);
    const x1 = Math.min(this.width, Math.ceil(r.x + r.width) + margin),
      y1 = Math.min(this.height, Math.ceil(r.y + r.height) + margin);
    if (!(x1 > x0 && y1 > y0)) return;
    for (const d of this.done) if (d.x <= x0 && d.y <= y0 && d.x + d.width >= x1 && d.y + d.height >= y1) return;
    yuv420ToRgbRect(this.current(), this.k, x0, y0, x1, y1, this.rgb);
    this.done.push({ x: x0, y: y0, width: x1 - x0, height: y1 - y0 });
  }

  /** Converts single pixels, given as offsets `y * width + x`. */
  ensurePixels(offsets: Int32Array): void {
    if (this.whole) return;
    const frame = this.current();
    for (let n = 0; n < offsets.length; n++) {
      const p = offsets[n],
        y = (p / this.width) | 0,
        x = p - y * this.width;
      yuv420ToRgbRect(frame, this.k, x, y, x + 1, y + 1, this.rgb);
    }
  }

  private current(): Yuv420 {
    if (!this.frame) throw new Error('no frame');
    return this.frame;
  }
}
