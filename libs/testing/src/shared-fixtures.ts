// Story fixtures shared by test files: generated once into fixtures/ (git-ignored) and reused.
import path from 'node:path';
import { FaceDetector, loadFaceModels } from '@talecast/face';
import { generateStoryFixture, FixtureVariant, ShotPattern, StoryFixture } from '@talecast/fixtures';
import { REPO_ROOT } from './api-process';

export async function sharedFixture(seconds: number, variant: FixtureVariant = 'a', pattern: ShotPattern = 'standard'): Promise<StoryFixture> {
  const detector = new FaceDetector(await loadFaceModels('wasm'));
  const folder = `tale-${variant}-${seconds}s${pattern === 'standard' ? '' : `-${pattern}`}`;
  return generateStoryFixture(detector, { outDir: path.join(REPO_ROOT, 'fixtures', folder), seconds, variant, pattern });
}
