// The upload pool: worker threads that detect and align uploaded faces, each with its own face
// models. FaceUploadService makes one on first use. An entry point that knows a photo is coming
// (the CLI's render) starts it first, so its threads load the models while the entry point loads
// Nest and the database starts, and hands it to the service (PHOTO_ANALYSIS_POOL), which then owns
// it. Must not import Nest or the database: it is loaded before them.
import { existsSync } from 'node:fs';
import path from 'node:path';
import Piscina from 'piscina';
import { decodePhoto, workingCopy } from './image-intake';
import type { PhotoAnalysis, PhotoAnalysisTask } from './photo-analysis';
import type { PhotoWorkerTask } from './photo-analysis.worker';

/** Nest token of a pool made before the service (optional; the service makes its own without it). */
export const PHOTO_ANALYSIS_POOL = Symbol('PHOTO_ANALYSIS_POOL');

export type FaceBackendPreference = PhotoWorkerTask['backend'];

/** The side of the photo's copy the detector sees. */
const WORKING_SIDE = 1280;

/** A photo decoded and analysed, nothing written: what FaceUploadService.ingest stores. */
export interface AnalysedPhoto {
  /** The upright photo's size in pixels. */
  width: number;
  height: number;
  analysis: PhotoAnalysis;
}

export function photoAnalysisWorkerFile(): string {
  const file = path.join(__dirname, 'photo-analysis.worker.js');
  if (!existsSync(file)) throw new Error(`photo analysis worker not built: ${file} (run npm run build)`);
  return file;
}

/** The pool; its threads start now (a task sent before a thread has loaded its modules waits in that thread, not here). */
export function createPhotoAnalysisPool(threads: number): Piscina {
  return new Piscina({ filename: photoAnalysisWorkerFile(), minThreads: threads, maxThreads: threads, idleTimeout: 60_000 });
}

/** Loads the face models in every thread of the pool (one task per thread, sent together: a busy thread takes no second one). */
export async function warmPhotoAnalysisPool(pool: Piscina, backend: FaceBackendPreference): Promise<void> {
  await Promise.all(Array.from({ length: pool.options.maxThreads }, () => pool.run({ backend, warm: true } satisfies PhotoWorkerTask)));
}

/** The photo decoded for the analysis: upright sRGB at full size, and the detector's smaller copy. */
export type DecodedForAnalysis = Pick<PhotoAnalysisTask, 'photo' | 'working'>;

/** Decodes the photo safely (image-intake.ts: by content, pixel limit, orientation); a refusal throws its reason code. */
export async function decodeForAnalysis(photo: Buffer, maxPixels: number): Promise<DecodedForAnalysis> {
  const decoded = await decodePhoto(photo, maxPixels);
  return { photo: { data: decoded.data, width: decoded.width, height: decoded.height }, working: await workingCopy(decoded, WORKING_SIDE) };
}

/** Detection, alignment and mask in the pool, off the event loop; a refusal comes back as a value (`analysis.ok` false). */
export async function analyseInPool(
  pool: Piscina,
  decoded: DecodedForAnalysis,
  options: { backend: FaceBackendPreference; faceIndex?: number },
): Promise<AnalysedPhoto> {
  const analysis = (await pool.run({ backend: options.backend, ...decoded, faceIndex: options.faceIndex } satisfies PhotoWorkerTask)) as PhotoAnalysis;
  return { width: decoded.photo.width, height: decoded.photo.height, analysis };
}
