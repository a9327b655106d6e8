// An admin's actions on a published story: hide it from parents, show it again, delete it with
// its files. The status rules are story-status.ts's; this applies them to the story row and the
// story's files. Never deletes a story while it is being precomputed.
import { Inject, Injectable } from '@nestjs/common';
import { promises as fs } from 'node:fs';
import { Repository } from 'typeorm';
import { TalecastError } from '@talecast/core/talecast-error';
import { STORY_REPOSITORY, StoryEntity } from '@talecast/persistence';
import { isStorySlug, StorageCore } from '@talecast/storage';
import { statusAfter } from './story-status';

@Injectable()
export class StoryAdminService {
  constructor(
    @Inject(STORY_REPOSITORY) private readonly stories: Repository<StoryEntity>,
    private readonly storage: StorageCore,
  ) {}

  /** The story's row; 404 STORY_NOT_FOUND for a missing story or an id that is not a slug. */
  async find(id: string): Promise<StoryEntity> {
    if (!isStorySlug(id)) throw new TalecastError('STORY_NOT_FOUND', 'no such story');
    const s = await this.stories.findOneBy({ id });
    if (!s) throw new TalecastError('STORY_NOT_FOUND', 'no such story');
    return s;
  }

  /** Hides a ready story from parents (its files stay). */
  async unpublish(id: string): Promise<{ id: string; status: 'unpublished' }> {
    const status = statusAfter('unpublish', (await this.find(id)).status) as 'unpublished';
    await this.stories.update({ id }, { status });
    return { id, status };
  }

  /** Shows an unpublished story to parents again. */
  async publish(id: string): Promise<{ id: string; status: 'ready' }> {
    const status = statusAfter('publish', (await this.find(id)).status) as 'ready';
    await this.stories.update({ id }, { status });
    return { id, status };
  }

  /** Deletes the story's precomputed files, masks and expressions, then its row. */
  async remove(id: string): Promise<{ id: string; status: 'deleted' }> {
    statusAfter('delete', (await this.find(id)).status);
    // Unlisted first, so no new render starts while the files go.
    await this.stories.update({ id }, { status: 'unpublished' });
    await fs.rm(this.storage.storyDir(id), { recursive: true, force: true });
    for (const file of [this.storage.masksFile(id), this.storage.expressionsFile(id)]) await fs.rm(file, { force: true });
    await this.stories.delete({ id });
    return { id, status: 'deleted' };
  }
}
