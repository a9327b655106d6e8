import { Module } from '@nestjs/common';
import { MulterModule } from '@nestjs/platform-express';
import { diskStorage } from 'multer';
import { mkdirSync } from 'node:fs';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { PrecomputeJobsModule } from '@talecast/precompute';
import { newId, StorageCore } from '@talecast/storage';
import { AdminStoriesController } from './admin-stories.controller';
import { AdminTokenGuard } from '../http/admin-token.guard';
import { StorySamples } from './story-samples';

@Module({
  imports: [
    PrecomputeJobsModule,
    MulterModule.registerAsync({
      inject: [APP_CONFIG, StorageCore],
      useFactory: (config: AppConfig, storage: StorageCore) => {
        const dir = storage.stateDir('incoming');
        mkdirSync(dir, { recursive: true });
        return {
          // Story videos can be large: streamed to a private temporary file, never held in memory.
          storage: diskStorage({ destination: dir, filename: (_req, _file, cb) => cb(null, `${newId()}.upload`) }),
          // video, masks, lines and up to 8 dialogue stems.
          limits: { fileSize: 2 * 1024 * 1024 * 1024, files: 11, fields: 6, parts: 17, fieldSize: 4096 },
        };
      },
    }),
  ],
  controllers: [AdminStoriesController],
  providers: [AdminTokenGuard, StorySamples],
})
export class AdminModule {}
