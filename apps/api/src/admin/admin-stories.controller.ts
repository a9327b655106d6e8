import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Res, UploadedFiles, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Response } from 'express';
import { StorySamples } from './story-samples';
import { FileFieldsInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { promises as fs } from 'node:fs';
import { Repository } from 'typeorm';
import { TalecastError } from '@talecast/core';
import { PrecomputeJobs } from '@talecast/precompute';
import { STORY_REPOSITORY, StoryEntity } from '@talecast/persistence';
import { isStorySlug, StorageCore } from '@talecast/storage';
import { AdminTokenGuard } from '../http/admin-token.guard';
import { sendError } from '../http/error.filter';
import { storyView } from '../stories/stories.controller';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminTokenGuard)
@Controller('admin/stories')
export class AdminStoriesController {
  constructor(
    private readonly precompute: PrecomputeJobs,
    @Inject(STORY_REPOSITORY) private readonly stories: Repository<StoryEntity>,
    private readonly storySamples: StorySamples,
    private readonly storage: StorageCore,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Upload a story video with its masks file and queue its precompute (multipart: video, masks, storyId, title, style); poll GET /api/admin/stories/:id',
  })
  @ApiConsumes('multipart/form-data')
  @UseInterceptors(
    FileFieldsInterceptor([
      { name: 'video', maxCount: 1 },
      { name: 'masks', maxCount: 1 },
    ]),
  )
  async create(@UploadedFiles() files: { video?: Express.Multer.File[]; masks?: Express.Multer.File[] } | undefined, @Body() body: Record<string, string>) {
    const video = files?.video?.[0];
    const masks = files?.masks?.[0];
    const cleanup = async () => {
      for (const f of [video, masks]) if (f?.path) await fs.rm(f.path, { force: true });
    };
    try {
      if (!video || !masks) throw new TalecastError('BAD_REQUEST', 'send the multipart fields "video" and "masks"');
      const field = (name: string): string | undefined => {
        const v = body?.[name];
        if (v === undefined) return undefined;
        if (typeof v !== 'string') throw new TalecastError('BAD_REQUEST', `${name} must be a single text field`);
        return v;
      };
      const storyId = field('storyId') ?? '';
      if (!isStorySlug(storyId)) throw new TalecastError('INVALID_STORY_ID', 'storyId must be a slug: lower-case letters, digits and dashes');
      const styleField = field('style');
      if (styleField !== undefined && styleField !== 'photo' && styleField !== 'toon') throw new TalecastError('BAD_REQUEST', 'style must be photo or toon');
      // Queued: a process in the worker (or all) role runs it; the files become the job's.
      await this.precompute.enqueue({
        storyId,
        video: video.path,
        masks: masks.path,
        title: field('title')?.slice(0, 200) || undefined,
        style: styleField as 'photo' | 'toon' | undefined,
      });
      return { id: storyId, status: 'precomputing', statusUrl: `/api/admin/stories/${storyId}` };
    } catch (err) {
      await cleanup();
      throw err;
    }
  }

  @Get()
  async list() {
    const rows = await this.stories.find({ order: { createdAt: 'ASC' } });
    return {
      stories: rows.map((s) => ({
        ...storyView(s),
        progress: s.progress,
        error: s.error,
        warnings: s.warnings,
        frameCount: s.frameCount,
        segmentCount: s.segmentCount,
        updatedAt: s.updatedAt,
      })),
    };
  }

  @Get(':id/samples')
  @ApiOperation({ summary: "A few sampled frames with each role's detected face box, to check the masks picked the right face" })
  async samples(@Param('id') id: string) {
    if (!isStorySlug(id)) throw new TalecastError('STORY_NOT_FOUND', 'no such story');
    const s = await this.stories.findOneBy({ id });
    if (!s || s.status !== 'ready') throw new TalecastError(s ? 'STORY_NOT_READY' : 'STORY_NOT_FOUND', s ? 'the story is not ready' : 'no such story');
    const samples = await this.storySamples.list(id);
    return { samples: samples.map((x) => ({ ...x, imageUrl: `/api/admin/stories/${id}/samples/${x.frame}.jpg` })) };
  }

  @Get(':id/samples/:frame.jpg')
  async sampleImage(@Param('id') id: string, @Param('frame') frame: string, @Res() res: Response) {
    if (!isStorySlug(id) || !/^\d{1,7}$/.test(frame)) throw new TalecastError('NOT_FOUND', 'not found');
    const file = await this.storySamples.image(id, Number(frame));
    res.setHeader('Cache-Control', 'private, max-age=300');
    res.type('jpeg').sendFile(file, { dotfiles: 'allow' }, (err) => {
      if (err) sendError(res, new TalecastError('NOT_FOUND', 'not found'));
    });
  }

  @Post(':id/unpublish')
  @HttpCode(200)
  @ApiOperation({ summary: 'Hide a ready story from parents (its files stay; POST …/publish shows it again)' })
  async unpublish(@Param('id') id: string) {
    const s = await this.findStory(id);
    if (s.status !== 'ready') throw new TalecastError('STORY_NOT_READY', 'only a ready story can be unpublished');
    await this.stories.update({ id }, { status: 'unpublished' });
    return { id, status: 'unpublished' };
  }

  @Post(':id/publish')
  @HttpCode(200)
  @ApiOperation({ summary: 'Show an unpublished story to parents again' })
  async publish(@Param('id') id: string) {
    const s = await this.findStory(id);
    if (s.status !== 'unpublished') throw new TalecastError('BAD_REQUEST', 'only an unpublished story can be published again');
    await this.stories.update({ id }, { status: 'ready' });
    return { id, status: 'ready' };
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a story: its precomputed files, masks and expressions, then its row (not while it precomputes)' })
  async remove(@Param('id') id: string) {
    const s = await this.findStory(id);
    if (s.status === 'precomputing' || s.status === 'pending')
      throw new TalecastError('STORY_BUSY', 'the story is being precomputed; delete it when that ends');
    // Unlisted first, so no new render starts while the files go.
    await this.stories.update({ id }, { status: 'unpublished' });
    await fs.rm(this.storage.storyDir(id), { recursive: true, force: true });
    for (const file of [this.storage.masksFile(id), this.storage.expressionsFile(id)]) await fs.rm(file, { force: true });
    await this.stories.delete({ id });
    return { id, status: 'deleted' };
  }

  private async findStory(id: string): Promise<StoryEntity> {
    if (!isStorySlug(id)) throw new TalecastError('STORY_NOT_FOUND', 'no such story');
    const s = await this.stories.findOneBy({ id });
    if (!s) throw new TalecastError('STORY_NOT_FOUND', 'no such story');
    return s;
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    if (!isStorySlug(id)) throw new TalecastError('STORY_NOT_FOUND', 'no such story');
    const s = await this.stories.findOneBy({ id });
    if (!s) throw new TalecastError('STORY_NOT_FOUND', 'no such story');
    return {
      ...storyView(s),
      progress: s.progress,
      error: s.error,
      warnings: s.warnings,
      frameCount: s.frameCount,
      segmentCount: s.segmentCount,
      updatedAt: s.updatedAt,
    };
  }
}
