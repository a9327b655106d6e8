// Videos: request one, follow its progress, play it (MP4 or HLS), delete it. A deleted, cancelled
// or expired render answers 404 on every URL; a failure shows a reason code and a plain sentence.
import { Controller, Delete, Get, HttpCode, Param, Post, Req, Res, Sse, MessageEvent } from '@nestjs/common';
import { ApiOperation, ApiTags, ApiBody } from '@nestjs/swagger';
import { SkipThrottle, ThrottlerGuard } from '@nestjs/throttler';
import { UseGuards } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';
import { TalecastError } from '@talecast/core';
import { RenderService } from '@talecast/render';
import { notFoundUnlessId } from '../faces/faces.controller';
import { contentDisposition, downloadFileName } from './download-name';
import { sendError } from '../http/error.filter';
import { RenderRequest, RenderRequestBody } from '../http/request-bodies';

@ApiTags('renders')
@Controller('renders')
export class RendersController {
  constructor(private readonly renders: RenderService) {}

  @Post()
  @HttpCode(202)
  @UseGuards(ThrottlerGuard)
  @SkipThrottle({ uploads: true })
  @ApiOperation({
    summary: 'Make a video: {storyId, faces: {hero: [faceId, …]}, voices?: {lineId: recordingId}, childName?, language?} (or faceIds for the first role)',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['storyId'],
      properties: {
        storyId: { type: 'string' },
        faces: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } },
        faceIds: { type: 'array', items: { type: 'string' } },
        voices: { type: 'object', additionalProperties: { type: 'string' }, description: 'line id → recording id' },
        childName: {
          type: 'string',
          maxLength: 40,
          description: "the child's name for the title card at the start (optional; kept with the video, deleted with it)",
        },
        language: { type: 'string', enum: ['en', 'ko'], description: "the title card's language (the page's)" },
      },
    },
  })
  async create(@RenderRequest() body: RenderRequestBody) {
    const { render } = await this.renders.create(body);
    return this.renders.view(render);
  }

  @Get(':id')
  async get(@Param('id') id: string) {
    notFoundUnlessId(id);
    return this.renders.describe(id);
  }

  @Sse(':id/events')
  @ApiOperation({ summary: 'Server-sent progress events: progress …, then done or failed' })
  async events(@Param('id') id: string): Promise<Observable<MessageEvent>> {
    notFoundUnlessId(id);
    await this.renders.findLive(id); // an unknown or deleted id is a 404, not an event stream
    return new Observable<MessageEvent>((subscriber) => {
      let last = '';
      let lastSent = 0;
      let stopped = false;
      const tick = async () => {
        if (stopped) return;
        let every = 400;
        try {
          const view = this.renders.view(await this.renders.findLive(id));
          // Until the stream can play, the page waits on this event: look more often (a light query).
          if (!view.hlsReady) every = 100;
          const data = {
            status: view.status,
            progress: view.progress,
            segmentsDone: view.segmentsDone,
            segmentsTotal: view.segmentsTotal,
            hlsReady: view.hlsReady,
            etaSeconds: view.etaSeconds,
            videoUrl: view.videoUrl,
            hlsUrl: view.hlsUrl,
            error: view.error,
          };
          // A change of state is sent at once; the time remaining refreshes every few seconds.
          const key = JSON.stringify({ ...data, etaSeconds: undefined });
          const final = ['done', 'failed', 'deleted', 'purged', 'expired', 'cancelled'].includes(view.status);
          if (key !== last || Date.now() - lastSent > 3000) {
            last = key;
            lastSent = Date.now();
            subscriber.next({ type: view.status === 'done' ? 'done' : final ? 'failed' : 'progress', data });
          }
          if (final) {
            subscriber.complete();
            return;
          }
        } catch (err) {
          // Deleted meanwhile (or the database is briefly away): a reason code, never a system message.
          const gone = err instanceof TalecastError && err.code === 'RENDER_NOT_FOUND';
          subscriber.next({
            type: 'failed',
            data: {
              status: gone ? 'deleted' : 'failed',
              error: gone
                ? { code: 'RENDER_NOT_FOUND', message: 'this video was deleted' }
                : { code: 'UNAVAILABLE', message: 'the progress could not be read; reload the page' },
            },
          });
          subscriber.complete();
          return;
        }
        setTimeout(tick, every);
      };
      void tick();
      return () => {
        stopped = true;
      };
    });
  }

  @Get(':id/video.mp4')
  @ApiOperation({ summary: 'The finished MP4 (HTTP range requests supported); ?download=1 to save it, &name=<child> names the file <story>-<child>.mp4' })
  async video(@Param('id') id: string, @Req() req: Request, @Res() res: Response) {
    notFoundUnlessId(id);
    const { file, render } = await this.renders.videoFile(id);
    const range = req.headers.range;
    if (!range || /^bytes=0-/.test(range)) await this.renders.recordDownload(id).catch(() => undefined);
    // ?name=<child's name> (optional, never stored) names the download `<story>-<name>.mp4`.
    res.setHeader('Content-Disposition', contentDisposition(req.query.download ? 'attachment' : 'inline', downloadFileName(render.storyId, req.query.name)));
    res.setHeader('Cache-Control', 'private, no-store');
    res.sendFile(file, { dotfiles: 'deny', acceptRanges: true, headers: { 'Content-Type': 'video/mp4' } }, (err) => {
      if (!err || res.headersSent) return;
      if ((err as { status?: number }).status !== 416) return sendError(res, new TalecastError('RENDER_NOT_FOUND', 'not found'));
      for (const [k, v] of Object.entries((err as { headers?: Record<string, string> }).headers ?? {})) res.setHeader(k, v);
      sendError(res, new TalecastError('RANGE_NOT_SATISFIABLE', 'the requested range is outside the video'));
    });
  }

  @Get(':id/hls/:name')
  @ApiOperation({ summary: 'HLS playlist (index.m3u8) and its MPEG-TS segments, growing while the video renders' })
  async hls(@Param('id') id: string, @Param('name') name: string, @Res() res: Response) {
    notFoundUnlessId(id);
    // The playlist of a render still starting waits for its first piece (a client that goes away ends the wait).
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const file = await this.renders.hlsFile(id, name, gone.signal);
    const playlist = name.endsWith('.m3u8');
    res.setHeader('Cache-Control', playlist ? 'no-cache' : 'private, max-age=3600');
    res.sendFile(file, { dotfiles: 'deny', headers: { 'Content-Type': playlist ? 'application/vnd.apple.mpegurl' : 'video/mp2t' } }, (err) => {
      if (err) sendError(res, new TalecastError('NOT_FOUND', 'not found'));
    });
  }

  @Delete(':id')
  @HttpCode(200)
  async remove(@Param('id') id: string) {
    notFoundUnlessId(id);
    const r = await this.renders.remove(id);
    return { id: r.id, status: 'deleted', bytesFreed: r.bytes };
  }
}
