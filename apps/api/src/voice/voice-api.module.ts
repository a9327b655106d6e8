import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { memoryStorage } from 'multer';
import { RECORDING_LIMITS, VoiceModule } from '@talecast/voice';
import { RecordingsController } from './recordings.controller';
import { UploadSlotsInterceptor } from '../http/upload-slots.interceptor';

@Module({
  imports: [
    VoiceModule,
    // Hard limits: one audio file of at most 5 MB, no other fields.
    MulterModule.register({
      storage: memoryStorage(),
      limits: { fileSize: RECORDING_LIMITS.maxBytes, files: 1, fields: 2, parts: 3, fieldNameSize: 64, fieldSize: 256, headerPairs: 50 },
    }),
  ],
  controllers: [RecordingsController],
  providers: [UploadSlotsInterceptor],
})
export class VoiceApiModule {}
