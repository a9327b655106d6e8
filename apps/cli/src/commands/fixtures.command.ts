import path from 'node:path';
import { loadConfig } from '@talecast/config';
import { FaceDetector, loadFaceModels } from '@talecast/face';
import { generateStoryFixture, FixtureVariant } from '@talecast/fixtures';
import { parseOptions, UsageError } from '../cli-args';

/** `fixtures [--seconds N] [--variant a|b] [--out DIR]`: generate a story fixture. */
export async function fixturesCommand(argv: string[]): Promise<void> {
  const o = parseOptions(argv, {
    seconds: { type: 'string', default: '20' },
    variant: { type: 'string', default: 'a' },
    out: { type: 'string' },
  });
  const seconds = Number(o.seconds);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 3600) throw new UsageError('--seconds must be a number from 1 to 3600');
  if (o.variant !== 'a' && o.variant !== 'b') throw new UsageError('--variant must be a or b');
  const config = loadConfig();
  const outDir = o.out ?? path.join(config.roots.base, 'fixtures', `tale-${o.variant}-${seconds}s`);
  const started = Date.now();
  const detector = new FaceDetector(await loadFaceModels(config.faceBackend));
  const fixture = await generateStoryFixture(detector, { outDir, seconds, variant: o.variant as FixtureVariant });
  const elapsed = (Date.now() - started) / 1000;
  console.log(`${fixture.generated ? 'generated' : 'reused'} ${fixture.video} (${fixture.frameCount} frames, ${seconds} s) in ${elapsed.toFixed(1)} s`);
  console.log(`masks: ${fixture.masks}\nground truth: ${fixture.groundTruth}\nhero photo: ${fixture.heroPhoto}`);
}
