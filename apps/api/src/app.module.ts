import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@talecast/config';
import { CoreModule } from '@talecast/core';
import { FaceAnalysisService } from '@talecast/face';
import { FfmpegService } from '@talecast/video';
import { HealthController } from './health/health.controller';
import { APP_FILTER } from '@nestjs/core';
import { LifecycleModule } from '@talecast/lifecycle';
import { ErrorFilter } from './http/error.filter';
import { FacesModule } from './faces/faces.module';
import { StoriesModule } from './stories/stories.module';
import { AdminModule } from './admin/admin.module';

/** Loads the face models and finds ffmpeg when the app boots, so the first request is fast. */
@Injectable()
class Warmup implements OnApplicationBootstrap {
  private readonly logger = new Logger('Warmup');
  constructor(@Inject(FaceAnalysisService) private readonly faces: FaceAnalysisService, @Inject(FfmpegService) private readonly ffmpeg: FfmpegService) {}
  async onApplicationBootstrap(): Promise<void> {
    await this.ffmpeg.locate().catch(() => undefined); // reported by /api/health
    await this.faces.detector().catch((err) => this.logger.error(`face models failed to load: ${(err as Error).message}`));
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.forRoot(config), LifecycleModule, FacesModule, StoriesModule, AdminModule],
      controllers: [HealthController],
      providers: [Warmup, { provide: APP_FILTER, useClass: ErrorFilter }],
    };
  }
}
