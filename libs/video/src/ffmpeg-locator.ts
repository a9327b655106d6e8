// Finds ffmpeg and ffprobe once per process: the system binaries first (they are usually newer
// and faster), else the static builds shipped in @ffmpeg-installer / @ffprobe-installer. Checks
// the version and the encoders Talecast needs. Never downloads anything.
import { execFile } from 'node:child_process';
import { promises as fs, constants } from 'node:fs';
import path from 'node:path';
import { parentDeathWrapperUsable } from './ffmpeg-process';

export interface FfmpegInfo {
  ffmpeg: string;
  ffprobe: string;
  source: 'configured' | 'system' | 'npm';
  version: string;
  encoders: { libx264: boolean; aac: boolean };
  /** `-fps_mode` (ffmpeg ≥ 5.1) rather than the older `-vsync`. */
  fpsModeOption: '-fps_mode' | '-vsync';
}

export class FfmpegUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FfmpegUnavailableError';
  }
}

let located: Promise<FfmpegInfo> | undefined;

/** Locates ffmpeg (cached). `override` is a directory or ffmpeg path from configuration. */
export function locateFfmpeg(override?: string): Promise<FfmpegInfo> {
  if (override !== undefined) return locate(override);
  // The parent-death check's one process start, paid here (start-up) rather than by the first ffmpeg run.
  parentDeathWrapperUsable();
  located ??= locate(undefined).catch((err) => {
    located = undefined;
    throw err;
  });
  return located;
}

async function locate(override: string | undefined): Promise<FfmpegInfo> {
  const candidates: { ffmpeg: string; ffprobe: string; source: FfmpegInfo['source'] }[] = [];
  if (override !== undefined) {
    const dir = (await isDirectory(override)) ? override : path.dirname(override);
    candidates.push({ ffmpeg: path.join(dir, 'ffmpeg'), ffprobe: path.join(dir, 'ffprobe'), source: 'configured' });
  } else {
    const ffmpeg = await findOnPath('ffmpeg');
    const ffprobe = await findOnPath('ffprobe');
    if (ffmpeg && ffprobe) candidates.push({ ffmpeg, ffprobe, source: 'system' });
    const packaged = packagedBinaries();
    if (packaged) candidates.push({ ...packaged, source: 'npm' });
  }
  const problems: string[] = [];
  for (const c of candidates) {
    try {
      const version = parseVersion(await run(c.ffmpeg, ['-hide_banner', '-version']));
      await run(c.ffprobe, ['-hide_banner', '-version']);
      const encoders = parseEncoders(await run(c.ffmpeg, ['-hide_banner', '-encoders']));
      if (!encoders.libx264 || !encoders.aac) {
        problems.push(`${c.ffmpeg} lacks ${!encoders.libx264 ? 'libx264' : 'aac'}`);
        continue;
      }
      const help = await run(c.ffmpeg, ['-hide_banner', '-h', 'long']).catch(() => '');
      return { ...c, version, encoders, fpsModeOption: /-fps_mode\b/.test(help) ? '-fps_mode' : '-vsync' };
    } catch (err) {
      problems.push(`${c.ffmpeg}: ${(err as Error).message}`);
    }
  }
  throw new FfmpegUnavailableError(
    `No usable ffmpeg with libx264 and aac found${problems.length ? ` (${problems.join('; ')})` : ''}. Install ffmpeg or run npm install.`,
  );
}

export function parseVersion(output: string): string {
  const m = /ffmpeg version (\S+)/.exec(output);
  return m ? m[1] : 'unknown';
}

export function parseEncoders(output: string): { libx264: boolean; aac: boolean } {
  return { libx264: /^\s*V\S*\s+libx264\s/m.test(output), aac: /^\s*A\S*\s+aac\s/m.test(output) };
}

function packagedBinaries(): { ffmpeg: string; ffprobe: string } | undefined {
  try {
    return { ffmpeg: require('@ffmpeg-installer/ffmpeg').path, ffprobe: require('@ffprobe-installer/ffprobe').path };
  } catch {
    return undefined;
  }
}

async function findOnPath(name: string): Promise<string | undefined> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, name);
    try {
      await fs.access(p, constants.X_OK);
      return p;
    } catch {
      /* keep looking */
    }
  }
  return undefined;
}

async function isDirectory(p: string): Promise<boolean> {
  return fs.stat(p).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 8 * 1024 * 1024, timeout: 20_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
}
