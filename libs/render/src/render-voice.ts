// The child's voice in a render: the story's audio mixed once with the fitted lines (started
// before the video pieces, awaited by every piece that carries it, so the HLS stream and the MP4
// carry the same mix), the segments whose
// audio that changes (their HLS pieces cannot be the story's), and, per role, the mouth each
// recorded line drives. Lines not recorded keep the story's voice.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { StoryManifest } from '@talecast/precompute';
import { StorageCore } from '@talecast/storage';
import { FfmpegInfo, probeMedia } from '@talecast/video';
import { decodeWav, LineMouth, lineMouth, ManifestVoice, mixStoryAudio } from '@talecast/voice';

export interface RenderVoice {
  lineId: string;
  role: string;
  from: number;
  to: number;
  /** The fitted line (16-bit mono WAV, exactly the slot's length). */
  file: string;
}

export interface RenderAudio {
  /** The audio the render carries (the mix, or the story's own when there are no voices). */
  audio: string | null;
  /** Resolves once `audio` is complete on disk (the mix runs while the video is rendered). */
  ready: Promise<void>;
  /** Segments whose audio differs from the story's. */
  voicedSegments: Set<number>;
  /** Role → the mouths of its recorded lines. */
  mouths: Map<string, LineMouth[]>;
}

/** Ducking's release lets the story come back over this long after a slot. */
const RELEASE_SECONDS = 1.0;

/** Segments (by index) whose time span overlaps any of `spans` (seconds). */
export function segmentsOverlapping(manifest: Pick<StoryManifest, 'segments' | 'video'>, spans: { from: number; to: number }[]): Set<number> {
  const fps = manifest.video.fps;
  const out = new Set<number>();
  for (const seg of manifest.segments) {
    const a = seg.start / fps,
      b = seg.end / fps;
    if (spans.some((s) => s.from < b && s.to > a)) out.add(seg.index);
  }
  return out;
}

export async function prepareRenderAudio(opts: {
  storage: StorageCore;
  ffmpeg: FfmpegInfo;
  storyId: string;
  manifest: StoryManifest & { voice?: Partial<ManifestVoice> };
  voices: RenderVoice[];
  out: string;
}): Promise<RenderAudio> {
  const { manifest, storage, storyId } = opts;
  const storyAudio = manifest.audio ? path.join(storage.storyDir(storyId), manifest.audio.file) : null;
  if (opts.voices.length === 0 || !storyAudio) return { audio: storyAudio, ready: Promise.resolve(), voicedSegments: new Set(), mouths: new Map() };
  const stemRoles = new Set(manifest.voice?.stems ?? []);
  const stems = [...new Set(opts.voices.map((v) => v.role))]
    .filter((r) => stemRoles.has(r))
    .map((role) => ({ role, file: storage.storyStemFile(storyId, role) }));
  // A render resumed after a crash reuses its mix (written under a temporary name, so complete).
  // The mix is not awaited here: it runs while the video is rendered; `ready` gates its users.
  const ready = (async () => {
    if (
      await fs.access(opts.out).then(
        () => true,
        () => false,
      )
    )
      return;
    // The story's frames made at precompute (mixed in place), else its audio probed and mixed as it is.
    const made = manifest.voice?.audioFrames;
    const frames = made ? { file: storage.storyPath(storyId, made.file), start: made.start } : undefined;
    const channels = frames?.start.channels ?? (await probeMedia(opts.ffmpeg.ffprobe, storyAudio)).audio?.channels ?? 2;
    const lines = opts.voices.map((v) => ({ file: v.file, from: v.from, to: v.to, role: v.role }));
    await mixStoryAudio(opts.ffmpeg, { story: storyAudio, channels: Math.min(2, channels), stems, lines, out: opts.out }, { frames });
  })();
  ready.catch(() => undefined); // awaited by the HLS pieces and the assembly; never left unhandled
  const spans = opts.voices.map((v) => ({ from: v.from, to: v.to + (stemRoles.has(v.role) ? 0 : RELEASE_SECONDS) }));
  const mouths = new Map<string, LineMouth[]>();
  for (const v of opts.voices) {
    const wav = decodeWav(await fs.readFile(v.file));
    if (!wav) continue;
    mouths.set(v.role, [...(mouths.get(v.role) ?? []), lineMouth(wav.samples, wav.rate, v.from, manifest.video.fps)]);
  }
  return { audio: opts.out, ready, voicedSegments: segmentsOverlapping(manifest, spans), mouths };
}
