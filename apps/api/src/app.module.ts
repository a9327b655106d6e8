import { DynamicModule, Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '@talecast/config';
import { CoreModule } from '@talecast/core';
import { FaceAnalysisService } from '@talecast/face';
import { FfmpegService } from '@talecast/video';
import { HealthController } from './health/health.controller';
import { APP_FILTER } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { LifecycleModule } from '@talecast/lifecycle';
import { ErrorFilter } from './http/error.filter';
import { FacesModule } from './faces/faces.module';
import { StoriesModule } from './stories/stories.module';
import { AdminModule } from './admin/admin.module';
import { RendersModule } from './renders/renders.module';
import { PagesModule } from './pages/pages.module';
import { VoiceApiModule } from './voice/voice-api.module';
import { PrivacyController } from './privacy/privacy.controller';
import { QueueModule } from '@talecast/queue';
import { RenderModule, RenderWorker } from '@talecast/render';
import { PurgeJobs, PurgeModule } from '@talecast/purge';
import { PrecomputeJobs, PrecomputeJobsModule } from '@talecast/precompute';
import { APP_CONFIG, AppConfig as Config } from '@talecast/config';
import { LocalRenderSocket } from './local-socket/local-render-socket';
import { FaceUploadModule } from '@talecast/face-upload';

/** Loads the face models and finds ffmpeg when the app boots, so the first request is fast. */
@Injectable()
class Warmup implements OnApplicationBootstrap {
  private readonly logger = new Logger('Warmup');
  constructor(
    @Inject(FaceAnalysisService) private readonly faces: FaceAnalysisService,
    @Inject(FfmpegService) private readonly ffmpeg: FfmpegService,
  ) {}
  async onApplicationBootstrap(): Promise<void> {
    await this.ffmpeg.locate().catch(() => undefined); // reported by /api/health
    await this.faces.detector().catch((err) => this.logger.error(`face models failed to load: ${(err as Error).message}`));
  }
}

/** In the `worker` and `all` roles, this process takes precompute, render and purge jobs (and the CLI's renders on its local socket). */
@Injectable()
class WorkerRole implements OnApplicationBootstrap {
  constructor(
    @Inject(APP_CONFIG) private readonly config: Config,
    @Inject(RenderWorker) private readonly worker: RenderWorker,
    @Inject(PrecomputeJobs) private readonly precomputeJobs: PrecomputeJobs,
    @Inject(PurgeJobs) private readonly purgeJobs: PurgeJobs,
  ) {}
  async onApplicationBootstrap(): Promise<void> {
    if (this.config.role === 'api') return;
    this.precomputeJobs.register();
    this.purgeJobs.register();
    await this.worker.start();
  }
}

/** The worker role: no HTTP, same core, takes jobs. */
@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [CoreModule.forRoot(config), LifecycleModule, QueueModule, PrecomputeJobsModule, RenderModule, FaceUploadModule, PurgeModule],
      providers: [Warmup, WorkerRole, LocalRenderSocket],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        // Per-client limits: named throttlers applied only where a handler opts in with @Throttle.
        ThrottlerModule.forRoot([
          { name: 'uploads', ttl: 60_000, limit: config.rateLimits.uploadsPerMinute },
          { name: 'renders', ttl: 60_000, limit: config.rateLimits.rendersPerMinute },
        ]),
        LifecycleModule,
        QueueModule,
        PrecomputeJobsModule,
        FacesModule,
        StoriesModule,
        AdminModule,
        RendersModule,
        VoiceApiModule,
        PagesModule,
        RenderModule,
        FaceUploadModule,
        PurgeModule,
      ],
      controllers: [HealthController, PrivacyController],
      providers: [Warmup, WorkerRole, LocalRenderSocket, { provide: APP_FILTER, useClass: ErrorFilter }],
    };
  }
}
