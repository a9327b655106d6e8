import { Global, Inject, Injectable, Logger, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { FaceDetector } from './face-detector';
import { loadFaceModels, LoadedFaceModels } from './face-models';

/** The face models of this process, loaded once on first use. */
@Injectable()
export class FaceAnalysisService {
  private readonly logger = new Logger('FaceAnalysis');
  private loaded: LoadedFaceModels | undefined;
  private detectorPromise: Promise<FaceDetector> | undefined;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  detector(): Promise<FaceDetector> {
    this.detectorPromise ??= loadFaceModels(this.config.faceBackend).then((models) => {
      this.loaded = models;
      this.logger.log(`face models loaded on ${models.backend} in ${models.loadMs} ms`);
      return new FaceDetector(models);
    });
    return this.detectorPromise;
  }

  status(): { backend: string | null; modelsLoaded: string[] } {
    return { backend: this.loaded?.backend ?? null, modelsLoaded: this.loaded?.models ?? [] };
  }
}

@Global()
@Module({ providers: [FaceAnalysisService], exports: [FaceAnalysisService] })
export class FaceAnalysisModule {}
