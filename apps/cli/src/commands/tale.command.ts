import path from 'node:path';
import { loadConfig } from '@talecast/config';
import { generateTale } from '@talecast/fixtures';
import { parseOptions, UsageError } from '../cli-args';

/**
 * `tale [--seconds 30] [--size 1280x720] [--fps 30] [--seed 1] [--silent] [--out DIR]`: generate
 * the animated fairy tale "The Golden Key" (video, masks, ground truth, lines, stems).
 */
export async function taleCommand(argv: string[]): Promise<void> {
  const o = parseOptions(argv, {
    seconds: { type: 'string', default: '30' },
    size: { type: 'string', default: '1280x720' },
    fps: { type: 'string', default: '30' },
    seed: { type: 'string', default: '1' },
    silent: { type: 'boolean', default: false },
    out: { type: 'string' },
  });
  const seconds = Number(o.seconds);
  if (!Number.isFinite(seconds) || seconds < 3 || seconds > 120) throw new UsageError('--seconds must be a number from 3 to 120');
  const m = /^(\d+)x(\d+)$/.exec(String(o.size));
  if (!m || Number(m[1]) % 2 || Number(m[2]) % 2) throw new UsageError('--size must be WIDTHxHEIGHT with even numbers, e.g. 640x360');
  const fps = Number(o.fps),
    seed = Number(o.seed);
  if (!Number.isInteger(fps) || fps < 10 || fps > 60) throw new UsageError('--fps must be an integer from 10 to 60');
  if (!Number.isInteger(seed)) throw new UsageError('--seed must be an integer');
  const config = loadConfig();
  const width = Number(m[1]),
    height = Number(m[2]);
  const outDir =
    (o.out as string | undefined) ??
    path.join(config.roots.base, 'fixtures', `golden-key-${width}x${height}-${seconds}s${o.silent ? '-silent' : ''}${seed === 1 ? '' : `-seed${seed}`}`);
  const tale = await generateTale({ outDir, seconds, width, height, fps, seed, audio: !o.silent });
  console.log(
    `${tale.generated ? `generated in ${tale.elapsed.toFixed(1)} s` : 'reused'}: ${tale.video} (${tale.frameCount} frames, ${seconds} s, ${width}x${height})`,
  );
  console.log(`masks: ${tale.masks}\nground truth: ${tale.groundTruth}${tale.lines ? `\nlines: ${tale.lines}` : ''}`);
}
