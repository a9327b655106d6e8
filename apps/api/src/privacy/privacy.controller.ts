// What the consent and the privacy page promise, from the server's own configuration: how long
// photos, voice recordings and videos are kept (TALECAST_FACE_RETENTION, TALECAST_RENDER_RETENTION,
// TALECAST_FAILED_RENDER_RETENTION), so the words a parent agrees to are the ones the purge keeps.
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG, AppConfig } from '@talecast/config';

@ApiTags('privacy')
@Controller('privacy')
export class PrivacyController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Get()
  @ApiOkResponse({ description: 'Retention in seconds: photos, voice recordings, videos, videos that could not be made.' })
  facts(@Res({ passthrough: true }) res: Response) {
    res.setHeader('Cache-Control', 'no-cache');
    const r = this.config.retention;
    // Recordings of the child's voice are kept as long as photos (libs/voice recording.service.ts).
    return {
      retention: { photoSeconds: r.faceSeconds, recordingSeconds: r.faceSeconds, videoSeconds: r.renderSeconds, failedVideoSeconds: r.failedRenderSeconds },
    };
  }
}
