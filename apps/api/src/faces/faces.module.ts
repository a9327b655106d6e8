import { Inject, Injectable, Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { memoryStorage } from 'multer';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { FaceUploadModule, FaceUploadService } from '@talecast/face-upload';
import { FacesController } from './faces.controller';
import { RenderModule } from '@talecast/render';
import { UploadSlotsInterceptor } from '../http/upload-slots.interceptor';

/** Loads the face models into the upload pool's threads at boot, in the background. */
@Injectable()
class UploadPoolWarmup implements OnApplicationBootstrap {
  constructor(@Inject(FaceUploadService) private readonly uploads: FaceUploadService) {}
  onApplicationBootstrap(): void {
    void this.uploads.warm().catch((err) => new Logger('FaceUploads').error(`upload pool failed to load the face models: ${(err as Error).message}`));
  }
}

@Module({
  imports: [
    FaceUploadModule,
    RenderModule,
    // Hard limits: one file, a few small fields, bounded size; kept in memory within the limit.
    MulterModule.registerAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        storage: memoryStorage(),
        limits: { fileSize: config.upload.maxBytes, files: 1, fields: 4, parts: 6, fieldNameSize: 64, fieldSize: 1024, headerPairs: 50 },
      }),
    }),
  ],
  controllers: [FacesController],
  providers: [UploadSlotsInterceptor, UploadPoolWarmup],
})
export class FacesModule {}
