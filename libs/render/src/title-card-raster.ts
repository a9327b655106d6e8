// Draws the title card with sharp (librsvg and the system's fonts through fontconfig; Korean
// needs fonts-nanum): the two lines are measured first (each drawn alone and trimmed), the layout
// fits them, then the whole card is drawn at the story's frame size and turned into blendable
// planes. Main thread only (sharp comes from @talecast/face/sharp-image). Never logs the name.
import { sharp } from '@talecast/face/sharp-image';
import type { YuvMatrix, YuvRange } from '@talecast/geometry';
import { baseTypeSizes, chooseCardPlacement, FaceBox, TitleCardText, textLineSvg, titleCardLayout, titleCardOpacity, titleCardSvg } from './title-card';
import { CardOverlay, cardOverlayFromRgba } from './title-card-overlay';

export interface DrawnTitleCard {
  /** Straight-alpha RGBA at the frame's size. */
  rgba: Uint8Array;
  overlay: CardOverlay | null;
}

export async function drawTitleCard(
  text: TitleCardText,
  video: { width: number; height: number; matrix: YuvMatrix; range: YuvRange },
  faces: readonly FaceBox[] = [],
): Promise<DrawnTitleCard> {
  const rgba = await titleCardRgba(text, video.width, video.height, faces);
  return { rgba, overlay: cardOverlayFromRgba(rgba, video.width, video.height, video.matrix, video.range) };
}

/** The card as straight-alpha RGBA, width × height; away from `faces` (the story's, while the card shows) where it can be. */
export async function titleCardRgba(text: TitleCardText, width: number, height: number, faces: readonly FaceBox[] = []): Promise<Uint8Array> {
  const base = baseTypeSizes(height);
  const [title, starring] = await Promise.all([measureLine(text.title, base.title, true), measureLine(text.starring, base.starring, false)]);
  const measured = { title, starring };
  const placement = chooseCardPlacement(faces, titleCardLayout(width, height, measured, 'bottom').panel, titleCardLayout(width, height, measured, 'top').panel);
  const svg = titleCardSvg(text, titleCardLayout(width, height, measured, placement));
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height || info.channels !== 4)
    throw new Error(`title card drawn at ${info.width}x${info.height}x${info.channels}`);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** The drawn width (px) of one line at `size`: drawn alone on a wide transparent canvas, trimmed to its ink. */
async function measureLine(text: string, size: number, bold: boolean): Promise<number> {
  const canvas = Math.ceil(size * (2 + [...text].length * 1.2));
  const { info } = await sharp(Buffer.from(textLineSvg(text, size, bold, canvas)))
    .trim({ background: { r: 0, g: 0, b: 0, alpha: 0 }, threshold: 1 })
    .raw()
    .toBuffer({ resolveWithObject: true })
    .catch(() => ({ info: { width: Math.round(size * 0.6 * [...text].length) } }));
  return info.width;
}

export interface PreparedTitleCard {
  overlay: CardOverlay;
  /** Per frame from the story's start: the card's opacity (its length is the card's frame count). */
  opacity: Float32Array;
}

/** The card for a story: drawn at its frame size, with its opacity over the first seconds; null if nothing would show. */
export async function prepareTitleCard(
  text: TitleCardText,
  video: { width: number; height: number; matrix: YuvMatrix; range: YuvRange; fps: number; frameCount: number },
  faces: readonly FaceBox[] = [],
): Promise<PreparedTitleCard | null> {
  const { overlay } = await drawTitleCard(text, video, faces);
  const opacity = titleCardOpacity(video.fps, video.frameCount);
  return overlay && opacity.length ? { overlay, opacity } : null;
}
