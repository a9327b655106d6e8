// The evaluation's contact sheet: per story, one column per sampled frame and one row per
// source (the story's original frame, then each child's output), face crops side by side, with
// labels. Built with sharp from raw RGB tiles; written atomically.
import { OverlayOptions, sharp } from '@talecast/face/sharp-image';
import { writeFileAtomic } from '@talecast/storage';

export interface ContactSheetBlock {
  title: string;
  /** Frame index of each column. */
  frames: number[];
  /** Rows of raw RGB tiles (tile × tile), one per column. */
  rows: Buffer[][];
}

/** Side of one face crop on the sheet. */
export const CONTACT_TILE = 220;
const LABEL_W = 150;
const HEADER_H = 28;
const GAP = 4;

export async function writeContactSheet(file: string, blocks: ContactSheetBlock[], rowLabels: string[], tile = CONTACT_TILE): Promise<void> {
  const columns = Math.max(...blocks.map((b) => b.frames.length));
  const width = LABEL_W + columns * (tile + GAP);
  const blockHeight = (b: ContactSheetBlock) => HEADER_H + b.rows.length * (tile + GAP);
  const height = blocks.reduce((h, b) => h + blockHeight(b), 0) + GAP;
  const layers: OverlayOptions[] = [];
  let y = 0;
  for (const b of blocks) {
    layers.push({ input: label(width, HEADER_H, `${b.title}: ${b.frames.map((f) => `#${f}`).join('  ')}`, 17), left: 0, top: y });
    y += HEADER_H;
    b.rows.forEach((row, r) => {
      layers.push({ input: label(LABEL_W - GAP, tile, rowLabels[r] ?? '', 14), left: 0, top: y });
      row.forEach((buf, c) => layers.push({ input: buf, raw: { width: tile, height: tile, channels: 3 }, left: LABEL_W + c * (tile + GAP), top: y }));
      y += tile + GAP;
    });
  }
  const png = await sharp({ create: { width, height, channels: 3, background: { r: 24, g: 24, b: 28 } } })
    .composite(layers)
    .png()
    .toBuffer();
  await writeFileAtomic(file, png);
}

function label(width: number, height: number, text: string, size: number): Buffer {
  const escaped = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  const lines = escaped.split(': ');
  const tspans =
    height > HEADER_H ? lines.map((l, k) => `<tspan x="8" dy="${k === 0 ? 0 : size + 4}">${l}${k < lines.length - 1 ? ':' : ''}</tspan>`).join('') : escaped;
  const ty = height > HEADER_H ? height / 2 - ((lines.length - 1) * (size + 4)) / 2 : height - 8;
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="8" y="${ty}" font-family="sans-serif" font-size="${size}" fill="#e8e8e8">${tspans}</text></svg>`,
  );
}
