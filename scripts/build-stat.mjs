// The build's up-to-date check by file stats (scripts/build.mjs): each input's size, mtime and
// inode, recorded beside the content-hash stamp they were taken for. Only ever used to skip a
// build that the stamp would also find up to date; any difference falls back to the hashes.
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** Files written this close (ms) before the stats were taken are left out (a same-size edit may share the mtime). */
export const RACY_MS = 2000;

/** `size:mtimeMs:ino` of each file, keyed by its path relative to `root`; a file that cannot be read is 'missing'. */
export async function statFiles(root, files) {
  const out = {};
  await Promise.all(
    files.map(async (f) => {
      const key = path.relative(root, f).split(path.sep).join('/');
      try {
        const s = await fs.stat(f);
        out[key] = `${s.size}:${s.mtimeMs}:${s.ino}`;
      } catch {
        out[key] = 'missing';
      }
    }),
  );
  return out;
}

/** The recorded stats, if they were taken for this stamp (its hash); else null. */
export async function readStats(file, stampHash) {
  try {
    const s = JSON.parse(await fs.readFile(file, 'utf8'));
    return s && s.version === 1 && s.stamp === stampHash && s.files && typeof s.files === 'object' ? s.files : null;
  } catch {
    return null;
  }
}

/** True when the same files are there with the same stats (a file recorded as racy or missing never matches). */
export function sameStats(recorded, now) {
  const keys = Object.keys(now);
  if (keys.length !== Object.keys(recorded).length) return false;
  return keys.every((k) => now[k] !== 'missing' && recorded[k] === now[k]);
}

/**
 * Written after the stamp, atomically. A file modified within RACY_MS of `takenAt` is recorded as
 * 'racy' (kept as a name, so that its removal is still seen), and so is hashed at the next build.
 */
export async function writeStats(file, stampHash, stats, takenAt) {
  const files = {};
  for (const [k, v] of Object.entries(stats)) files[k] = v === 'missing' || Number(v.split(':')[1]) >= takenAt - RACY_MS ? 'racy' : v;
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify({ version: 1, stamp: stampHash, files }));
  await fs.rename(tmp, file);
}
