// The last step of a render: the segments in story order and the story's audio joined into one
// MP4 (faststart), produced under a temporary name and renamed when complete. Never leaves a
// half-written video or its concat list behind. Joined in this process (`joinMp4`: ~0.1 s for a
// 60 s story, where ffmpeg's concat demuxer took 0.6-0.8 s opening and probing every segment file,
// alone at the end of the render); by ffmpeg when the files do not join so.
import { promises as fs } from 'node:fs';
import { replaceFile } from '@talecast/storage';
import { assembleArgs, concatListText, joinMp4, runFfmpeg } from '@talecast/video';

export interface AssemblyRequest {
  ffmpeg: string;
  /** Segment videos in story order. */
  segments: readonly string[];
  audio: string | null;
  /** Where the concat list is written (removed afterwards). */
  concatList: string;
  out: string;
  /** Told why the segments were joined by ffmpeg instead, if they were. */
  trace?: (event: string) => void;
}

/** Joins the segments and the audio into `out`; returns its size in bytes. */
export async function assembleVideo(r: AssemblyRequest): Promise<number> {
  let joined: Uint8Array[] | null = null;
  try {
    const [segments, audio] = await Promise.all([Promise.all(r.segments.map((f) => fs.readFile(f))), r.audio ? fs.readFile(r.audio) : null]);
    joined = joinMp4(segments, audio);
  } catch (err) {
    r.trace?.(`joined by ffmpeg: ${(err as Error).message}`);
  }
  if (joined) {
    const parts = joined;
    await replaceFile(r.out, (tmp) => fs.writeFile(tmp, Buffer.concat(parts)));
    return (await fs.stat(r.out)).size;
  }
  await fs.writeFile(r.concatList, concatListText(r.segments));
  try {
    await replaceFile(r.out, (tmp) => runFfmpeg(r.ffmpeg, assembleArgs({ concatList: r.concatList, audio: r.audio, out: tmp })));
  } finally {
    await fs.rm(r.concatList, { force: true });
  }
  return (await fs.stat(r.out)).size;
}
