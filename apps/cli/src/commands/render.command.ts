import path from 'node:path';
import { promises as fs } from 'node:fs';
import { loadConfig } from '@talecast/config/app-config';
import { AnalysedPhoto, analyseInPool, createPhotoAnalysisPool, DecodedForAnalysis, decodeForAnalysis } from '@talecast/face-upload/photo-analysis-pool';
import { parseOptions, UsageError } from '../cli-args';
import { renderThroughRunningProcess } from './render-handover';

/** What `render` was asked for, checked; files resolved against the working folder. */
export interface RenderRequest {
  story: string;
  faces: string[];
  voices: { lineId: string; file: string }[];
  out?: string;
  name?: string;
  language?: string;
}

/** The command line of `render`, checked; a usage error names what is wrong. */
export function parseRenderRequest(argv: string[]): RenderRequest {
  const o = parseOptions(argv, {
    story: { type: 'string' },
    face: { type: 'string', multiple: true },
    voice: { type: 'string', multiple: true },
    out: { type: 'string' },
    name: { type: 'string' },
    language: { type: 'string' },
  });
  if (!o.story || !o.face?.length) throw new UsageError('render needs --story and at least one --face');
  if (o.face.length > 5) throw new UsageError('at most 5 --face photos');
  const voices = (o.voice ?? []).map((v) => {
    const at = v.indexOf('=');
    if (at <= 0 || at === v.length - 1) throw new UsageError(`--voice must be <lineId>=<audio file>, not "${v}"`);
    return { lineId: v.slice(0, at), file: path.resolve(v.slice(at + 1)) };
  });
  return { story: o.story, faces: o.face, voices, out: o.out, name: o.name, language: o.language };
}

/**
 * `render --story <id> --face <image> [--face <image> …] [--voice <lineId>=<audio> …] [--name <child> [--language en|ko]] [--out <file.mp4>]`:
 * the same engine, no HTTP. `--name` puts the title card at the start. Handed to a running Talecast
 * process (role all or worker, same build and data) when one answers on the local socket; else here.
 */
export async function renderCommand(argv: string[]): Promise<void> {
  const request = parseRenderRequest(argv);
  const config = loadConfig();
  // A running Talecast process of this build has everything below up already (render-handover.ts).
  if (await renderThroughRunningProcess(config, request)) return;
  // The photos' analysis is the longest chain before the render (a thread starts, loads the face
  // models, analyses): it starts first, a thread per photo, while this thread loads Nest and the
  // engine and the database starts. What is stored, and the lifecycle event, waits for the upload.
  const analysisPool = createPhotoAnalysisPool(Math.min(request.faces.length, config.upload.threads));
  const read = request.faces.map((file) => readAndDecode(file, config.upload.maxPixels));
  // Loading Nest and the engine holds this thread ~0.7 s: the photos are decoded first (sharp's
  // threads, ~0.2 s, while the analysis threads load the models), so their analysis is not held up.
  await Promise.allSettled(read.map((r) => r.decoded));
  const photos = read.map(({ photo, decoded }) =>
    startedPhoto(
      photo,
      decoded.then((d) => analyseInPool(analysisPool, d, { backend: config.faceBackend })),
    ),
  );
  try {
    const { renderInProcess } = await import('./render-in-process');
    await renderInProcess(config, request, photos, analysisPool);
  } finally {
    await analysisPool.destroy();
  }
}

/** A photo read and its analysis started; a failure is met (and reported) where the upload awaits it. */
export interface StartedPhoto {
  photo: Promise<Buffer>;
  analysed: Promise<AnalysedPhoto>;
}

function readAndDecode(file: string, maxPixels: number): { photo: Promise<Buffer>; decoded: Promise<DecodedForAnalysis> } {
  const photo = fs.readFile(path.resolve(file));
  return { photo, decoded: photo.then((p) => decodeForAnalysis(p, maxPixels)) };
}

/** A failure is awaited later, after the recordings: not an unhandled rejection meanwhile. */
function startedPhoto(photo: Promise<Buffer>, analysed: Promise<AnalysedPhoto>): StartedPhoto {
  photo.catch(() => undefined);
  analysed.catch(() => undefined);
  return { photo, analysed };
}
