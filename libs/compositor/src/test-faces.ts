// Synthetic faces and frames for the compositor's specs and benchmark: a flat-coloured aligned
// face (optionally with painted eyes, brows and mouth) and grey 4:2:0 frames.
// Must never be imported by production code.
import {
  centroid,
  createFloatPlane,
  createPlane,
  fillPolygon,
  gatherPoints,
  INNER_MOUTH,
  LEFT_BROW,
  LEFT_EYE,
  RIGHT_BROW,
  RIGHT_EYE,
  syntheticFaceLandmarks,
  Yuv420,
} from '@talecast/geometry';

export type Rgb = [number, number, number];

export interface TestFace {
  rgba: Uint8Array;
  size: number;
  landmarks: Float32Array;
}

/** A flat `skin` face of `size` px; features (if given) painted where fully covered. */
export function flatFace(size: number, skin: Rgb, features?: { eyes: Rgb; brows: Rgb; mouth: Rgb }, mouthOpen = 0.3): TestFace {
  const landmarks = syntheticFaceLandmarks({ centerX: size / 2, centerY: size * 0.55, faceWidth: size * 0.58, mouthOpen });
  const rgba = new Uint8Array(size * size * 4);
  for (let k = 0; k < size * size; k++) rgba.set([skin[0], skin[1], skin[2], 255], 4 * k);
  if (features) {
    const [rx, ry] = centroid(landmarks, RIGHT_EYE);
    const [lx, ly] = centroid(landmarks, LEFT_EYE);
    const thick = 0.04 * Math.hypot(lx - rx, ly - ry);
    const paint = (polygon: Float32Array, colour: Rgb) => {
      const m = createFloatPlane(size, size);
      fillPolygon(m, polygon);
      for (let k = 0; k < size * size; k++) if (m.data[k] >= 0.999) rgba.set(colour, 4 * k);
    };
    paint(gatherPoints(landmarks, RIGHT_EYE), features.eyes);
    paint(gatherPoints(landmarks, LEFT_EYE), features.eyes);
    paint(gatherPoints(landmarks, INNER_MOUTH), features.mouth);
    for (const brow of [RIGHT_BROW, LEFT_BROW]) {
      const line = gatherPoints(landmarks, brow);
      const n = line.length / 2;
      const band = new Float32Array(4 * n);
      for (let k = 0; k < n; k++) {
        band[2 * k] = line[2 * k];
        band[2 * k + 1] = line[2 * k + 1] - thick;
        band[2 * (2 * n - 1 - k)] = line[2 * k];
        band[2 * (2 * n - 1 - k) + 1] = line[2 * k + 1] + thick;
      }
      paint(band, features.brows);
    }
  }
  return { rgba, size, landmarks };
}

/** A uniform 4:2:0 frame. */
export function greyFrame(width: number, height: number, y = 128, u = 128, v = 128): Yuv420 {
  const cw = (width + 1) >> 1,
    ch = (height + 1) >> 1;
  return { y: createPlane(width, height, y), u: createPlane(cw, ch, u), v: createPlane(cw, ch, v) };
}

export function cloneFrame(f: Yuv420): Yuv420 {
  const copy = (p: Yuv420['y']) => ({ ...p, data: Uint8Array.from(p.data) });
  return { y: copy(f.y), u: copy(f.u), v: copy(f.v) };
}
