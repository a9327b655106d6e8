// The one piscina pool of segment workers per process, created lazily; the worker file is
// resolved to the compiled worker and checked when the pool is made.
import { existsSync } from 'node:fs';
import path from 'node:path';
import Piscina from 'piscina';

let pool: Piscina | undefined;
/** Tasks waiting for a thread, over all renders of this process (the engine submits a few at a time). */
export const MAX_QUEUE = 64;

export function segmentWorkerFile(): string {
  const file = path.join(__dirname, 'segment.worker.js');
  if (!existsSync(file)) throw new Error(`segment worker not built: ${file} (run npm run build)`);
  return file;
}

export function renderPool(threads: number): Piscina {
  pool ??= new Piscina({ filename: segmentWorkerFile(), minThreads: 1, maxThreads: threads, idleTimeout: 30_000, maxQueue: MAX_QUEUE });
  return pool;
}

export async function closeRenderPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.destroy();
}
