// The eval tools' stories: loaded from their data folder, precomputed once when not there yet.
import { precomputeStory } from '@talecast/precompute';
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
