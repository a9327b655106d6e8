import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { memoryStorage } from 'multer';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { FaceUploadModule } from '@talecast/face-upload';
import { FacesController } from './faces.controller';
import { UploadSlotsGuard } from '../http/upload-slots.guard';

@Module({
  imports: [
    FaceUploadModule,
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
  providers: [UploadSlotsGuard],
})
export class FacesModule {}
