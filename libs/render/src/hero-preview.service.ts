// A first look for the parent: the child's face on the hero in one still of the story, made by
// the same compositor the render uses (prepareFace + FrameCompositor, same target data), from the
// frame pickPreviewFrame chooses. One ffmpeg decode of one frame and one composite: well under a
// second at 720p. Kept in memory per face + story version (never on disk); a face that is deleted
// or expired answers FACE_EXPIRED/FACE_MISSING and its cached stills are dropped at once.
import { Injectable } from '@nestjs/common';
import path from 'node:path';
import { sharp } from '@talecast/face/sharp-image';
import { FaceStyle, FrameCompositor, FrameTarget, PreparedFace, prepareFace } from '@talecast/compositor';
import { TalecastError } from '@talecast/core/talecast-error';
import { FaceUploadService } from '@talecast/face-upload';
import { yuv420FrameBytes, yuv420ToRgba, yuv420View } from '@talecast/geometry';
import { isStorySlug, StorageCore } from '@talecast/storage';
import { decodeRangeArgs, FfmpegService, startFfmpeg } from '@talecast/video';
import { loadStory } from './render-engine';
import { existingRenderPool } from './render-pool';
import type { PrepareFaceTask } from './segment-task';
import { pickPreviewFrame, previewRole } from './hero-preview';

const CACHE_ENTRIES = 64;
/** Prepared faces kept for the render that usually follows the preview (a few MB each). */
const PREPARED_ENTRIES = 8;
const PREVIEW_WIDTH = 640;

@Injectable()
export class HeroPreviewService {
  private readonly cache = new Map<string, Buffer>();
  /**
   * The faces this preview prepared (per face, style and colour space), kept in memory only: a
   * render in this process that follows takes its face from here instead of preparing it again
   * on the first frame's path (measured: ~1 s of a segment thread). Dropped with the face.
   */
  private readonly prepared = new Map<string, Promise<PreparedFace>>();
  private readonly compositor = new FrameCompositor();

  constructor(
    private readonly storage: StorageCore,
    private readonly ffmpeg: FfmpegService,
    private readonly faceUploads: FaceUploadService,
  ) {}

  /** A JPEG of the story's preview frame with this face on the hero. */
  async preview(storyId: string, faceId: string): Promise<Buffer> {
    if (!isStorySlug(storyId)) throw new TalecastError('STORY_NOT_FOUND', 'no such story');
    const face = await this.faceUploads.load(faceId).catch((err) => {
      this.forgetFace(faceId);
      throw err;
    });
    const { manifest, frames } = await loadStory(this.storage, storyId).catch(() => {
      throw new TalecastError('STORY_NOT_READY', 'the story is not ready');
    });
    const key = `${faceId}:${storyId}:${manifest.createdAt}`;
    const cached = this.cache.get(key);
    if (cached) return cached;

    // The face is prepared while the frame is decoded, and registered at once: a render that
    // starts meanwhile waits for it instead of preparing it again in its own thread.
    const preparing = this.prepare(faceId, face, manifest.story.style, manifest.video.matrix, manifest.video.range);
    const role = previewRole(manifest.frameData.roles);
    const frame = role === null ? null : pickPreviewFrame(frames, role);
    const segment = frame === null ? undefined : manifest.segments.find((s) => frame >= s.start && frame < s.end);
    if (role === null || frame === null || !segment) throw new TalecastError('STORY_NOT_READY', 'the story has no frame with the hero');
    const { width, height, fps, matrix, range } = manifest.video;
    const buf = await this.decodeFrame(path.join(this.storage.storyDir(storyId), segment.file), frame - segment.start, fps, width, height);
    const yuv = yuv420View(buf, width, height);

    const r = frames.roleIndex(role);
    const c = frames.field(r, frame, 'colourYuv');
    const t = frame / fps;
    const occluders = (manifest.roles.find((x) => x.name === role)?.occluders ?? [])
      .filter((o) => t >= o.from && t < o.to)
      .map((o) => Float32Array.from(o.polygon.flatMap(([x, y]) => [x * width, y * height])));
    const target: FrameTarget = {
      landmarks: Float32Array.from(frames.field(r, frame, 'landmarks')),
      colour: { mean: [c[0], c[1], c[2]], std: [c[3], c[4], c[5]], weight: 1 },
      yaw: frames.field(r, frame, 'yaw')[0],
      mouthOpen: frames.field(r, frame, 'mouthOpen')[0],
      occluders,
    };
    this.compositor.composite(yuv, await preparing, target, { blend: 'alpha' });

    const rgba = yuv420ToRgba(yuv, matrix, range);
    const jpeg = await sharp(Buffer.from(rgba.buffer, rgba.byteOffset, rgba.byteLength), { raw: { width, height, channels: 4 } })
      .removeAlpha()
      .resize({ width: Math.min(PREVIEW_WIDTH, width) })
      .jpeg({ quality: 85, mozjpeg: true })
      .toBuffer();
    this.remember(key, jpeg);
    return jpeg;
  }

  /**
   * The face prepared for this style and colour space, once per face: in a segment thread where
   * this process renders (the API's event loop stays free: the render's POST that follows is not
   * held up), on this thread in an API-only process.
   */
  private prepare(
    faceId: string,
    face: { rgba: Uint8Array; size: number; landmarks: Float32Array },
    style: FaceStyle,
    matrix: 'bt601' | 'bt709',
    range: 'tv' | 'pc',
  ): Promise<PreparedFace> {
    const key = preparedKey(faceId, style, matrix, range);
    const known = this.prepared.get(key);
    if (known) return known;
    const task: PrepareFaceTask = { key: faceId, rgba: face.rgba, size: face.size, landmarks: face.landmarks, matrix, range, style };
    const pool = existingRenderPool();
    const preparing = pool ? (pool.run(task, { name: 'prepareFaceTask' }) as Promise<PreparedFace>) : Promise.resolve().then(() => prepareFace(task));
    this.prepared.set(key, preparing);
    preparing.catch(() => this.prepared.get(key) === preparing && this.prepared.delete(key));
    while (this.prepared.size > PREPARED_ENTRIES) this.prepared.delete(this.prepared.keys().next().value as string);
    return preparing;
  }

  /** The face as a preview in this process prepared (or is preparing) it for this style and colour space, if it did. */
  preparedFace(faceId: string, style: FaceStyle, matrix: 'bt601' | 'bt709', range: 'tv' | 'pc'): Promise<PreparedFace> | undefined {
    return this.prepared.get(preparedKey(faceId, style, matrix, range));
  }

  /** Drops every cached still of a face (deleted or expired). */
  forgetFace(faceId: string): void {
    for (const key of this.prepared.keys()) if (key.startsWith(`${faceId}:`)) this.prepared.delete(key);
    for (const key of this.cache.keys()) if (key.startsWith(`${faceId}:`)) this.cache.delete(key);
  }

  private remember(key: string, jpeg: Buffer): void {
    this.cache.set(key, jpeg);
    while (this.cache.size > CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
  }

  private async decodeFrame(file: string, frameInSegment: number, fps: number, width: number, height: number): Promise<Uint8Array> {
    const { ffmpeg } = await this.ffmpeg.locate();
    const run = startFfmpeg(ffmpeg, decodeRangeArgs(file, { startFrame: frameInSegment, frameCount: 1, fps, pixelFormat: 'yuv420p' }), { stdout: true });
    const chunks: Buffer[] = [];
    run.child.stdout!.on('data', (b: Buffer) => chunks.push(b));
    await run.done;
    const buf = Buffer.concat(chunks);
    if (buf.length !== yuv420FrameBytes(width, height)) throw new Error(`preview: decoded ${buf.length} bytes, expected one ${width}x${height} frame`);
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  }
}

function preparedKey(faceId: string, style: string, matrix: string, range: string): string {
  return `${faceId}:${style}:${matrix}:${range}`;
}
