// A story upload's spoken lines and dialogue stems (the admin API's `lines` and `stem.<role>`
// fields), checked before the precompute is queued so a bad file is refused at once, naming the
// field: the lines by the precompute's own parser (against the masks' roles and the video's
// length), each stem by ffmpeg (it decodes to the end, it is audio, it lasts to its role's last
// line). The pure part names the problems; `checkUploadedVoice` runs ffmpeg. Never keeps a file.
import { promises as fs } from 'node:fs';
import { TalecastError } from '@talecast/core/talecast-error';
import { FfmpegInfo, probeMedia, runFfmpeg } from '@talecast/video';
import { InvalidLinesError, NARRATOR_ROLE, parseLinesFile, StoryLines } from './lines-file';

/** The form field of a role's stem. */
export const STEM_FIELD = /^stem\.([a-z0-9][a-z0-9_-]{0,39})$/;

export const stemField = (role: string) => `stem.${role}`;

/** Problems of the uploaded stems' roles against the lines and the masks (pure). */
export function stemRoleProblems(lines: StoryLines | null, stemRoles: string[], maskRoles: string[]): { field: string; problem: string }[] {
  const known = new Set([...maskRoles, NARRATOR_ROLE]);
  const out: { field: string; problem: string }[] = [];
  for (const role of stemRoles) {
    if (!lines) out.push({ field: stemField(role), problem: 'a stem needs a lines file (the field "lines") that says when its role speaks' });
    else if (!known.has(role)) out.push({ field: stemField(role), problem: `no role "${role}" in the masks file (roles: ${[...known].join(', ')})` });
  }
  for (const [role, file] of Object.entries(lines?.stems ?? {}))
    if (!stemRoles.includes(role)) out.push({ field: 'lines', problem: `stems.${role} names "${file}": upload that file as the field "${stemField(role)}"` });
  return out;
}

/** What ffmpeg says of a stem, and what the lines need of it (pure). */
export function stemProblems(role: string, info: { hasAudio: boolean; durationSeconds: number }, lines: StoryLines): string[] {
  if (!info.hasAudio) return ['not an audio file'];
  const last = lines.lines.filter((l) => l.role === role).reduce((end, l) => Math.max(end, l.to), 0);
  if (info.durationSeconds + 0.05 < last)
    return [`ends at ${info.durationSeconds.toFixed(2)} s, before its role's last line ends (${last.toFixed(2)} s); a stem runs along the whole story`];
  return [];
}

/** Decodes every audio sample of `file` and stops at the first decoding error (nothing written). */
export function stemDecodeArgs(file: string): string[] {
  return ['-hide_banner', '-loglevel', 'error', '-nostdin', '-xerror', '-i', file, '-map', '0:a:0', '-vn', '-sn', '-dn', '-f', 'null', '-'];
}

/**
 * Checks an upload's lines file and stems; returns the parsed lines (null without a lines file).
 * Throws INVALID_LINES (field `lines`) or INVALID_STEM (field `stem.<role>`), 400, naming the problem.
 */
export async function checkUploadedVoice(opts: {
  ffmpeg: FfmpegInfo;
  lines?: string;
  stems: Record<string, string>;
  maskRoles: string[];
  /** The video's length, when known: a line past its end is refused. */
  durationSeconds?: number;
}): Promise<StoryLines | null> {
  let lines: StoryLines | null = null;
  if (opts.lines) {
    try {
      lines = parseLinesFile(await fs.readFile(opts.lines, 'utf8'), opts.maskRoles, opts.durationSeconds);
    } catch (err) {
      if (err instanceof InvalidLinesError) throw invalid('INVALID_LINES', 'lines', err.problems.join('; '));
      throw err;
    }
  }
  const [first] = stemRoleProblems(lines, Object.keys(opts.stems), opts.maskRoles);
  if (first) throw invalid(first.field === 'lines' ? 'INVALID_LINES' : 'INVALID_STEM', first.field, first.problem);
  for (const [role, file] of Object.entries(opts.stems)) {
    const [problem] = stemProblems(role, await decodedStem(opts.ffmpeg, file), lines!);
    if (problem) throw invalid('INVALID_STEM', stemField(role), problem);
  }
  return lines;
}

async function decodedStem(ffmpeg: FfmpegInfo, file: string): Promise<{ hasAudio: boolean; durationSeconds: number }> {
  try {
    const info = await probeMedia(ffmpeg.ffprobe, file);
    if (!info.audio) return { hasAudio: false, durationSeconds: 0 };
    await runFfmpeg(ffmpeg.ffmpeg, stemDecodeArgs(file));
    return { hasAudio: true, durationSeconds: info.durationSeconds };
  } catch {
    return { hasAudio: false, durationSeconds: 0 };
  }
}

function invalid(code: 'INVALID_LINES' | 'INVALID_STEM', field: string, problem: string): TalecastError {
  return new TalecastError(code, `the field "${field}": ${problem}`.slice(0, 1000), { field });
}
