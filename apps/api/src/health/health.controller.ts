import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { Database } from '@talecast/persistence';
import { FaceAnalysisService } from '@talecast/face';
import { FfmpegService } from '@talecast/video';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly database: Database,
    private readonly faces: FaceAnalysisService,
    private readonly ffmpeg: FfmpegService,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'Database, ffmpeg and face-model status; 503 when a dependency is down.' })
  async health(@Res({ passthrough: true }) res: Response) {
    const databaseOk = await this.database.ping();
    const ffmpeg = this.ffmpeg.status();
    const face = this.faces.status();
    const ok = databaseOk && ffmpeg.ok && face.backend !== null;
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: ok ? 'ok' : 'degraded',
      role: this.config.role,
      database: { ok: databaseOk, mode: this.database.mode },
      ffmpeg,
      face: { backend: face.backend, modelsLoaded: face.modelsLoaded },
    };
  }
}
