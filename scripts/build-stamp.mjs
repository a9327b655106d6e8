// Build stamps: lets the build scripts skip work when nothing has changed. A stamp records the
// SHA-1 of every input file's content (plus a "setup" hash: the build script itself, the compiler
// versions, the tsconfig), so a checkout that only touches mtimes, a file put back as it was, or
// a clock that goes backwards never fools it, and a deleted or added file is always seen.
// Hashing ~500 small sources costs tens of milliseconds; a rebuild costs seconds.
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** SHA-1 (hex) of a buffer or string. */
export function sha1(data) {
  return createHash('sha1').update(data).digest('hex');
}

/** Content hashes of files, keyed by their path relative to `root` (forward slashes). */
export async function hashFiles(root, files) {
  const out = {};
  await Promise.all(
    files.map(async (f) => {
      out[path.relative(root, f).split(path.sep).join('/')] = sha1(await fs.readFile(f));
    }),
  );
  return out;
}

/** Every file under `dir` whose name passes `keep`, skipping folders named in `skipDirs`. */
export async function listFiles(dir, keep, skipDirs = new Set(['node_modules'])) {
  const found = [];
  const walk = async (d) => {
    let entries;
    try {
      entries = await fs.readdir(d, { withFileTypes: true });
    } catch {
      return;
    }
    await Promise.all(
      entries.map(async (e) => {
        const p = path.join(d, e.name);
        if (e.isDirectory()) {
          if (!skipDirs.has(e.name)) await walk(p);
        } else if (keep(e.name, p)) found.push(p);
      }),
    );
  };
  await walk(dir);
  return found.sort();
}

/** The stamp written by the last successful build, or null (missing, unreadable, other format). */
export async function readStamp(file) {
  try {
    const s = JSON.parse(await fs.readFile(file, 'utf8'));
    return s && s.version === 1 && typeof s.setup === 'string' && s.files && typeof s.files === 'object' ? s : null;
  } catch {
    return null;
  }
}

/** Written only after a build succeeded, atomically (a crash mid-write leaves no half stamp). */
export async function writeStamp(file, setup, files) {
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, JSON.stringify({ version: 1, setup, files }));
  await fs.rename(tmp, file);
}

/** Which inputs changed since the stamp: added or edited (`changed`) and gone (`removed`). */
export function diffStamp(stamp, setup, files) {
  if (!stamp || stamp.setup !== setup)
    return { all: true, changed: Object.keys(files), removed: stamp ? Object.keys(stamp.files).filter((k) => !(k in files)) : [] };
  const changed = Object.keys(files).filter((k) => stamp.files[k] !== files[k]);
  const removed = Object.keys(stamp.files).filter((k) => !(k in files));
  return { all: false, changed, removed };
}

/** The version of an installed package (part of a setup hash), or 'none'. */
export async function packageVersion(root, name) {
  try {
    return JSON.parse(await fs.readFile(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return 'none';
  }
}
