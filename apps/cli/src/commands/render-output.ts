// What `render` prints, the same whether it rendered in this process or handed the render to a
// running Talecast process: a line per recording and per photo, and the one-line summary (the
// bench reads its engine seconds). Pure: loaded before anything heavy.
import path from 'node:path';
import { promises as fs } from 'node:fs';

export function voiceLine(lineId: string, r: { recordedSeconds: number; slotSeconds: number; tempo: number; loudness: number }): string {
  return `voice ${lineId}: ${r.recordedSeconds.toFixed(2)} s read into a ${r.slotSeconds.toFixed(2)} s slot (tempo ${r.tempo.toFixed(2)}), ${r.loudness.toFixed(1)} LUFS`;
}

export function faceLine(file: string, r: { faceCount: number; chosenIndex: number; expression: string; warnings: string[] }): string {
  const warnings = r.warnings.join(', ');
  return `face ${path.basename(file)}: ${r.faceCount} face(s), using #${r.chosenIndex} (${r.expression})${warnings ? `; warnings: ${warnings}` : ''}`;
}

export function summaryLine(
  file: string,
  r: { frames: number; durationSeconds: number; seconds: number; renderedSegments: number; reusedSegments: number },
): string {
  return (
    `rendered ${file}: ${r.frames} frames, ${r.durationSeconds.toFixed(1)} s of video in ${r.seconds.toFixed(1)} s ` +
    `(${(r.durationSeconds / r.seconds).toFixed(2)}x real time; ${r.renderedSegments} segments composited, ${r.reusedSegments} copied)`
  );
}

/** The video's path, or `out` once the video is copied there (`--out`). */
export async function copiedTo(out: string | undefined, file: string): Promise<string> {
  if (!out) return file;
  const target = path.resolve(out);
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.copyFile(file, target);
  return target;
}
