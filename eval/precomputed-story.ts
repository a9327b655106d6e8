// The eval tools' stories: loaded from their data folder, precomputed once when not there yet.
import { FrameTarget } from '@talecast/compositor';
import { FrameData, precomputeStory } from '@talecast/precompute';
import { loadStory } from '@talecast/render';
import { StorageCore } from '@talecast/storage';
import { FfmpegInfo } from '@talecast/video';
import { AppConfig } from '@talecast/config';

/** The story `storyId` from storage, precomputed from `video` and `masks` first if storage has none. */
export async function loadOrPrecompute(
  storage: StorageCore,
  storyId: string,
  source: { video: string; masks: string },
  ffmpeg: FfmpegInfo,
  encoder: AppConfig['encoder'],
): Promise<Awaited<ReturnType<typeof loadStory>>> {
  try {
    return await loadStory(storage, storyId);
  } catch {
    const t0 = performance.now();
    await precomputeStory({ storyId, video: source.video, masks: source.masks, title: storyId }, { storage, ffmpeg, threads: 2, faceBackend: 'wasm', encoder });
    console.log(`${storyId}: precomputed in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return loadStory(storage, storyId);
  }
}

/** The render's target on frame i from the precomputed data, as a render segment fills it (null where the hero is absent). */
export function renderTarget(
  frames: FrameData,
  role: number,
  i: number,
  video: { width: number; height: number; fps: number },
  occluders: { from: number; to: number; polygon: [number, number][] }[],
): FrameTarget | null {
  if (!frames.present(role, i)) return null;
  const c6 = frames.field(role, i, 'colourYuv');
  const t = i / video.fps;
  return {
    landmarks: frames.field(role, i, 'landmarks'),
    colour: { mean: [c6[0], c6[1], c6[2]], std: [c6[3], c6[4], c6[5]], weight: 1 },
    yaw: frames.field(role, i, 'yaw')[0],
    mouthOpen: frames.field(role, i, 'mouthOpen')[0],
    occluders: occluders
      .filter((o) => t >= o.from && t < o.to)
      .map((o) => Float32Array.from(o.polygon.flatMap(([x, y]) => [x * video.width, y * video.height]))),
    eyes: frames.hasEyes(role, i) ? { open: frames.field(role, i, 'eyeOpen'), gaze: frames.field(role, i, 'gaze') } : null,
  };
}
