// Story fixtures shared by test files: generated once into fixtures/ (git-ignored) and reused.
import path from 'node:path';
import { FaceDetector, loadFaceModels } from '@talecast/face';
import { generateStoryFixture, FixtureVariant, StoryFixture } from '@talecast/fixtures';
import { REPO_ROOT } from './api-process';

export async function sharedFixture(seconds: number, variant: FixtureVariant = 'a'): Promise<StoryFixture> {
  const detector = new FaceDetector(await loadFaceModels('wasm'));
  return generateStoryFixture(detector, { outDir: path.join(REPO_ROOT, 'fixtures', `tale-${variant}-${seconds}s`), seconds, variant });
}
