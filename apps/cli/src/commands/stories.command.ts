import { NestFactory } from '@nestjs/core';
import { Repository } from 'typeorm';
import { loadConfig } from '@talecast/config';
import { CoreModule } from '@talecast/core';
import { StoryEntity, STORY_REPOSITORY } from '@talecast/persistence';
import { parseOptions } from '../cli-args';

/** `stories [--json]`: list stories with their precompute status. */
export async function storiesCommand(argv: string[]): Promise<void> {
  const o = parseOptions(argv, { json: { type: 'boolean', default: false } });
  const app = await NestFactory.createApplicationContext(CoreModule.forRoot(loadConfig()), { logger: ['error', 'warn'] });
  try {
    const stories: StoryEntity[] = await app.get<Repository<StoryEntity>>(STORY_REPOSITORY).find({ order: { createdAt: 'ASC' } });
    if (o.json) {
      console.log(JSON.stringify(stories, null, 2));
      return;
    }
    if (stories.length === 0) {
      console.log('no stories yet (add one with: npm run cli -- precompute --story <id> --video <file> --masks <file>)');
      return;
    }
    console.log(['ID'.padEnd(24), 'STATUS'.padEnd(13), 'DURATION'.padEnd(9), 'ROLES'.padEnd(24), 'TITLE'].join(' '));
    for (const s of stories) {
      const roles = s.roles.map((r) => `${r.name}:${r.faceFrames}`).join(',') || '-';
      const status = s.status === 'precomputing' ? `${s.status} ${(s.progress * 100).toFixed(0)}%` : s.status;
      console.log(
        [s.id.padEnd(24), status.padEnd(13), (s.durationSeconds ? `${s.durationSeconds.toFixed(1)}s` : '-').padEnd(9), roles.padEnd(24), s.title].join(' '),
      );
    }
  } finally {
    await app.close();
  }
}
