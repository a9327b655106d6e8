// The render command's work in this process: Nest with the database, the photo's analysis, the
// engine. Loaded by render.command.ts once the photo's analysis threads are starting (Nest, the
// database and the engine's modules take ~0.7 s to load).
import path from 'node:path';
import { promises as fs } from 'node:fs';
import Piscina from 'piscina';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '@talecast/config';
import { CoreModule, renderFailure } from '@talecast/core';
import { LifecycleModule } from '@talecast/lifecycle';
import { QueueModule } from '@talecast/queue';
import { FaceUploadService, PHOTO_ANALYSIS_POOL } from '@talecast/face-upload';
import { RenderModule, RenderService, RenderWorker, warmRenderPool } from '@talecast/render';
import { RecordingService, VoiceModule } from '@talecast/voice';
import { UsageError } from '../cli-args';
import { ProgressBar } from '../progress-bar';
import type { RenderRequest, StartedPhoto } from './render.command';

export async function renderInProcess(config: AppConfig, request: RenderRequest, photos: StartedPhoto[], analysisPool: Piscina): Promise<void> {
  const app = await NestFactory.createApplicationContext(
    {
      module: class RenderCli {},
      imports: [
        CoreModule.forRoot(config),
        LifecycleModule,
        QueueModule,
        RenderModule,
        VoiceModule,
        {
          module: class StartedPhotoPool {},
          global: true,
          providers: [{ provide: PHOTO_ANALYSIS_POOL, useValue: analysisPool }],
          exports: [PHOTO_ANALYSIS_POOL],
        },
      ],
    },
    { logger: ['error', 'warn'] },
  );
  // The segment threads start (modules, the compositor's warm-up) while the photo is analysed, not
  // inside the render: as the server's worker has them up since boot.
  const threadsUp = warmRenderPool(config.renderThreads).catch(() => undefined);
  const bar = new ProgressBar(`render ${request.story}`);
  try {
    // Each recording is checked and fitted as the API does (an unknown line or a file that is not audio stops here).
    const voices: Record<string, string> = {};
    for (const v of request.voices) {
      const rec = await app.get(RecordingService).ingest(
        request.story,
        v.lineId,
        await fs.readFile(v.file).catch(() => {
          throw new UsageError(`--voice ${v.lineId}: cannot read ${v.file}`);
        }),
      );
      console.log(
        `voice ${v.lineId}: ${rec.recordedSeconds.toFixed(2)} s read into a ${rec.slotSeconds.toFixed(2)} s slot (tempo ${rec.tempo.toFixed(2)}), ${rec.loudness.toFixed(1)} LUFS`,
      );
      voices[v.lineId] = rec.id;
    }
    const uploads = app.get(FaceUploadService);
    const faceIds: string[] = [];
    for (const [i, file] of request.faces.entries()) {
      const result = await uploads.ingest(await photos[i].photo, { analysed: photos[i].analysed });
      const warnings = result.warnings.map((w) => w.code).join(', ');
      console.log(
        `face ${path.basename(file)}: ${result.faceCount} face(s), using #${result.chosenIndex} (${result.expression})${warnings ? `; warnings: ${warnings}` : ''}`,
      );
      faceIds.push(result.id);
    }
    const { render } = await app
      .get(RenderService)
      .create({ storyId: request.story, faces: { hero: faceIds }, voices, childName: request.name, language: request.language }, { enqueue: false });
    await threadsUp;
    const started = Date.now();
    const outcome = await app.get(RenderWorker).process(render.id, (fraction, done, total) => bar.update(fraction, `${done}/${total} segments`));
    bar.done();
    const final = await app.get(RenderService).find(render.id);
    if (!outcome || final.status !== 'done') throw renderFailure(final.status, final.errorCode, final.error);
    let file = outcome.file;
    if (request.out) {
      file = path.resolve(request.out);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.copyFile(outcome.file, file);
    }
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `rendered ${file}: ${outcome.frames} frames, ${outcome.durationSeconds.toFixed(1)} s of video in ${seconds.toFixed(1)} s ` +
        `(${(outcome.durationSeconds / seconds).toFixed(2)}x real time; ${outcome.renderedSegments} segments composited, ${outcome.reusedSegments} copied)`,
    );
  } finally {
    bar.done();
    await app.close();
  }
}
