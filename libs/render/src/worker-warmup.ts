// Warms a segment thread up when it starts: one face preparation and one small composite on a
// synthetic face (the canonical landmarks, a flat skin tone), so the JIT's cold start (measured:
// ~2 s for the first prepareFace in a fresh thread on a busy 2-core machine, ~0.3 s once warm)
// is paid while the worker waits for its first render, not while a parent waits for the first frame.
import { FrameCompositor, FrameTarget, prepareFace } from '@talecast/compositor';
import { CANONICAL_LANDMARKS, CANONICAL_SIZE } from '@talecast/face/canonical-face.data';

const FRAME_W = 320;
const FRAME_H = 240;

/** Runs the compositor's hot paths once; never throws (a failed warm-up only costs time later). */
export function warmUpCompositor(compositor: FrameCompositor): number {
  const started = performance.now();
  try {
    const size = CANONICAL_SIZE;
    const rgba = new Uint8Array(size * size * 4);
    for (let i = 0; i < size * size; i++) rgba.set([200 + (i % 7), 160 + (i % 5), 140, 255], i * 4);
    const landmarks = Float32Array.from(CANONICAL_LANDMARKS);
    const face = prepareFace({ rgba, size, landmarks, matrix: 'bt709', range: 'tv', style: 'photo' });
    const y = new Uint8Array(FRAME_W * FRAME_H).fill(120);
    const u = new Uint8Array((FRAME_W / 2) * (FRAME_H / 2)).fill(128);
    const v = new Uint8Array((FRAME_W / 2) * (FRAME_H / 2)).fill(128);
    // The face at about a third of the frame's height, centred.
    const scale = FRAME_H / 3 / size;
    const target: FrameTarget = {
      landmarks: Float32Array.from(landmarks, (c, i) => (i % 2 === 0 ? FRAME_W / 2 + (c - size / 2) * scale : FRAME_H / 2 + (c - size / 2) * scale)),
      colour: { mean: [60, 5, 10], std: [10, 3, 3], weight: 1 },
      yaw: 0,
      mouthOpen: 0,
      occluders: [],
    };
    compositor.composite(
      {
        y: { data: y, width: FRAME_W, height: FRAME_H, stride: FRAME_W },
        u: { data: u, width: FRAME_W / 2, height: FRAME_H / 2, stride: FRAME_W / 2 },
        v: { data: v, width: FRAME_W / 2, height: FRAME_H / 2, stride: FRAME_W / 2 },
      },
      face,
      target,
    );
  } catch {
    // nothing to warm: the first render pays the cold start as before
  }
  return performance.now() - started;
}
