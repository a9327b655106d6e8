import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Repository } from 'typeorm';
import { TalecastError } from '@talecast/core';
import { STORY_REPOSITORY, StoryEntity } from '@talecast/persistence';
import { isStorySlug, StorageCore } from '@talecast/storage';
import { existsSync } from 'node:fs';
import { sendError } from '../http/error.filter';

export function storyView(s: StoryEntity) {
  return {
    id: s.id,
    title: s.title,
    status: s.status,
    style: s.style,
    durationSeconds: s.durationSeconds,
    width: s.width,
    height: s.height,
    fps: s.fps,
    roles: s.roles,
    roleCount: s.roles.length,
    thumbnailUrl: s.status === 'ready' ? `/api/stories/${s.id}/thumbnail.jpg` : null,
    // Words per language from the masks file's meta ({en, ko}); the page picks its language.
    titles: s.meta?.title ?? null,
    descriptions: s.meta?.description ?? null,
    ages: s.meta?.ages ?? null,
    defaultLanguage: s.meta?.defaultLanguage ?? null,
  };
}

@ApiTags('stories')
@Controller('stories')
export class StoriesController {
  constructor(
    @Inject(STORY_REPOSITORY) private readonly stories: Repository<StoryEntity>,
    private readonly storage: StorageCore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Stories ready to render' })
  async list() {
    const rows = await this.stories.find({ where: { status: 'ready' }, order: { title: 'ASC' } });
    return { stories: rows.map((s) => this.withPreview(s)) };
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    return this.withPreview(await this.find(id));
  }

  @Get(':id/preview.mp4')
  @ApiOperation({ summary: 'A few silent seconds of the story (480p), for the story card' })
  async preview(@Param('id') id: string, @Res() res: Response) {
    const story = await this.find(id);
    if (story.status !== 'ready') throw new TalecastError('STORY_NOT_READY', 'the story is not ready');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.sendFile(this.storage.storyFile(id, 'preview.mp4'), { dotfiles: 'deny', acceptRanges: true, headers: { 'Content-Type': 'video/mp4' } }, (err) => {
      if (err && !res.headersSent) res.status(404).json({ error: { code: 'NOT_FOUND', message: 'not found' } });
    });
  }

  /** The story's view, with its preview clip's URL when the precompute made one (older stories have none). */
  private withPreview(s: StoryEntity) {
    const hasPreview = s.status === 'ready' && existsSync(this.storage.storyFile(s.id, 'preview.mp4'));
    return { ...storyView(s), previewUrl: hasPreview ? `/api/stories/${s.id}/preview.mp4` : null };
  }

  @Get(':id/thumbnail.jpg')
  async thumbnail(@Param('id') id: string, @Res() res: Response) {
    const story = await this.find(id);
    if (story.status !== 'ready') throw new TalecastError('STORY_NOT_READY', 'the story is not ready');
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('jpeg').sendFile(this.storage.storyFile(id, 'thumbnail.jpg'), { dotfiles: 'deny' }, (err) => {
      if (err) sendError(res, new TalecastError('NOT_FOUND', 'not found'));
    });
  }

  private async find(id: string): Promise<StoryEntity> {
    if (!isStorySlug(id)) throw new TalecastError('STORY_NOT_FOUND', 'no such story');
    const story = await this.stories.findOneBy({ id });
    if (!story) throw new TalecastError('STORY_NOT_FOUND', 'no such story');
    return story;
  }
}
