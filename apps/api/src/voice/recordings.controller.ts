// The child's voice over HTTP: a story's lines, a recording per line (fitted to its slot and
// playable before the render), its deletion. Thin: the rules are in libs/voice.
import { Controller, Delete, Get, HttpCode, Param, Post, Req, Res, UploadedFile, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { SkipThrottle, ThrottlerGuard } from '@nestjs/throttler';
import type { Request, Response } from 'express';
import { TalecastError } from '@talecast/core';
import { isRecordable, RecordingService } from '@talecast/voice';
import { UploadSlotsInterceptor } from '../http/upload-slots.interceptor';
import { notFoundUnlessId } from '../faces/faces.controller';

@ApiTags('voice')
@Controller()
export class RecordingsController {
  constructor(private readonly recordings: RecordingService) {}

  @Get('stories/:id/lines')
  @ApiOperation({ summary: "The story's spoken lines: id, role, slot (from, to in seconds), text per language, recordable" })
  async lines(@Param('id') storyId: string) {
    const lines = await this.recordings.lines(storyId);
    return {
      defaultLanguage: lines?.defaultLanguage ?? null,
      lines: (lines?.lines ?? []).map((l) => ({ id: l.id, role: l.role, from: l.from, to: l.to, text: l.text, recordable: isRecordable(l) })),
    };
  }

  @Post('stories/:id/lines/:lineId/recordings')
  @HttpCode(201)
  @ApiOperation({
    summary: "A recording of the child reading one line (field `audio`: webm/opus, ogg, mp4/aac or wav; ≤ 30 s, ≤ 5 MB), fitted to the line's slot",
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['audio'], properties: { audio: { type: 'string', format: 'binary' } } } })
  @UseGuards(ThrottlerGuard)
  @SkipThrottle({ renders: true })
  @UseInterceptors(FileInterceptor('audio'), UploadSlotsInterceptor)
  async upload(@Param('id') storyId: string, @Param('lineId') lineId: string, @UploadedFile() file: Express.Multer.File | undefined, @Req() req: Request) {
    if (!req.is('multipart/form-data')) throw new TalecastError('BAD_REQUEST', 'send the recording as multipart/form-data in the field "audio"');
    if (!file) throw new TalecastError('BAD_REQUEST', 'no recording: send it in the multipart field "audio"');
    return this.recordings.ingest(storyId, lineId, file.buffer);
  }

  @Get('recordings/:id')
  @ApiOperation({ summary: 'A recording: its line, lengths, tempo, loudness and lifecycle events' })
  async get(@Param('id') id: string) {
    notFoundUnlessId(id);
    return this.recordings.describe(id);
  }

  @Get('recordings/:id/line.wav')
  @ApiOperation({ summary: 'The fitted line (WAV), to listen to before the render' })
  async audio(@Param('id') id: string, @Res() res: Response) {
    notFoundUnlessId(id);
    const file = await this.recordings.audioFile(id);
    res.setHeader('Cache-Control', 'private, no-store');
    res.type('audio/wav').sendFile(file, { dotfiles: 'deny' }, (err) => {
      if (err && !res.headersSent) res.status(404).json({ error: { code: 'RECORDING_NOT_FOUND', message: 'not found' } });
    });
  }

  @Delete('recordings/:id')
  @HttpCode(200)
  @ApiOperation({ summary: 'Delete the recording now' })
  async remove(@Param('id') id: string) {
    notFoundUnlessId(id);
    const r = await this.recordings.remove(id);
    return { id: r.id, status: 'deleted', bytesFreed: r.bytes };
  }
}
