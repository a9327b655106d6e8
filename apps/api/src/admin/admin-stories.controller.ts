import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Res, UploadedFiles, UseGuards, UseInterceptors } from '@nestjs/common';
import type { Response } from 'express';
import { StorySamples } from './story-samples';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { promises as fs } from 'node:fs';
import { Repository } from 'typeorm';
import { TalecastError } from '@talecast/core';
import { PrecomputeJobs, StoryAdminService } from '@talecast/precompute';
import { STORY_REPOSITORY, StoryEntity } from '@talecast/persistence';
import { isStorySlug } from '@talecast/storage';
import { AdminTokenGuard } from '../http/admin-token.guard';
import { sendError } from '../http/error.filter';
import { storyView } from '../stories/stories.controller';
import { uploadFields } from './story-upload-fields';

@ApiTags('admin')
@ApiBearerAuth()
@UseGuards(AdminTokenGuard)
@Controller('admin/stories')
export class AdminStoriesController {
  constructor(
    private readonly precompute: PrecomputeJobs,
    @Inject(STORY_REPOSITORY) private readonly stories: Repository<StoryEntity>,
    private readonly storySamples: StorySamples,
    private readonly storyAdmin: StoryAdminService,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary:
      'Upload a story video with its masks file and queue its precompute (multipart: video, masks, optional lines and stem.<role> files, storyId, title, style); poll GET /api/admin/stories/:id',
  })
  @ApiConsumes('multipart/form-data')
  @UseInterceptors(AnyFilesInterceptor())
  async create(@UploadedFiles() files: Express.Multer.File[] | undefined, @Body() body: Record<string, string>) {
    const uploaded = files ?? [];
    try {
      const { video, masks, lines, stems } = uploadFields(uploaded);
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
      // Checked, then queued: a process in the worker (or all) role runs it; the files become the job's.
      await this.precompute.enqueue({
        storyId,
        video,
        masks,
        lines,
        stems,
        title: field('title')?.slice(0, 200) || undefined,
        style: styleField as 'photo' | 'toon' | undefined,
      });
      return { id: storyId, status: 'precomputing', statusUrl: `/api/admin/stories/${storyId}` };
    } catch (err) {
      for (const f of uploaded) if (f.path) await fs.rm(f.path, { force: true });
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
    const s = await this.storyAdmin.find(id);
    if (s.status !== 'ready') throw new TalecastError('STORY_NOT_READY', 'the story is not ready');
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
  unpublish(@Param('id') id: string) {
    return this.storyAdmin.unpublish(id);
  }

  @Post(':id/publish')
  @HttpCode(200)
  @ApiOperation({ summary: 'Show an unpublished story to parents again' })
  publish(@Param('id') id: string) {
    return this.storyAdmin.publish(id);
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete a story: its precomputed files, masks and expressions, then its row (not while it precomputes)' })
  remove(@Param('id') id: string) {
    return this.storyAdmin.remove(id);
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    const s = await this.storyAdmin.find(id);
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
