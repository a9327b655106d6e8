// The last step of a render: the segments in story order and the story's audio joined into one
// MP4 (faststart), produced under a temporary name and renamed when complete. Never leaves a
// half-written video or its concat list behind.
import { promises as fs } from 'node:fs';
import { replaceFile } from '@talecast/storage';
import { assembleArgs, concatListText, runFfmpeg } from '@talecast/video';

export interface AssemblyRequest {
  ffmpeg: string;
  /** Segment videos in story order. */
  segments: readonly string[];
  audio: string | null;
  /** Where the concat list is written (removed afterwards). */
  concatList: string;
  out: string;
}

/** Joins the segments and the audio into `out`; returns its size in bytes. */
export async function assembleVideo(r: AssemblyRequest): Promise<number> {
  await fs.writeFile(r.concatList, concatListText(r.segments));
  try {
    await replaceFile(r.out, (tmp) => runFfmpeg(r.ffmpeg, assembleArgs({ concatList: r.concatList, audio: r.audio, out: tmp })));
  } finally {
    await fs.rm(r.concatList, { force: true });
  }
  return (await fs.stat(r.out)).size;
}
