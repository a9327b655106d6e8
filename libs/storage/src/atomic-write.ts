// Write-then-rename helpers: a reader never sees a half-written file.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export function temporarySibling(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Lets `write` produce each target under a temporary sibling (an ffmpeg output, a copy), then
 * renames them over their targets, in order, once `write` resolved. The temporary files never
 * survive, whether `write` succeeded or not.
 */
export async function replaceFiles<T>(targets: readonly string[], write: (temporaries: string[]) => Promise<T>): Promise<T> {
  const temporaries = targets.map(temporarySibling);
  try {
    const result = await write(temporaries);
    for (let i = 0; i < targets.length; i++) await fs.rename(temporaries[i], targets[i]);
    return result;
  } finally {
    await Promise.all(temporaries.map((t) => fs.rm(t, { force: true })));
  }
}

/** `replaceFiles` for one target. */
export function replaceFile<T>(target: string, write: (temporary: string) => Promise<T>): Promise<T> {
  return replaceFiles([target], ([temporary]) => write(temporary));
}

/** Writes `data` to a temporary sibling, fsyncs, then renames over `target`. */
export async function writeFileAtomic(target: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = temporarySibling(target);
  try {
    const handle = await fs.open(tmp, 'wx', 0o640);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/** Sum of file sizes under `dir` (symlinks are counted as links, never followed). */
export async function treeSize(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) total += await treeSize(p);
    else total += (await fs.lstat(p).catch(() => undefined))?.size ?? 0; // a file removed meanwhile
  }
  return total;
}

/**
 * Removes a folder and everything in it, also while another process still writes into it (a
 * render being cancelled): ENOTEMPTY and EBUSY are retried a few times.
 */
export async function removeTree(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true, maxRetries: 8, retryDelay: 50 });
}
