// Frames of a rendered video for tests that look at pictures: one frame decoded at a time (MP4,
// a story's media or an HLS playlist URL) as RGB, compared region by region, saved as PNG for a
// person to look at. ffmpeg runs through libs/video, sharp through @talecast/face/sharp-image.
import { locateFfmpeg, startFfmpeg } from '@talecast/video';
import { sharp } from '@talecast/face/sharp-image';

export interface RgbFrame {
  data: Uint8Array;
  width: number;
  height: number;
}

/** The frame shown at `seconds` (accurate seek), scaled to width × height, as RGB. */
export async function videoFrameAt(input: string, seconds: number, width: number, height: number): Promise<RgbFrame> {
  const { ffmpeg } = await locateFfmpeg();
  const args = ['-hide_banner', '-loglevel', 'error', '-nostdin', '-ss', seconds.toFixed(3), '-i', input, '-map', '0:v:0', '-frames:v', '1'];
  args.push('-vf', `scale=${width}:${height}:flags=bilinear`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1');
  const run = startFfmpeg(ffmpeg, args, { stdout: true });
  const chunks: Buffer[] = [];
  for await (const chunk of run.child.stdout! as AsyncIterable<Buffer>) chunks.push(chunk);
  await run.done;
  const data = new Uint8Array(Buffer.concat(chunks));
  if (data.length !== width * height * 3) throw new Error(`${input} at ${seconds} s: ${data.length} bytes, expected one ${width}x${height} frame`);
  return { data, width, height };
}

/** Mean absolute difference (0..255) of two frames over a rectangle given as fractions of the frame [x0, y0, x1, y1]. */
export function regionDifference(a: RgbFrame, b: RgbFrame, box: [number, number, number, number]): number {
  const [x0, y0, x1, y1] = [Math.round(box[0] * a.width), Math.round(box[1] * a.height), Math.round(box[2] * a.width), Math.round(box[3] * a.height)];
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = (y * a.width + x) * 3;
      sum += Math.abs(a.data[p] - b.data[p]) + Math.abs(a.data[p + 1] - b.data[p + 1]) + Math.abs(a.data[p + 2] - b.data[p + 2]);
      n += 3;
    }
  }
  return n ? sum / n : 0;
}

export async function saveFramePng(frame: RgbFrame, file: string): Promise<void> {
  await sharp(Buffer.from(frame.data), { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .png()
    .toFile(file);
}
