// GET /api/stories/:storyId/faces/:faceId/preview.jpg — the child's face on the hero in one still
// of the story (libs/render HeroPreviewService), shown after the photo step. Private: both ids
// are needed, the face id is 128 random bits, and the answer is never cached by a shared cache.
import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HeroPreviewService } from '@talecast/render';
import { notFoundUnlessId } from '../faces/faces.controller';

@ApiTags('stories')
@Controller('stories')
export class HeroPreviewController {
  constructor(private readonly previews: HeroPreviewService) {}

  @Get(':storyId/faces/:faceId/preview.jpg')
  @ApiOperation({ summary: 'A still of the story with this face on the hero (JPEG, 640 px wide)' })
  async preview(@Param('storyId') storyId: string, @Param('faceId') faceId: string, @Res() res: Response): Promise<void> {
    notFoundUnlessId(faceId);
    const jpeg = await this.previews.preview(storyId, faceId);
    res.setHeader('Cache-Control', 'private, no-store');
    res.type('jpeg').send(jpeg);
  }
}
