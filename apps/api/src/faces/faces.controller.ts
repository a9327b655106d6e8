import { Controller, Delete, Get, HttpCode, Param, Post, Req, Res, UploadedFile, UseGuards, UseInterceptors, Body } from '@nestjs/common';
import { SkipThrottle, ThrottlerGuard } from '@nestjs/throttler';
import { UploadSlotsGuard } from '../http/upload-slots.guard';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { TalecastError } from '@talecast/core';
import { FaceUploadService } from '@talecast/face-upload';
import { isRandomId } from '@talecast/storage';

@ApiTags('faces')
@Controller('faces')
export class FacesController {
  constructor(private readonly faces: FaceUploadService) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: "Upload a child's photo: detect, check, align. Field `photo`; optional `faceIndex`." })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['photo'], properties: { photo: { type: 'string', format: 'binary' }, faceIndex: { type: 'integer' } } } })
  @UseGuards(ThrottlerGuard, UploadSlotsGuard)
  @SkipThrottle({ renders: true })
  @UseInterceptors(FileInterceptor('photo'))
  async upload(@UploadedFile() file: Express.Multer.File | undefined, @Body() body: Record<string, unknown>, @Req() req: Request) {
    if (!req.is('multipart/form-data')) throw new TalecastError('BAD_REQUEST', 'send the photo as multipart/form-data in the field "photo"');
    if (!file) throw new TalecastError('BAD_REQUEST', 'no photo: send it in the multipart field "photo"');
    let faceIndex: number | undefined;
    if (body?.faceIndex !== undefined && body.faceIndex !== '') {
      if (typeof body.faceIndex !== 'string') throw new TalecastError('FACE_INDEX_OUT_OF_RANGE', 'faceIndex must be a small non-negative integer');
      faceIndex = Number(body.faceIndex);
      if (!Number.isInteger(faceIndex) || faceIndex < 0 || faceIndex > 100) throw new TalecastError('FACE_INDEX_OUT_OF_RANGE', 'faceIndex must be a small non-negative integer');
    }
    const result = await this.faces.ingest(file.buffer, { faceIndex });
    return { ...result, previewUrl: `/api/faces/${result.id}/preview.png`, url: `/api/faces/${result.id}` };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Face metadata, quality findings and lifecycle events' })
  async get(@Param('id') id: string) {
    notFoundUnlessId(id);
    const face = await this.faces.describe(id);
    return { ...face, previewUrl: face.status === 'ready' ? `/api/faces/${id}/preview.png` : null };
  }

  @Get(':id/preview.png')
  @ApiOperation({ summary: 'The aligned face with its soft mask (PNG with alpha)' })
  async preview(@Param('id') id: string, @Res() res: Response) {
    notFoundUnlessId(id);
    const file = await this.faces.previewFile(id);
    res.setHeader('Cache-Control', 'private, no-store');
    res.type('png').sendFile(file, { dotfiles: 'deny' }, (err) => {
      if (err && !res.headersSent) res.status(404).json({ error: { code: 'FACE_NOT_FOUND', message: 'not found' } });
    });
  }

  @Delete(':id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete the face and its files now' })
  async remove(@Param('id') id: string) {
    notFoundUnlessId(id);
    const r = await this.faces.remove(id);
    return { id: r.id, status: 'deleted', bytesFreed: r.bytes };
  }
}

export function notFoundUnlessId(id: string): void {
  if (!isRandomId(id)) throw new TalecastError('NOT_FOUND', 'not found');
}
