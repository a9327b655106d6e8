// Identity descriptors on pose-normalised face chips. face-api crops its recognition chip from
// the landmarks' bounding box without undoing in-plane rotation, so a story face tilted by 14°
// would look "closer" to any other face with the same tilt (the story's own face in the same
// frame) than to the upright photo of the child. Every face compared here — the child's photo,
// the story's frame, the rendered frame — is first aligned to the canonical template with the
// same similarity as the upload (eye line level, fixed eye distance), then cropped the way
// face-api crops (landmarks' box + 20%) and fed to the same recognition net.
import { canonicalLandmarks, LoadedFaceModels } from '@talecast/face';
import { alignFace } from '@talecast/face-upload';
import { RgbFrame } from './insertion-metrics';

/** Canonical space for the chips (the template's eyes are 150/512 of it apart). */
const CHIP_SPACE = 512;
const PADDING = 0.2;

let chipRect: { x: number; y: number; side: number } | undefined;

/** The crop of the canonical space that face-api's own alignment would take of the template. */
function rect(): { x: number; y: number; side: number } {
  if (chipRect) return chipRect;
  const lm = canonicalLandmarks(CHIP_SPACE);
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (let i = 0; i < 68; i++) {
    x0 = Math.min(x0, lm[2 * i]);
    x1 = Math.max(x1, lm[2 * i]);
    y0 = Math.min(y0, lm[2 * i + 1]);
    y1 = Math.max(y1, lm[2 * i + 1]);
  }
  const side = Math.round(Math.max(x1 - x0, y1 - y0) * (1 + PADDING));
  const cx = (x0 + x1) / 2,
    cy = (y0 + y1) / 2;
  chipRect = { x: Math.round(cx - side / 2), y: Math.round(cy - side / 2), side };
  return chipRect;
}

/** The upright RGB chip of the face with these landmarks (black where the image ends). */
export function identityChip(image: RgbFrame, landmarks: ArrayLike<number>): RgbFrame {
  const aligned = alignFace(image.data, image.width, image.height, landmarks, CHIP_SPACE);
  const { x, y, side } = rect();
  const out = new Uint8Array(side * side * 3);
  for (let j = 0; j < side; j++) {
    const sy = y + j;
    if (sy < 0 || sy >= CHIP_SPACE) continue;
    for (let i = 0; i < side; i++) {
      const sx = x + i;
      if (sx < 0 || sx >= CHIP_SPACE) continue;
      const s = (sy * CHIP_SPACE + sx) * 4,
        d = (j * side + i) * 3;
      out[d] = aligned.rgba[s];
      out[d + 1] = aligned.rgba[s + 1];
      out[d + 2] = aligned.rgba[s + 2];
    }
  }
  return { data: out, width: side, height: side };
}

/** 128-d descriptor of the face with these landmarks, on its upright chip. */
export async function identityDescriptor(models: LoadedFaceModels, image: RgbFrame, landmarks: ArrayLike<number>): Promise<Float32Array> {
  const chip = identityChip(image, landmarks);
  const input = models.tf.tensor3d(chip.data, [chip.height, chip.width, 3], 'int32');
  try {
    return Float32Array.from(await models.faceapi.nets.faceRecognitionNet.computeFaceDescriptor(input));
  } finally {
    input.dispose();
  }
}
