import { promises as fs } from 'node:fs';
import { loadConfig } from '@talecast/config';
import { TalecastError } from '@talecast/core';
import { validateManifest } from '@talecast/precompute';
import { isStorySlug, StorageCore } from '@talecast/storage';
import { loadStoryLines, summariseLines } from '@talecast/voice';
import { parseOptions, UsageError } from '../cli-args';

/** `lines --story <id>`: the story's spoken lines as JSON, text in the story's default language. */
export async function linesCommand(argv: string[]): Promise<void> {
  const o = parseOptions(argv, { story: { type: 'string' } });
  if (!o.story) throw new UsageError('lines needs --story');
  if (!isStorySlug(o.story)) throw new TalecastError('STORY_NOT_FOUND', 'no such story');
  const storage = new StorageCore(loadConfig().roots);
  let roles: string[];
  try {
    roles = validateManifest(JSON.parse(await fs.readFile(storage.storyFile(o.story, 'manifest.json'), 'utf8'))).roles.map((r) => r.name);
  } catch {
    throw new TalecastError('STORY_NOT_FOUND', `story ${o.story} is not precomputed`);
  }
  const lines = await loadStoryLines(storage, o.story, roles);
  process.stdout.write(JSON.stringify(lines ? summariseLines(lines) : [], null, 2) + '\n');
}
