// The parents' photos: upload (detect, check, align), describe, preview, delete. A deleted or
// expired face is gone: every URL of it answers 404, and deleting it cancels the renders using it.
import { Controller, Delete, Get, HttpCode, Param, Post, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { SkipThrottle, ThrottlerGuard } from '@nestjs/throttler';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { TalecastError } from '@talecast/core';
import { FaceUploadService } from '@talecast/face-upload';
import { RenderService } from '@talecast/render';
import { isRandomId } from '@talecast/storage';
import { UploadSlotsInterceptor } from '../http/upload-slots.interceptor';
import { PhotoUpload, UploadedPhoto } from '../http/request-bodies';
import { sendError } from '../http/error.filter';

@ApiTags('faces')
@Controller('faces')
export class FacesController {
  constructor(
    private readonly faces: FaceUploadService,
    private readonly renders: RenderService,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: "Upload a child's photo: detect, check, align. Field `photo`; optional `faceIndex`." })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['photo'], properties: { photo: { type: 'string', format: 'binary' }, faceIndex: { type: 'integer' } } } })
  @UseGuards(ThrottlerGuard)
  @SkipThrottle({ renders: true })
  @UseInterceptors(FileInterceptor('photo'), UploadSlotsInterceptor)
  async upload(@UploadedPhoto() upload: PhotoUpload) {
    const result = await this.faces.ingest(upload.photo, { faceIndex: upload.faceIndex });
    return { ...result, previewUrl: `/api/faces/${result.id}/preview.png`, url: `/api/faces/${result.id}` };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Face metadata, quality findings and lifecycle events (404 once deleted or expired)' })
  async get(@Param('id') id: string) {
    notFoundUnlessId(id);
    const face = await this.faces.describe(id);
    return { ...face, previewUrl: `/api/faces/${id}/preview.png` };
  }

  @Get(':id/preview.png')
  @ApiOperation({ summary: 'The aligned face with its soft mask (PNG with alpha)' })
  async preview(@Param('id') id: string, @Res() res: Response) {
    notFoundUnlessId(id);
    const file = await this.faces.previewFile(id);
    res.setHeader('Cache-Control', 'private, no-store');
    res.type('png').sendFile(file, { dotfiles: 'deny' }, (err) => {
      if (err) sendError(res, new TalecastError('FACE_NOT_FOUND', 'not found'));
    });
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete the face and its files now; renders using it are cancelled' })
  async remove(@Param('id') id: string) {
    notFoundUnlessId(id);
    const r = await this.renders.removeFace(id);
    return { id: r.id, status: 'deleted', bytesFreed: r.bytes, cancelledRenders: r.cancelledRenders };
  }
}

export function notFoundUnlessId(id: string): void {
  if (!isRandomId(id)) throw new TalecastError('NOT_FOUND', 'not found');
}
