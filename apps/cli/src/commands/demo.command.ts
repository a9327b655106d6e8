import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { Repository } from 'typeorm';
import { loadConfig } from '@talecast/config';
import { CoreModule, renderFailure } from '@talecast/core';
import { Database, STORY_REPOSITORY, StoryEntity } from '@talecast/persistence';
import { FaceAnalysisService, samplePhotoDirectory } from '@talecast/face';
import { generateTale, TALE_META } from '@talecast/fixtures';
import { FfmpegService } from '@talecast/video';
import { LifecycleModule } from '@talecast/lifecycle';
import { QueueModule } from '@talecast/queue';
import { PrecomputeModule, PrecomputeService } from '@talecast/precompute';
import { FaceUploadService } from '@talecast/face-upload';
import { RenderModule, RenderService, RenderWorker } from '@talecast/render';
import { StorageCore } from '@talecast/storage';
import { makeStandInVoice, RecordingService, VoiceModule } from '@talecast/voice';
import { parseOptions } from '../cli-args';
import { ProgressBar } from '../progress-bar';

const DEMO_CHILD_NAME = 'Mina';

/**
 * `demo`: the whole product once, on generated data, saying what each step did: embedded
 * PostgreSQL, ffmpeg, face models, the generated animated tale "The Golden Key" (drawn by code,
 * spoken by espeak-ng), its precompute, a sample child's photo, and the render with that face on
 * the hero; ends with where the MP4 is and how to start the server.
 */
export async function demoCommand(argv: string[]): Promise<void> {
  const o = parseOptions(argv, { seconds: { type: 'string', default: '30' }, photo: { type: 'string', default: 'sample1.jpg' } });
  const config = loadConfig();
  const started = Date.now();
  const step = (text: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${text}`);
  const app = await NestFactory.createApplicationContext(
    { module: class DemoCli {}, imports: [CoreModule.forRoot(config), LifecycleModule, QueueModule, PrecomputeModule, RenderModule, VoiceModule] },
    { logger: ['error', 'warn'] },
  );
  try {
    const db = app.get(Database);
    step(
      `database: ${db.mode === 'embedded' ? `embedded PostgreSQL (${path.relative(process.cwd(), config.roots.state) || '.'}/postgres)` : 'DATABASE_URL'}, migrations applied`,
    );
    const ff = await app.get(FfmpegService).locate();
    step(`ffmpeg ${ff.version} (${ff.source}) with libx264 and aac`);
    const detector = await app.get(FaceAnalysisService).detector();
    step(`face models loaded on ${detector.backend}`);

    const seconds = Number(o.seconds);
    const tale = await generateTale({ outDir: path.join(config.roots.base, 'fixtures', `golden-key-1280x720-${seconds}s`), seconds });
    step(
      `story video ${tale.generated ? `generated in ${tale.elapsed.toFixed(1)} s` : 'reused'}: ${path.relative(process.cwd(), tale.video)} ("${TALE_META.title.en}", ${seconds} s, 1280x720, 30 fps, drawn by code; narrator and lines by espeak-ng; roles hero + friend)`,
    );
    const fixture = { video: tale.video, masks: tale.masks };

    const storyId = `golden-key-${seconds}s`;
    const story = await app.get<Repository<StoryEntity>>(STORY_REPOSITORY).findOneBy({ id: storyId });
    const storage = app.get(StorageCore);
    const published = await fs.access(storage.storyFile(storyId, 'manifest.json')).then(
      () => true,
      () => false,
    );
    if (story?.status === 'ready' && published) {
      step(`story "${storyId}" already precomputed (${story.segmentCount} segments); reusing it`);
    } else {
      const bar = new ProgressBar('precompute');
      const s = await app
        .get(PrecomputeService)
        .run({ storyId, video: fixture.video, masks: fixture.masks, title: TALE_META.title.en, lines: tale.lines ?? undefined }, (f, stage) =>
          bar.update(f, stage),
        );
      bar.done();
      step(
        `precomputed "${storyId}": ${s.frames} frames, hero in ${s.faceFrames.hero}, ${s.segments} segments (${s.faceSegments} with the hero), ${s.speed.toFixed(2)}x real time`,
      );
    }

    const photo = path.join(samplePhotoDirectory(), o.photo);
    const face = await app.get(FaceUploadService).ingest(await fs.readFile(photo));
    step(
      `child's photo ${o.photo}: ${face.faceCount} face(s), using #${face.chosenIndex} (${face.expression}); aligned preview in uploads/${face.id}/preview.png`,
    );

    const voices = await standInChildLine(app.get(RecordingService), ff.ffmpeg, storyId, tale.lines, step);
    // A stand-in child's name: the video opens with the title card ("The Golden Key — starring Mina").
    const { render } = await app
      .get(RenderService)
      .create({ storyId, faces: { hero: [face.id] }, voices, childName: DEMO_CHILD_NAME, language: 'en' }, { enqueue: false });
    step(`title card: "${TALE_META.title.en}", starring ${DEMO_CHILD_NAME}, over the first seconds`);
    const bar = new ProgressBar('render');
    const t0 = Date.now();
    const outcome = await app.get(RenderWorker).process(render.id, (f, done, total) => bar.update(f, `${done}/${total} segments`));
    bar.done();
    if (!outcome) {
      const final = await app.get(RenderService).find(render.id);
      throw renderFailure(final.status, final.errorCode, final.error);
    }
    const wall = (Date.now() - t0) / 1000;
    step(
      `rendered ${path.relative(process.cwd(), outcome.file)}: ${outcome.durationSeconds.toFixed(1)} s of video in ${wall.toFixed(1)} s = ${(outcome.durationSeconds / wall).toFixed(2)}x real time (${outcome.renderedSegments} segments composited, ${outcome.reusedSegments} copied untouched; first HLS segment after ${((outcome.timings.firstHlsMs ?? 0) / 1000).toFixed(1)} s)`,
    );
    console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s. Watch it: ${outcome.file}`);
    console.log(`Start the server with \`npm start\` and open http://127.0.0.1:${config.port}/ (API docs at /docs).`);
  } finally {
    await app.close();
  }
}

/**
 * The child's voice in one line: the hero's first line read by the speech synthesiser at a raised
 * pitch (a stand-in for a child's recording), checked and fitted to its slot as a parent's
 * recording is. No lines (a story generated without sound) → no voice.
 */
async function standInChildLine(
  recordings: RecordingService,
  ffmpeg: string,
  storyId: string,
  linesFile: string | null,
  step: (text: string) => void,
): Promise<Record<string, string>> {
  if (!linesFile) return {};
  const authored = JSON.parse(await fs.readFile(linesFile, 'utf8')) as {
    lines: { id: string; role: string; from: number; to: number; text: { en: string } }[];
  };
  const line = authored.lines.find((l) => l.role === 'hero');
  if (!line) return {};
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'talecast-demo-voice-'));
  const file = path.join(dir, 'child.wav');
  try {
    await makeStandInVoice(ffmpeg, { text: line.text.en, language: 'en', speechSeconds: (line.to - line.from) * 1.1 }, file);
    const rec = await recordings.ingest(storyId, line.id, await fs.readFile(file));
    step(
      `child's voice for line "${line.id}" (stand-in: espeak-ng at a raised pitch): ${rec.recordedSeconds.toFixed(2)} s read into its ${rec.slotSeconds.toFixed(2)} s slot (tempo ${rec.tempo.toFixed(2)}), ${rec.loudness.toFixed(1)} LUFS`,
    );
    return { [line.id]: rec.id };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
