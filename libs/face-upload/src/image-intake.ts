// Decodes an uploaded photo safely with sharp: by content (never by extension or MIME type),
// with a pixel limit against decompression bombs, EXIF orientation applied, colour converted to
// sRGB, alpha flattened. Returns plain RGB pixels. Every refusal is a reason code.
import { sharp } from '@talecast/face/sharp-image';
import { TalecastError } from '@talecast/core/talecast-error';

export interface DecodedPhoto {
  /** Full-resolution upright sRGB pixels. */
  data: Uint8Array;
  width: number;
  height: number;
  format: string;
  /** True when the file carried an EXIF orientation other than "normal". */
  rotated: boolean;
}

const ACCEPTED = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif', 'tiff']);

export async function decodePhoto(input: Buffer, maxPixels: number): Promise<DecodedPhoto> {
  if (input.length === 0) throw new TalecastError('EMPTY_FILE', 'the file is empty');
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(input, { limitInputPixels: maxPixels, failOn: 'none' }).metadata();
  } catch (err) {
    throw classify(err);
  }
  refuseUnsupported(meta.format, meta.compression);
  if (!meta.width || !meta.height) throw new TalecastError('NOT_AN_IMAGE', 'the image has no size');
  if (meta.width * meta.height > maxPixels) {
    throw new TalecastError('IMAGE_TOO_LARGE', `the image has ${meta.width}x${meta.height} pixels; at most ${maxPixels} are accepted`);
  }
  try {
    const { data, info } = await sharp(input, { limitInputPixels: maxPixels, failOn: 'truncated', page: 0 })
      .rotate()
      .toColourspace('srgb')
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new TalecastError('UNSUPPORTED_IMAGE', 'the image could not be converted to RGB');
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
      width: info.width,
      height: info.height,
      format: meta.format,
      rotated: (meta.orientation ?? 1) !== 1,
    };
  } catch (err) {
    if (err instanceof TalecastError) throw err;
    throw classify(err, meta.format);
  }
}

/** Formats sharp reads that are not photos, and HEIC (this sharp build has no HEVC decoder). */
function refuseUnsupported(format: string | undefined, compression: string | undefined): void {
  if (format === 'heif' && compression === 'hevc' && !HEVC_DECODER) throw heicRefusal();
  if (format === 'svg') throw new TalecastError('NOT_AN_IMAGE', 'an SVG drawing is not a photo; please send a photo (JPEG or PNG)');
  if (format === 'pdf') throw new TalecastError('NOT_AN_IMAGE', 'a PDF document is not a photo; please send a photo (JPEG or PNG)');
  if (!format || !ACCEPTED.has(format)) throw new TalecastError('NOT_AN_IMAGE', 'the file is not a photo; please send a JPEG or PNG');
}

/** The prebuilt sharp reads AVIF but not HEVC-coded HEIF (no libde265): phones' HEIC photos. */
const HEVC_DECODER = (sharp.format.heif?.input?.fileSuffix ?? []).some((s: string) => /hei[cf]/i.test(s));

function heicRefusal(): TalecastError {
  return new TalecastError(
    'UNSUPPORTED_IMAGE',
    'HEIC photos are not supported; please send a JPEG (on an iPhone: Settings → Camera → Formats → Most Compatible)',
  );
}

function classify(err: unknown, format?: string): TalecastError {
  const message = (err as Error).message ?? '';
  if (/compression format has not been built in|HEVC/i.test(message)) return heicRefusal();
  if (/pixel limit/i.test(message)) return new TalecastError('IMAGE_TOO_LARGE', 'the image has too many pixels');
  if (/unsupported image format|bad seek|not a known file format/i.test(message)) return new TalecastError('NOT_AN_IMAGE', 'the file is not an image');
  if (/premature end|truncated|corrupt|unexpected end|Invalid|VipsJpeg|read error|gifload|pngload|incomplete/i.test(message)) {
    return new TalecastError('TRUNCATED_IMAGE', 'the image is damaged or incomplete');
  }
  if (format === 'heif' || /heif|hevc|compression format/i.test(message)) {
    return new TalecastError('UNSUPPORTED_IMAGE', 'this HEIC/HEIF image cannot be decoded here; please send a JPEG or PNG');
  }
  return new TalecastError('NOT_AN_IMAGE', 'the file could not be read as an image');
}

/** A copy scaled so its longer side is at most `maxSide` (box filter via sharp). */
export async function workingCopy(photo: DecodedPhoto, maxSide: number): Promise<{ data: Uint8Array; width: number; height: number; scale: number }> {
  const longer = Math.max(photo.width, photo.height);
  if (longer <= maxSide) return { data: photo.data, width: photo.width, height: photo.height, scale: 1 };
  const scale = maxSide / longer;
  // A very wide or tall photo (3000x1) must not round a side to 0 pixels.
  const width = Math.max(1, Math.round(photo.width * scale));
  const height = Math.max(1, Math.round(photo.height * scale));
  const data = await sharp(photo.data, { raw: { width: photo.width, height: photo.height, channels: 3 } })
    .resize(width, height, { kernel: 'linear' })
    .raw()
    .toBuffer();
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height, scale: width / photo.width };
}
