import path from 'node:path';
import { promises as fs } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@talecast/config';
import { CoreModule, renderFailure } from '@talecast/core';
import { LifecycleModule } from '@talecast/lifecycle';
import { QueueModule } from '@talecast/queue';
import { FaceUploadService } from '@talecast/face-upload';
import { RenderModule, RenderService, RenderWorker, warmRenderPool } from '@talecast/render';
import { RecordingService, VoiceModule } from '@talecast/voice';
import { parseOptions, UsageError } from '../cli-args';
import { ProgressBar } from '../progress-bar';

/**
 * `render --story <id> --face <image> [--face <image> …] [--voice <lineId>=<audio> …] [--name <child> [--language en|ko]] [--out <file.mp4>]`:
 * the same engine, no HTTP. `--name` puts the title card at the start.
 */
export async function renderCommand(argv: string[]): Promise<void> {
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
  const voiceFiles = (o.voice ?? []).map((v) => {
    const at = v.indexOf('=');
    if (at <= 0 || at === v.length - 1) throw new UsageError(`--voice must be <lineId>=<audio file>, not "${v}"`);
    return { lineId: v.slice(0, at), file: path.resolve(v.slice(at + 1)) };
  });
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(
    { module: class RenderCli {}, imports: [CoreModule.forRoot(config), LifecycleModule, QueueModule, RenderModule, VoiceModule] },
    { logger: ['error', 'warn'] },
  );
  // The segment threads start (modules, the compositor's warm-up) while the photo is analysed, not
  // inside the render: as the server's worker has them up since boot.
  const threadsUp = warmRenderPool(config.renderThreads).catch(() => undefined);
  const bar = new ProgressBar(`render ${o.story}`);
  try {
    // Each recording is checked and fitted as the API does (an unknown line or a file that is not audio stops here).
    const voices: Record<string, string> = {};
    for (const v of voiceFiles) {
      const rec = await app.get(RecordingService).ingest(
        o.story,
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
    for (const file of o.face) {
      const result = await uploads.ingest(await fs.readFile(path.resolve(file)));
      const warnings = result.warnings.map((w) => w.code).join(', ');
      console.log(
        `face ${path.basename(file)}: ${result.faceCount} face(s), using #${result.chosenIndex} (${result.expression})${warnings ? `; warnings: ${warnings}` : ''}`,
      );
      faceIds.push(result.id);
    }
    const { render } = await app
      .get(RenderService)
      .create({ storyId: o.story, faces: { hero: faceIds }, voices, childName: o.name, language: o.language }, { enqueue: false });
    await threadsUp;
    const started = Date.now();
    const outcome = await app.get(RenderWorker).process(render.id, (fraction, done, total) => bar.update(fraction, `${done}/${total} segments`));
    bar.done();
    const final = await app.get(RenderService).find(render.id);
    if (!outcome || final.status !== 'done') throw renderFailure(final.status, final.errorCode, final.error);
    let file = outcome.file;
    if (o.out) {
      file = path.resolve(o.out);
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
