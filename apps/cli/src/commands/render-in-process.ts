// The render command's work in this process: Nest with the database, the photo's analysis, the
// engine. Loaded by render.command.ts once the photo's analysis threads are starting (Nest, the
// database and the engine's modules take ~0.7 s to load), when no running Talecast process took
// the render (render-handover.ts). The steps are DirectRenderService's, as in that process.
import { promises as fs } from 'node:fs';
import Piscina from 'piscina';
import { NestFactory } from '@nestjs/core';
import { AppConfig } from '@talecast/config';
import { CoreModule } from '@talecast/core';
import { LifecycleModule } from '@talecast/lifecycle';
import { QueueModule } from '@talecast/queue';
import { PHOTO_ANALYSIS_POOL } from '@talecast/face-upload';
import { DirectRenderService, RenderModule, warmRenderPool } from '@talecast/render';
import { VoiceModule } from '@talecast/voice';
import { UsageError } from '../cli-args';
import { ProgressBar } from '../progress-bar';
import type { RenderRequest, StartedPhoto } from './render.command';
import { copiedTo, faceLine, summaryLine, voiceLine } from './render-output';

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
    const result = await app.get(DirectRenderService).run(
      {
        storyId: request.story,
        photos,
        recordings: request.voices.map((v) => ({
          lineId: v.lineId,
          audio: () =>
            fs.readFile(v.file).catch(() => {
              throw new UsageError(`--voice ${v.lineId}: cannot read ${v.file}`);
            }),
        })),
        childName: request.name,
        language: request.language,
        threadsUp,
      },
      {
        voice: (lineId, rec) => console.log(voiceLine(lineId, rec)),
        face: (i, r) => console.log(faceLine(request.faces[i], { ...r, warnings: r.warnings.map((w) => w.code) })),
        progress: (fraction, done, total) => bar.update(fraction, `${done}/${total} segments`),
      },
    );
    bar.done();
    console.log(summaryLine(await copiedTo(request.out, result.file), result));
  } finally {
    bar.done();
    await app.close();
  }
}
