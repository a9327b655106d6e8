// sharp, set up once for the whole process: its operation cache is off (every image is read once;
// a cache would keep an uploaded photo's pixels in memory after the photo is deleted). Imported
// as '@talecast/face/sharp-image' by main-thread modules only (never through @talecast/face's
// index, which the analysis workers load). Every module takes sharp from here, never from
// 'sharp' directly (eslint.config.mjs enforces it).
import sharp from 'sharp';

sharp.cache(false);

export { sharp };
export type { OverlayOptions, Sharp } from 'sharp';
