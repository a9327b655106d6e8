// The one piscina pool of segment workers per process, created lazily; the worker file is
// resolved to the compiled worker and checked when the pool is made.
import { existsSync } from 'node:fs';
import os from 'node:os';
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

/** Every lane's thread is started (and its modules loaded) when the pool is made, not at the first render. */
export function renderPool(threads: number): Piscina {
  pool ??= new Piscina({ filename: segmentWorkerFile(), minThreads: threads, maxThreads: threads, idleTimeout: 30_000, maxQueue: MAX_QUEUE });
  return pool;
}

/** The pool, if this process made one (a process that renders); undefined in an API-only process. */
export function existingRenderPool(): Piscina | undefined {
  return pool;
}

/**
 * The pool made if missing, resolved once every lane's thread has loaded its modules and warmed
 * up (one `threadReady` task per thread, sent together: a busy thread takes no second task). A
 * process that closed its pool (the bench between its timed renders) thus starts the next render
 * as the API's worker does, with the threads up since boot, not paying their start inside it.
 */
export async function warmRenderPool(threads: number): Promise<Piscina> {
  const p = renderPool(threads);
  await Promise.all(Array.from({ length: p.options.maxThreads }, () => p.run(null, { name: 'threadReady' })));
  return p;
}

export async function closeRenderPool(): Promise<void> {
  const p = pool;
  pool = undefined;
  await p?.destroy();
}

/**
 * x264 threads per render encoder: the configured count, or when that is 0 (auto) the cores
 * divided among the lanes. x264's own auto (1.5 x all cores, each) assumes it has the machine to
 * itself; with one encoder per lane that oversubscribes the cores and costs CPU per frame
 * (measured on 2 cores, 2 lanes: ~18% more CPU per frame with auto than with 1 thread).
 * Threads do not change the stream headers, so segments still join the story media by concat.
 */
export function renderEncoderThreads(configured: number, lanes: number, cores = os.availableParallelism()): number {
  if (configured > 0) return configured;
  return Math.max(1, Math.floor(cores / Math.max(1, lanes)));
}
