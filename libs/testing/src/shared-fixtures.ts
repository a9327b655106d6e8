// Story fixtures shared by test files: generated once into fixtures/ (git-ignored) and reused.
import path from 'node:path';
import { FaceDetector, loadFaceModels } from '@talecast/face';
import { generateStoryFixture, generateTale, FixtureVariant, ShotPattern, StoryFixture, TaleFixture } from '@talecast/fixtures';
import { REPO_ROOT } from './api-process';

export async function sharedFixture(seconds: number, variant: FixtureVariant = 'a', pattern: ShotPattern = 'standard'): Promise<StoryFixture> {
  const detector = new FaceDetector(await loadFaceModels('wasm'));
  const folder = `tale-${variant}-${seconds}s${pattern === 'standard' ? '' : `-${pattern}`}`;
  return generateStoryFixture(detector, { outDir: path.join(REPO_ROOT, 'fixtures', folder), seconds, variant, pattern });
}

/** The animated tale ("The Golden Key") at a test size, generated once into fixtures/ and reused. */
export async function sharedTale(seconds: number, size: { width: number; height: number } = { width: 640, height: 360 }, audio = true): Promise<TaleFixture> {
  return generateTale({
    outDir: path.join(REPO_ROOT, 'fixtures', `golden-key-${size.width}x${size.height}-${seconds}s${audio ? '' : '-silent'}`),
    seconds,
    ...size,
    audio,
  });
}
