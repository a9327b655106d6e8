// Sampled frames of a published story with each role's face box, so an author can see at a
// glance whether the masks picked the right face. Frames are cut from the story's own segment
// media on first request and cached inside the story's folder.
import { Injectable } from '@nestjs/common';
import { promises as fs } from 'node:fs';
import { TalecastError } from '@talecast/core';
import { loadStory } from '@talecast/render';
import { replaceFile, StorageCore } from '@talecast/storage';
import { FfmpegService, runFfmpeg, sampleFrameArgs } from '@talecast/video';

const SAMPLES = 6;

export interface StorySample {
  frame: number;
  time: number;
  /** Per role found in the frame: its face box and its outline (jaw, then brows; [x, y, …] normalised 0..1). */
  boxes: { role: string; box: [number, number, number, number]; outline: number[] }[];
}

@Injectable()
export class StorySamples {
  constructor(
    private readonly storage: StorageCore,
    private readonly ffmpeg: FfmpegService,
  ) {}

  /** Frames spread over the story, favouring frames where some role's face was found. */
  async list(storyId: string): Promise<StorySample[]> {
    const { manifest, frames } = await loadStory(this.storage, storyId);
    const n = manifest.video.frameCount;
    const withFace: number[] = [];
    for (let i = 0; i < n; i++) if (manifest.frameData.roles.some((_, r) => frames.present(r, i))) withFace.push(i);
    const pool = withFace.length >= SAMPLES ? withFace : Array.from({ length: n }, (_, i) => i);
    const picks = [...new Set(Array.from({ length: SAMPLES }, (_, k) => pool[Math.floor(((k + 0.5) / SAMPLES) * pool.length)]))];
    return picks.map((frame) => ({
      frame,
      time: Math.round((frame / manifest.video.fps) * 100) / 100,
      boxes: manifest.frameData.roles.flatMap((role, r) => {
        if (!frames.present(r, frame)) return [];
        const lm = frames.field(r, frame, 'landmarks');
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
        // Landmarks span brows to chin; extend up for the forehead so the box reads as "the face".
        const h = y1 - y0;
        y0 -= h * 0.35;
        const { width: W, height: H } = manifest.video;
        const box = [x0 / W, y0 / H, (x1 - x0) / W, (y1 - y0) / H].map((v) => Math.round(v * 10000) / 10000) as [number, number, number, number];
        return [{ role, box, outline: faceOutline(lm, W, H) }];
      }),
    }));
  }

  /** The JPEG of one frame (cut from its segment's media, cached). */
  async image(storyId: string, frame: number): Promise<string> {
    const { manifest } = await loadStory(this.storage, storyId);
    if (!(frame >= 0 && frame < manifest.video.frameCount)) throw new TalecastError('NOT_FOUND', 'no such frame');
    const file = this.storage.storyFile(storyId, `sample-${frame}.jpg`);
    if (
      await fs.access(file).then(
        () => true,
        () => false,
      )
    )
      return file;
    const seg = manifest.segments.find((s) => frame >= s.start && frame < s.end)!;
    const { ffmpeg } = await this.ffmpeg.locate();
    await replaceFile(file, (tmp) => runFfmpeg(ffmpeg, sampleFrameArgs(this.storage.storyPath(storyId, seg.file), frame - seg.start, 640, tmp)));
    return file;
  }
}

/** The face's outline from its 68 landmarks: the jaw (0–16) then the brows right to left (26–17), normalised. */
export function faceOutline(lm: ArrayLike<number>, width: number, height: number): number[] {
  const order = [...Array.from({ length: 17 }, (_, i) => i), ...Array.from({ length: 10 }, (_, i) => 26 - i)];
  return order.flatMap((i) => [Math.round((lm[2 * i] / width) * 10000) / 10000, Math.round((lm[2 * i + 1] / height) * 10000) / 10000]);
}
