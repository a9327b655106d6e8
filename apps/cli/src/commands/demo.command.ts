import path from 'node:path';
import { loadConfig } from '@talecast/config';
import { Database } from '@talecast/persistence';
import { FaceDetector, loadFaceModels, samplePhotoDirectory } from '@talecast/face';
import { generateStoryFixture, loadRgb } from '@talecast/fixtures';
import { locateFfmpeg, probeMedia } from '@talecast/video';
import { parseOptions } from '../cli-args';

/**
 * `demo`: on a fresh clone, shows each real part working end to end and says what it did:
 * embedded PostgreSQL with migrations, ffmpeg, the face models, a generated story.
 */
export async function demoCommand(argv: string[]): Promise<void> {
  const o = parseOptions(argv, { seconds: { type: 'string', default: '20' } });
  const config = loadConfig();
  const started = Date.now();
  const step = (text: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s] ${text}`);

  const db = await Database.open(config);
  step(`database: ${db.mode === 'embedded' ? `embedded PostgreSQL in ${path.relative(process.cwd(), config.roots.state) || '.'}/postgres` : 'DATABASE_URL'}, migrations applied`);
  const ff = await locateFfmpeg();
  step(`ffmpeg ${ff.version} (${ff.source}) with libx264 and aac`);
  const models = await loadFaceModels(config.faceBackend);
  step(`face models loaded on ${models.backend} in ${models.loadMs} ms`);
  const detector = new FaceDetector(models);

  const photo = path.join(samplePhotoDirectory(), 'sample1.jpg');
  const faces = await detector.detectAll(await loadRgb(photo, 1280), { expressions: true });
  step(`sample photo ${path.basename(photo)}: ${faces.length} faces, expressions ${faces.map((f) => topExpression(f.expressions!)).join(', ')}`);

  const seconds = Number(o.seconds);
  const fixture = await generateStoryFixture(detector, { outDir: path.join(config.roots.base, 'fixtures', `tale-a-${seconds}s`), seconds, variant: 'a' });
  const info = await probeMedia(ff.ffprobe, fixture.video);
  step(`story fixture ${fixture.generated ? 'generated' : 'reused'}: ${path.relative(process.cwd(), fixture.video)} (${info.video?.width}x${info.video?.height}, ${info.video?.fps} fps, ${info.durationSeconds.toFixed(1)} s, ${info.video?.codec} + ${info.audio?.codec})`);
  await db.close();
  console.log(`\ndone in ${((Date.now() - started) / 1000).toFixed(1)} s. Start the API with \`npm start\` and open http://127.0.0.1:${config.port}/api/health or /docs.`);
}

function topExpression(scores: Record<string, number>): string {
  return Object.entries(scores).sort((a, b) => b[1] - a[1])[0][0];
}
