// What a parent sees of a story before choosing it: the thumbnail (a frame where the hero's face is
// large and frontal: a frame of the character, never a reference photo) and a ≈4 s silent preview
// clip at 480p from the hero's best shot, without any insertion. The choice is pure (frame records
// in, frame numbers out); the files are cut by ffmpeg from the source video into the staging folder.
import path from 'node:path';
import { interOcularDistance } from '@talecast/geometry';
import { FfmpegInfo, previewClipArgs, runFfmpeg, thumbnailArgs } from '@talecast/video';
import { FRAME_FIELDS, RECORD_FLOATS } from './story-manifest';

export const PREVIEW_CLIP_SECONDS = 4;
export const FRONTAL_YAW_DEGREES = 15;
/** Seconds kept clear of a face run's ends and of cuts: dissolves and walk-ins show a faint or partial face there. */
export const STEADY_MARGIN_SECONDS = 0.6;

/**
 * Frames well inside a run of frames with the face and away from cuts: `margin` frames from each
 * end of the run and from every cut. A face fading in through a dissolve is detected at once but
 * only becomes solid later; these frames are where it is solid. Empty when no run is long enough.
 */
export function steadyFrames(present: (frame: number) => boolean, frameCount: number, margin: number, cuts: number[]): Uint8Array {
  const steady = new Uint8Array(frameCount);
  let start = -1;
  for (let f = 0; f <= frameCount; f++) {
    const on = f < frameCount && present(f);
    if (on && start < 0) start = f;
    if (!on && start >= 0) {
      for (let k = start + margin; k < f - margin; k++) steady[k] = 1;
      start = -1;
    }
  }
  for (const c of cuts) for (let k = Math.max(0, c - margin); k < Math.min(frameCount, c + margin); k++) steady[k] = 0;
  return steady;
}

export interface Showcase {
  /** The thumbnail's frame. */
  thumbnailFrame: number;
  /** The preview clip: [startFrame, endFrame). */
  clip: [number, number];
}

/**
 * The hero's (else the first role's) largest frontal frame among its steady frames (else among
 * all its frames), and a clip around it kept inside its shot when the shot is long enough.
 * Without any face: the middle of the video.
 */
export function chooseShowcase(records: Float32Array, roleNames: string[], frameCount: number, fps: number, cuts: number[]): Showcase {
  const role = roleNames.includes('hero') ? roleNames.indexOf('hero') : 0;
  const present = (f: number) => roleNames.length > 0 && records[(role * frameCount + f) * RECORD_FLOATS + FRAME_FIELDS.present[0]] === 1;
  let steady = steadyFrames(present, frameCount, Math.round(STEADY_MARGIN_SECONDS * fps), cuts);
  if (!steady.includes(1)) steady = Uint8Array.from({ length: frameCount }, (_, f) => (present(f) ? 1 : 0));
  let best = -1;
  let bestSize = 0;
  let bestFrontal = false;
  for (let f = 0; f < frameCount; f++) {
    const o = (role * frameCount + f) * RECORD_FLOATS;
    if (!steady[f]) continue;
    const size = interOcularDistance(records.subarray(o + FRAME_FIELDS.landmarks[0], o + FRAME_FIELDS.landmarks[0] + 136));
    const frontal = Math.abs(records[o + FRAME_FIELDS.yaw[0]]) <= FRONTAL_YAW_DEGREES;
    // A frontal face always beats a turned one; among equals, the larger.
    if ((frontal && !bestFrontal) || (frontal === bestFrontal && size > bestSize)) {
      best = f;
      bestSize = size;
      bestFrontal = frontal;
    }
  }
  const thumbnailFrame = best >= 0 ? best : Math.floor(frameCount / 2);
  return { thumbnailFrame, clip: clipAround(thumbnailFrame, frameCount, Math.round(PREVIEW_CLIP_SECONDS * fps), cuts) };
}

/** `length` frames around `frame`, inside its shot when the shot is long enough, inside the video always. */
export function clipAround(frame: number, frameCount: number, length: number, cuts: number[]): [number, number] {
  const shotStart = Math.max(0, ...cuts.filter((c) => c <= frame));
  const shotEnd = Math.min(frameCount, ...cuts.filter((c) => c > frame));
  const [lo, hi] = shotEnd - shotStart >= length ? [shotStart, shotEnd] : [0, frameCount];
  const n = Math.min(length, hi - lo);
  const start = Math.min(Math.max(lo, frame - Math.floor(n / 2)), hi - n);
  return [start, start + n];
}

/** thumbnail.jpg and preview.mp4 in the staging folder. */
export async function writeShowcase(
  job: { ffmpeg: FfmpegInfo; video: string; staging: string; fps: number; signal?: AbortSignal },
  showcase: Showcase,
): Promise<void> {
  const { fps } = job;
  await runFfmpeg(job.ffmpeg.ffmpeg, thumbnailArgs(job.video, showcase.thumbnailFrame / fps, 480, path.join(job.staging, 'thumbnail.jpg')), job.signal);
  const [start, end] = showcase.clip;
  await runFfmpeg(job.ffmpeg.ffmpeg, previewClipArgs(job.video, start / fps, (end - start) / fps, 480, path.join(job.staging, 'preview.mp4')), job.signal);
}
