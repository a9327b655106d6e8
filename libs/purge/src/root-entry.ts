// Measures and removes one entry directly under a data root (uploads/ or generated/) without
// ever leaving that root: a symlink is removed as a link and never followed, every directory is
// checked to resolve inside the root before it is entered, and the root itself is never removed.
// Must never be given a path built from user input: callers pass StorageCore paths or names read
// from the root's own listing.
import { promises as fs, Stats } from 'node:fs';
import path from 'node:path';
import { PathOutsideRootError } from '@talecast/storage';

export interface RootEntryMeasure {
  exists: boolean;
  /** Sum of the sizes of everything under the entry that is not a directory (links count as links). */
  bytes: number;
  /** Newest modification time of the entry or anything under it (of links themselves, not targets). */
  newestMtimeMs: number;
}

/** Size and age of `target`, a direct child of `root`. Reads only; follows no symlink. */
export async function measureRootEntry(root: string, target: string): Promise<RootEntryMeasure> {
  const entry = directChild(root, target);
  const realRoot = await realpathOrUndefined(root);
  const st = realRoot === undefined ? undefined : await lstatOrUndefined(entry);
  if (realRoot === undefined || st === undefined) return { exists: false, bytes: 0, newestMtimeMs: 0 };
  const m = await measure(realRoot, entry, st);
  return { exists: true, ...m };
}

/** Removes `target`, a direct child of `root`, and returns the bytes freed (0 when absent). */
export async function removeRootEntry(root: string, target: string): Promise<number> {
  const entry = directChild(root, target);
  const realRoot = await realpathOrUndefined(root);
  const st = realRoot === undefined ? undefined : await lstatOrUndefined(entry);
  if (realRoot === undefined || st === undefined) return 0;
  return remove(realRoot, entry, st);
}

/** True when `candidate` lies strictly inside `root` (both absolute, already resolved). */
export function isStrictlyInside(root: string, candidate: string): boolean {
  const rel = path.relative(root, candidate);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

function directChild(root: string, target: string): string {
  const r = path.resolve(root);
  const t = path.resolve(target);
  const name = path.basename(t);
  if (path.dirname(t) !== r || name === '' || name === '.' || name === '..') throw new PathOutsideRootError(t, r);
  return t;
}

async function measure(realRoot: string, p: string, st: Stats): Promise<{ bytes: number; newestMtimeMs: number }> {
  if (!st.isDirectory()) return { bytes: st.size, newestMtimeMs: st.mtimeMs };
  await assertResolvesInside(realRoot, p);
  let bytes = 0;
  let newestMtimeMs = st.mtimeMs;
  for (const name of await readdirOrEmpty(p)) {
    const child = path.join(p, name);
    const cst = await lstatOrUndefined(child);
    if (!cst) continue;
    const m = await measure(realRoot, child, cst);
    bytes += m.bytes;
    newestMtimeMs = Math.max(newestMtimeMs, m.newestMtimeMs);
  }
  return { bytes, newestMtimeMs };
}

async function remove(realRoot: string, p: string, st: Stats): Promise<number> {
  if (!st.isDirectory()) {
    // unlink removes a symlink itself, never its target.
    try {
      await fs.unlink(p);
    } catch (err) {
      if (code(err) === 'ENOENT') return 0;
      throw err;
    }
    return st.size;
  }
  await assertResolvesInside(realRoot, p);
  let bytes = 0;
  for (const name of await readdirOrEmpty(p)) {
    const child = path.join(p, name);
    const cst = await lstatOrUndefined(child);
    if (cst) bytes += await remove(realRoot, child, cst);
  }
  try {
    await fs.rmdir(p);
  } catch (err) {
    if (code(err) !== 'ENOENT') throw err;
  }
  return bytes;
}

/** A directory is entered only when its real path is still inside the real root. */
async function assertResolvesInside(realRoot: string, dir: string): Promise<void> {
  const real = await fs.realpath(dir);
  if (!isStrictlyInside(realRoot, real)) throw new PathOutsideRootError(real, realRoot);
}

async function realpathOrUndefined(p: string): Promise<string | undefined> {
  try {
    return await fs.realpath(p);
  } catch (err) {
    if (code(err) === 'ENOENT') return undefined;
    throw err;
  }
}

async function lstatOrUndefined(p: string): Promise<Stats | undefined> {
  try {
    return await fs.lstat(p);
  } catch (err) {
    if (code(err) === 'ENOENT') return undefined;
    throw err;
  }
}

async function readdirOrEmpty(p: string): Promise<string[]> {
  try {
    return await fs.readdir(p);
  } catch (err) {
    if (code(err) === 'ENOENT') return [];
    throw err;
  }
}

function code(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException)?.code;
}
