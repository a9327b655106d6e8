// Streams the decoded yuv420p frames of one video, or of several files played one after the
// other (a story's render-ready segments), one frame at a time: memory stays at a few frames
// however long the video. Pulls from ffmpeg only as fast as the caller consumes.
import { decodeSegmentArgs, startFfmpeg } from '@talecast/video';

export class FrameReader {
  private readonly frameBytes: number;
  private readonly files: string[];
  private current: { iterator: AsyncIterator<Buffer>; done: Promise<void>; kill: () => void } | null = null;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** Frames returned so far. */
  index = 0;

  constructor(
    private readonly ffmpeg: string,
    files: string | string[],
    width: number,
    height: number,
  ) {
    this.files = Array.isArray(files) ? [...files] : [files];
    this.frameBytes = width * height + 2 * ((width + 1) >> 1) * ((height + 1) >> 1);
  }

  /** The next frame (a fresh buffer), or null after the last file's last frame. */
  async next(): Promise<Buffer | null> {
    for (;;) {
      if (this.pendingBytes >= this.frameBytes) return this.take();
      if (!this.current) {
        if (this.pendingBytes > 0) throw new Error(`a decoded file ended with a partial frame (${this.pendingBytes} bytes)`);
        const file = this.files.shift();
        if (file === undefined) return null;
        const run = startFfmpeg(this.ffmpeg, decodeSegmentArgs(file, 2), { stdout: true });
        this.current = { iterator: run.child.stdout![Symbol.asyncIterator](), done: run.done, kill: () => run.child.kill('SIGKILL') };
      }
      const r = await this.current.iterator.next();
      if (r.done) {
        await this.current.done;
        this.current = null;
        continue;
      }
      this.pending.push(r.value);
      this.pendingBytes += r.value.length;
    }
  }

  /** Stops the decoder early (safe to call at any time). */
  close(): void {
    this.current?.kill();
    this.current?.done.catch(() => undefined);
    this.current = null;
    this.files.length = 0;
  }

  private take(): Buffer {
    const out = Buffer.allocUnsafe(this.frameBytes);
    let filled = 0;
    while (filled < this.frameBytes) {
      const head = this.pending[0];
      const n = Math.min(head.length, this.frameBytes - filled);
      head.copy(out, filled, 0, n);
      filled += n;
      if (n === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(n);
    }
    this.pendingBytes -= this.frameBytes;
    this.index++;
    return out;
  }
}
