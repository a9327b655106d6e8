// The child's lids in a rendered output, read by analysis by synthesis: the eval composites the same frame
// again in-process with the child's lids held open and held shut (everything else as the render's target),
// and reads each output eye as where its luma lies between the two: 1 = as the open render, 0 = as the shut
// one. No model has to recognise a 7 px eye: the two renders say what open and shut look like in that very
// frame. Validated on renders whose lids are the drawn truth's and renders whose lids are held open
// (docs/notes/2026-12-07-s12/tale12.md): 640x360, every far-shot blink read on the first, none on the second.
import { FrameCompositor, FrameTarget, PreparedFace } from '@talecast/compositor';
import { yuv420View } from '@talecast/geometry';

/** The 68-point indices of each eye (image left first, as eyeOpen). */
const EYES = [
  [36, 37, 38, 39, 40, 41],
  [42, 43, 44, 45, 46, 47],
] as const;

/** The patch read around an eye: this share of the eye's width (corner to corner) each side of its centre. */
export const EYE_PATCH_HALF = 0.75;

/**
 * Where `output`'s luma lies between `open`'s and `shut`'s in the square patch about eye `eye` of `landmarks`
 * (least squares on (open − shut), each patch's mean taken out so a small change of the face's light does not
 * count): 1 = open, 0 = shut; NaN where the two renders do not differ there. Planes are width × height, row-major.
 */
export function lidReading(
  output: ArrayLike<number>,
  open: ArrayLike<number>,
  shut: ArrayLike<number>,
  width: number,
  height: number,
  landmarks: ArrayLike<number>,
  eye: 0 | 1,
): number {
  const points = EYES[eye];
  let cx = 0,
    cy = 0;
  for (const i of points) {
    cx += landmarks[2 * i] / points.length;
    cy += landmarks[2 * i + 1] / points.length;
  }
  const eyeWidth = Math.hypot(landmarks[2 * points[3]] - landmarks[2 * points[0]], landmarks[2 * points[3] + 1] - landmarks[2 * points[0] + 1]);
  const r = Math.max(2, EYE_PATCH_HALF * eyeWidth);
  const x0 = Math.max(0, Math.floor(cx - r)),
    x1 = Math.min(width - 1, Math.ceil(cx + r)),
    y0 = Math.max(0, Math.floor(cy - r)),
    y1 = Math.min(height - 1, Math.ceil(cy + r));
  if (x1 < x0 || y1 < y0) return NaN;
  let n = 0,
    mo = 0,
    ms = 0,
    mx = 0;
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const k = y * width + x;
      mo += open[k];
      ms += shut[k];
      mx += output[k];
      n++;
    }
  mo /= n;
  ms /= n;
  mx /= n;
  let num = 0,
    den = 0;
  for (let y = y0; y <= y1; y++)
    for (let x = x0; x <= x1; x++) {
      const k = y * width + x;
      const d = open[k] - mo - (shut[k] - ms);
      num += d * (output[k] - mx - (shut[k] - ms));
      den += d * d;
    }
  // Under a tenth of a grey level per pixel between open and shut: nothing to read.
  return den > 0.01 * n ? num / den : NaN;
}

/** Reads the child's lids in output frames against the same frames composited open and shut (one per run: reuses its buffers). */
export class LidSynthesis {
  private readonly compositor = new FrameCompositor();
  private open = new Uint8Array(0);
  private shut = new Uint8Array(0);

  /**
   * Both eyes' readings of `output` (4:2:0 frame bytes) for the render input `input` (the same frame before the
   * face was put in) and the render's `target`, or null where the child is not drawn.
   */
  read(output: Uint8Array, input: Uint8Array, width: number, height: number, face: PreparedFace, target: FrameTarget): [number, number] | null {
    if (!target.eyes) return null;
    if (this.open.length !== input.length) {
      this.open = new Uint8Array(input.length);
      this.shut = new Uint8Array(input.length);
    }
    this.open.set(input);
    this.shut.set(input);
    this.compositor.composite(yuv420View(this.open, width, height), face, { ...target, eyes: { open: Float32Array.of(1, 1), gaze: target.eyes.gaze } });
    const placed = this.compositor.lastLandmarks ? Float32Array.from(this.compositor.lastLandmarks) : null;
    if (!placed) return null;
    this.compositor.composite(yuv420View(this.shut, width, height), face, { ...target, eyes: { open: Float32Array.of(0, 0), gaze: target.eyes.gaze } });
    const n = width * height;
    const y = (b: Uint8Array) => b.subarray(0, n);
    return [0, 1].map((e) => lidReading(y(output), y(this.open), y(this.shut), width, height, placed, e as 0 | 1)) as [number, number];
  }
}
