import path from 'node:path';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@talecast/config';
import { CoreModule } from '@talecast/core';
import { PrecomputeModule, PrecomputeService } from '@talecast/precompute';
import { parseOptions, UsageError } from '../cli-args';
import { ProgressBar } from '../progress-bar';

/** `precompute --story <id> --video <file> --masks <file> [--lines <file>] [--title <text>] [--reference <image>] [--style photo|toon]` */
export async function precomputeCommand(argv: string[]): Promise<void> {
  const o = parseOptions(argv, {
    story: { type: 'string' },
    video: { type: 'string' },
    masks: { type: 'string' },
    lines: { type: 'string' },
    title: { type: 'string' },
    reference: { type: 'string' },
    style: { type: 'string' },
  });
  if (!o.story || !o.video || !o.masks) throw new UsageError('precompute needs --story, --video and --masks');
  if (o.style !== undefined && o.style !== 'photo' && o.style !== 'toon') throw new UsageError('--style must be photo or toon');
  const app = await NestFactory.createApplicationContext(
    { module: class PrecomputeCli {}, imports: [CoreModule.forRoot(loadConfig()), PrecomputeModule] },
    { logger: ['error', 'warn'] },
  );
  const bar = new ProgressBar(`precompute ${o.story}`);
  try {
    const summary = await app.get(PrecomputeService).run(
      {
        storyId: o.story,
        video: path.resolve(o.video),
        masks: path.resolve(o.masks),
        lines: o.lines ? path.resolve(o.lines) : undefined,
        title: o.title,
        reference: o.reference ? path.resolve(o.reference) : undefined,
        style: o.style as 'photo' | 'toon' | undefined,
      },
      (fraction, stage) => bar.update(fraction, stage),
    );
    bar.done();
    for (const w of summary.warnings) console.log(`warning: ${w}`);
    const roles = Object.entries(summary.faceFrames)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ');
    console.log(
      `precomputed ${summary.storyId}: ${summary.frames} frames (face frames: ${roles}), ${summary.segments} segments (${summary.faceSegments} with faces), ` +
        `${summary.seconds.toFixed(1)} s, ${summary.speed.toFixed(2)}x real time`,
    );
  } finally {
    bar.done();
    await app.close();
  }
}
