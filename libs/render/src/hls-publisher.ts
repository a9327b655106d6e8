// The HLS side of a render: each segment gets its piece as soon as it is ready (face-free ones
// are linked from the story's media, rendered ones are written here from the rendered file and
// the story's own piece of the segment, its audio kept; voiced ones, and any piece that cannot be
// written so, are muxed by ffmpeg with the audio slice), and
// the playlist grows strictly in order: segment k is listed once 0..k have pieces. Never lists a
// piece that is not complete; never writes outside the render's hls folder.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StoryManifest } from '@talecast/precompute';
import { replaceFile, replaceFiles } from '@talecast/storage';
import { EncoderHlsPiece, hlsPiecesFromStoryArgs, hlsSegmentsArgs, runFfmpeg, tsPieceFromStory, tsStartTimes } from '@talecast/video';
import { HlsEntry, hlsPlaylist } from './hls-playlist';

/** HLS pieces muxed by one ffmpeg at most. */
const HLS_BATCH = 6;

/**
 * Pieces of rendered segments wait to be muxed together (each ffmpeg start costs ~0.15 CPU-s,
 * about what muxing a piece costs) until the playlist, held up by one of them, has less than this
 * many seconds of video ahead of where playback can be at the earliest (playing since the first
 * piece was listed), or a batch is full, or no more rendered pieces will come.
 */
const HLS_LEAD_SECONDS = 10;

export interface HlsPublisherOptions {
  ffmpeg: string;
  manifest: StoryManifest;
  /** A story file named by the manifest (its media and HLS pieces), as a path. */
  storyPath: (relative: string) => string;
  /** The render's hls folder. */
  hlsDir: string;
  /** Per segment: the video the render uses (the story's media or the rendered file). */
  videoOf: (k: number) => string;
  /** The render's audio (the story's, or its mix with the child's voice), or null. */
  audio: string | null;
  /** Segments whose audio is not the story's (the child's voice): their pieces take `audio`, never the story's piece. */
  voiced?: ReadonlySet<number>;
  /** Resolves when `audio` is complete (a mix still being made). */
  audioReady?: Promise<void>;
  /** When the render started (Date.now()), for firstHlsMs. */
  started: number;
  trace: (event: string) => void;
}

interface WaitingPiece {
  k: number;
  target: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export class HlsPublisher {
  private readonly entries: HlsEntry[] = [];
  private readonly ready: boolean[];
  private readonly targetSeconds: number;
  private readonly fps: number;
  private readonly waiting: WaitingPiece[] = [];
  private muxing = false;
  private allRendered = false;
  private firstListedAt: number | null = null;
  private leadTimer: NodeJS.Timeout | undefined;
  private chain = Promise.resolve();
  /** Milliseconds from the render's start to its first playlist, once written. */
  firstHlsMs: number | null = null;

  constructor(private readonly o: HlsPublisherOptions) {
    this.ready = new Array(o.manifest.segments.length).fill(false);
    this.fps = o.manifest.video.fps;
    this.targetSeconds = Math.max(...o.manifest.segments.map((s) => (s.end - s.start) / this.fps));
  }

  /** Segments listed in the playlist, from the start. */
  get published(): number {
    return this.entries.length;
  }

  /** Makes segment k's piece (muxed when `rendered`, else linked from the story). */
  async addPiece(k: number, rendered: boolean): Promise<void> {
    await this.makePiece(k, rendered);
    this.ready[k] = true;
  }

  /** Lists every segment now ready, in order, then calls `then`; resolves when both are done. */
  publish(then: () => void | Promise<void>): Promise<void> {
    this.chain = this.chain.then(() => this.publishReady()).then(then);
    return this.chain;
  }

  /** Every run has ended (no more rendered pieces will come): the pieces waiting are muxed now. */
  rendered(): void {
    this.allRendered = true;
    void this.muxWaiting();
  }

  /** Resolves once every playlist update asked for so far is written. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** The final playlist (ended). */
  async finish(): Promise<void> {
    clearTimeout(this.leadTimer);
    await this.writePlaylist(true);
  }

  /**
   * Segment k's piece as the encoder of its run can write it (the quick start's: no remux after
   * the run, with its ffmpeg start, while the parent waits): a temporary name in the hls folder
   * and the story piece's audio. Null where the piece is made here: a voiced segment (its audio
   * is the mix), an unreadable story piece, or a piece already there.
   */
  async encoderPiece(k: number): Promise<EncoderHlsPiece | null> {
    const target = path.join(this.o.hlsDir, this.pieceName(k));
    if (this.o.voiced?.has(k) || (await exists(target))) return null;
    const story = await this.storyPieceTimes(k);
    if (!story) return null;
    return { storyPiece: story.storyPiece, audioLeadSeconds: story.videoDelaySeconds, startSeconds: story.startSeconds, out: `${target}.tmp` };
  }

  /** Puts the piece a run's encoder wrote (`encoderPiece`) in place; if there is none, `addPiece` muxes it as usual. */
  async adoptPiece(k: number, piece: EncoderHlsPiece): Promise<void> {
    try {
      await fs.rename(piece.out, path.join(this.o.hlsDir, this.pieceName(k)));
      this.o.trace(`hls piece ${k} written by its encoder`);
    } catch {
      // none written (the run failed and was retried elsewhere): muxed from the segment instead
    }
  }

  /** The story's piece of segment k, where its video starts after its audio, and the segment's start; null if unreadable. */
  private async storyPieceTimes(k: number): Promise<{ storyPiece: string; videoDelaySeconds: number; startSeconds: number } | null> {
    const seg = this.o.manifest.segments[k];
    const storyPiece = this.o.storyPath(seg.hlsFile);
    const t = await readStart(storyPiece, 256 * 1024).then(tsStartTimes, () => null);
    if (!t || t.video === null) return null;
    return { storyPiece, videoDelaySeconds: t.video - Math.min(t.video, t.audio ?? t.video), startSeconds: seg.start / this.fps };
  }

  private pieceName(k: number): string {
    return `seg-${String(k).padStart(4, '0')}.ts`;
  }

  /**
   * The playlist, replaced atomically. Never creates the folder: a render deleted meanwhile must
   * stay deleted (the write then fails, and the render with it).
   */
  private async writePlaylist(ended: boolean): Promise<void> {
    const text = hlsPlaylist(this.entries, ended, this.targetSeconds);
    await replaceFile(path.join(this.o.hlsDir, 'index.m3u8'), (tmp) => fs.writeFile(tmp, text));
  }

  private async makePiece(k: number, rendered: boolean): Promise<void> {
    const target = path.join(this.o.hlsDir, this.pieceName(k));
    if (await exists(target)) return;
    if (rendered && !this.o.voiced?.has(k) && (await this.writePieceFromStory(k, target))) return;
    if (rendered || this.o.voiced?.has(k)) {
      if (this.muxing && this.entries.length === 0 && this.ready.slice(0, k).every(Boolean)) {
        // Playback cannot start before this very piece: mux it now, beside the batch under way
        // (later pieces wait for the batch: an ffmpeg start each would cost more than it saves).
        const piece: WaitingPiece = { k, target, resolve: () => undefined, reject: () => undefined };
        await replaceFiles([target], (tmps) => this.muxBatch([piece], tmps));
        this.o.trace(`hls piece ${k} muxed at once`);
        return;
      }
      const muxed = new Promise<void>((resolve, reject) => this.waiting.push({ k, target, resolve, reject }));
      this.waiting.sort((a, b) => a.k - b.k); // the start of the video first
      void this.muxWaiting();
      return muxed;
    }
    const storyPiece = this.o.storyPath(this.o.manifest.segments[k].hlsFile);
    await replaceFile(target, (tmp) => linkOrCopy(storyPiece, tmp));
  }

  /**
   * A rendered segment's piece written in this process (`tsPieceFromStory`: the story's piece of the
   * segment with its video replaced, a few ms) instead of by an ffmpeg remux: each ffmpeg start
   * costs ~0.17 CPU-s, and a render muxed its pieces in 6-8 of them while its runs needed the cores,
   * and the last one after the last run. False (the piece is then remuxed) when the story's piece
   * is missing or its frames do not line up with the rendered ones.
   */
  private async writePieceFromStory(k: number, target: string): Promise<boolean> {
    let piece: Uint8Array;
    try {
      const [story, video] = await Promise.all([fs.readFile(this.o.storyPath(this.o.manifest.segments[k].hlsFile)), fs.readFile(this.o.videoOf(k))]);
      piece = tsPieceFromStory(story, video);
    } catch (err) {
      this.o.trace(`hls piece ${k} remuxed by ffmpeg: ${(err as Error).message}`);
      return false;
    }
    await replaceFile(target, (tmp) => fs.writeFile(tmp, piece));
    return true;
  }

  /**
   * Pieces of rendered segments are muxed by one ffmpeg for all the segments waiting at that
   * moment (an ffmpeg start costs about as much CPU as muxing a piece): the first one alone, as
   * soon as it is rendered, later ones in small batches while the render goes on.
   */
  private async muxWaiting(): Promise<void> {
    if (this.muxing) return;
    this.muxing = true;
    try {
      while (this.muxDue()) {
        const batch = this.waiting.splice(0, HLS_BATCH);
        try {
          await replaceFiles(
            batch.map((b) => b.target),
            (tmps) => this.muxBatch(batch, tmps),
          );
          this.o.trace(`hls pieces ${batch.map((b) => b.k).join(',')} muxed`);
          batch.forEach((b) => b.resolve());
        } catch (err) {
          batch.forEach((b) => b.reject(err));
        }
      }
    } finally {
      this.muxing = false;
    }
  }

  /** Whether the pieces waiting should be muxed now (see HLS_LEAD_SECONDS); if not yet, a timer looks again when they will be. */
  private muxDue(): boolean {
    if (this.allRendered) clearTimeout(this.leadTimer);
    if (this.waiting.length === 0) return false;
    if (this.allRendered || this.waiting.length >= HLS_BATCH) return true;
    const next = this.ready.indexOf(false);
    if (!this.waiting.some((w) => w.k === next)) return false; // the playlist waits for a piece not rendered yet
    const listed = this.entries.reduce((t, e) => t + e.durationSeconds, 0);
    const lead = listed - (this.firstListedAt === null ? listed : (Date.now() - this.firstListedAt) / 1000);
    if (lead <= HLS_LEAD_SECONDS) return true;
    clearTimeout(this.leadTimer);
    this.leadTimer = setTimeout(() => void this.muxWaiting(), (lead - HLS_LEAD_SECONDS) * 1000);
    return false;
  }

  /** The story's piece of the same segment has the audio slice already encoded: copy it (the voiced ones take theirs from the mix). */
  private async muxBatch(batch: WaitingPiece[], tmps: string[]): Promise<void> {
    const voiced = batch.map((b, i) => ({ b, tmp: tmps[i] })).filter(({ b }) => this.o.voiced?.has(b.k));
    if (voiced.length) {
      await this.muxFromAudio(
        voiced.map((v) => v.b),
        voiced.map((v) => v.tmp),
      );
      const rest = batch.map((b, i) => ({ b, tmp: tmps[i] })).filter(({ b }) => !this.o.voiced?.has(b.k));
      if (rest.length)
        await this.muxBatch(
          rest.map((r) => r.b),
          rest.map((r) => r.tmp),
        );
      return;
    }
    const pieces = await Promise.all(
      batch.map(async (b, i) => {
        const story = await this.storyPieceTimes(b.k);
        return story && { ...story, video: this.o.videoOf(b.k), out: tmps[i] };
      }),
    );
    if (pieces.every((p) => p !== null)) {
      await runFfmpeg(this.o.ffmpeg, hlsPiecesFromStoryArgs(pieces as NonNullable<(typeof pieces)[number]>[]));
      return;
    }
    // A story piece we cannot read: re-encode the audio slices from the story's audio.
    await this.muxFromAudio(batch, tmps);
  }

  /** Pieces whose audio slice is encoded from the render's audio file. */
  private async muxFromAudio(batch: WaitingPiece[], tmps: string[]): Promise<void> {
    await this.o.audioReady;
    const { manifest, videoOf } = this.o;
    const slices = batch.map((b, i) => {
      const seg = manifest.segments[b.k];
      return { video: videoOf(b.k), audio: this.o.audio, startSeconds: seg.start / this.fps, durationSeconds: (seg.end - seg.start) / this.fps, out: tmps[i] };
    });
    await runFfmpeg(this.o.ffmpeg, hlsSegmentsArgs(slices));
  }

  private async publishReady(): Promise<void> {
    const { manifest } = this.o;
    let changed = false;
    while (this.entries.length < manifest.segments.length && this.ready[this.entries.length]) {
      const k = this.entries.length;
      const seg = manifest.segments[k];
      this.entries.push({ file: this.pieceName(k), durationSeconds: (seg.end - seg.start) / this.fps });
      changed = true;
      this.o.trace(`hls ${k} published`);
    }
    if (changed) {
      await this.writePlaylist(false);
      this.firstHlsMs ??= Date.now() - this.o.started;
      this.firstListedAt ??= Date.now();
      void this.muxWaiting(); // the piece the playlist now waits for may be waiting
    }
  }
}

/** A hard link (instant, no extra space) or, across file systems, a copy. */
async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await fs.link(from, to);
  } catch {
    await fs.copyFile(from, to);
  }
}

/** The first `bytes` bytes of a file. */
async function readStart(file: string, bytes: number): Promise<Uint8Array> {
  const h = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await h.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await h.close();
  }
}

async function exists(p: string): Promise<boolean> {
  return fs.access(p).then(
    () => true,
    () => false,
  );
}
