// A render run directly, not through the queue: the CLI's `render` in its own process, and the
// same request handed to a running Talecast process over its local socket. One set of steps for
// both, so both store, log and keep exactly the same: the recordings checked and fitted, the
// photos stored as faces (lifecycle `uploaded`), the render row made without a queue job
// (`queued`), then rendered here (`rendering`, `rendered`). A stop (the signal) cancels the render
// between frames and removes everything made for it: its files and row (`cancelled`), the faces
// and recordings stored for it (`deleted-by-parent`). Never logs a name, a photo or a recording.
import { Injectable } from '@nestjs/common';
import { renderFailure } from '@talecast/core';
import { AnalysedPhoto, FaceUploadResult, FaceUploadService } from '@talecast/face-upload';
import { removeTree, StorageCore } from '@talecast/storage';
import { RecordingService } from '@talecast/voice';
import { RenderService } from './render.service';
import { RenderWorker } from './render-worker.service';

export interface DirectRenderInput {
  storyId: string;
  /** Each photo's bytes and, if the caller started it, its analysis (else it is analysed here, all at once). */
  photos: { photo: Promise<Buffer> | Buffer; analysed?: Promise<AnalysedPhoto> }[];
  /** The child's readings, each read when its turn comes (a file that cannot be read fails there). */
  recordings: { lineId: string; audio: () => Promise<Buffer> }[];
  childName?: string;
  language?: string;
  /** Awaited after the render's row is made, before the engine starts (the CLI's own segment threads). */
  threadsUp?: Promise<unknown>;
}

export interface DirectRenderEvents {
  voice?(lineId: string, recording: { recordedSeconds: number; slotSeconds: number; tempo: number; loudness: number }): void;
  face?(index: number, result: FaceUploadResult): void;
  progress?(fraction: number, segmentsDone: number, total: number): void;
}

export interface DirectRenderResult {
  renderId: string;
  file: string;
  frames: number;
  durationSeconds: number;
  /** The engine's seconds (from its start on warm threads to the video's end). */
  seconds: number;
  renderedSegments: number;
  reusedSegments: number;
}

/** The reason a stopped render's row carries. */
export const CLIENT_GONE = 'CLIENT_GONE';

/** What a direct render stored so far: removed when it is stopped. */
interface Made {
  recordings: string[];
  faces: string[];
  render?: string;
}

@Injectable()
export class DirectRenderService {
  constructor(
    private readonly uploads: FaceUploadService,
    private readonly recordings: RecordingService,
    private readonly renders: RenderService,
    private readonly worker: RenderWorker,
    private readonly storage: StorageCore,
  ) {}

  async run(input: DirectRenderInput, on: DirectRenderEvents = {}, signal?: AbortSignal): Promise<DirectRenderResult> {
    const made: Made = { recordings: [], faces: [] };
    // The row is marked at once, not only the running engine: a stop that comes while the worker is
    // still taking the render (lock, row read) finds it cancelled there instead of missing it.
    const stopRender = () => {
      if (!made.render) return;
      this.worker.stop(made.render);
      void this.renders.cancel(made.render, CLIENT_GONE).catch(() => undefined);
    };
    signal?.addEventListener('abort', stopRender);
    try {
      const result = await this.steps(input, on, made, signal);
      stopped(signal);
      return result;
    } catch (err) {
      if (signal?.aborted) {
        await this.discard(made);
        throw new RenderStopped();
      }
      throw err;
    } finally {
      signal?.removeEventListener('abort', stopRender);
    }
  }

  private async steps(input: DirectRenderInput, on: DirectRenderEvents, made: Made, signal?: AbortSignal): Promise<DirectRenderResult> {
    // Several photos are analysed at once in the upload pool; they are stored in order below.
    const analysed = input.photos.map((p) => p.analysed ?? Promise.resolve(p.photo).then((photo) => this.uploads.analyse(photo)));
    for (const a of analysed) a.catch(() => undefined); // met where each photo is stored
    // Each recording is checked and fitted as the API does (an unknown line or a file that is not audio stops here).
    const voices: Record<string, string> = {};
    for (const r of input.recordings) {
      const rec = await this.recordings.ingest(input.storyId, r.lineId, await r.audio());
      made.recordings.push(rec.id);
      stopped(signal);
      on.voice?.(r.lineId, rec);
      voices[r.lineId] = rec.id;
    }
    for (const [i, p] of input.photos.entries()) {
      const result = await this.uploads.ingest(await p.photo, { analysed: analysed[i] });
      made.faces.push(result.id);
      stopped(signal);
      on.face?.(i, result);
    }
    const { render } = await this.renders.create(
      { storyId: input.storyId, faces: { hero: made.faces }, voices, childName: input.childName, language: input.language },
      { enqueue: false },
    );
    made.render = render.id;
    await input.threadsUp;
    stopped(signal);
    const started = Date.now();
    const outcome = await this.worker.process(render.id, (fraction, done, total) => on.progress?.(fraction, done, total));
    stopped(signal);
    const final = await this.renders.find(render.id);
    if (!outcome || final.status !== 'done') throw renderFailure(final.status, final.errorCode, final.error);
    return {
      renderId: render.id,
      file: outcome.file,
      frames: outcome.frames,
      durationSeconds: outcome.durationSeconds,
      seconds: (Date.now() - started) / 1000,
      renderedSegments: outcome.renderedSegments,
      reusedSegments: outcome.reusedSegments,
    };
  }

  /** Everything a stopped render made, removed; each removal is a lifecycle event. */
  private async discard(made: Made): Promise<void> {
    if (made.render) {
      this.worker.stop(made.render);
      await this.renders.cancel(made.render, CLIENT_GONE);
      // A render that ended before the stop reached it is deleted as a parent's delete would be.
      if ((await this.renders.find(made.render)).status === 'done') await this.renders.remove(made.render);
      // The engine may have written after the cancel's removal, before it stopped.
      await removeTree(this.storage.renderDir(made.render));
    }
    for (const id of made.faces) await this.uploads.remove(id).catch(() => undefined);
    await this.recordings.removeAll(made.recordings);
  }
}

/** A direct render stopped by its signal: nothing of it is left. */
export class RenderStopped extends Error {
  constructor() {
    super('the render was stopped and what it made removed');
  }
}

function stopped(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new RenderStopped();
}
