// The shared core every entry point (HTTP API, CLI, worker) is built from: configuration,
// database, face models and ffmpeg. Entry points add only their own wiring and I/O.
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig, ConfigModule } from '@talecast/config';
import { DatabaseModule } from '@talecast/persistence';
import { FaceAnalysisModule } from '@talecast/face';
import { VideoModule } from '@talecast/video';
import { StorageModule } from './storage.module';

@Module({})
export class CoreModule {
  static forRoot(config?: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      imports: [ConfigModule.forRoot(config), DatabaseModule, FaceAnalysisModule, VideoModule, StorageModule],
      exports: [ConfigModule, DatabaseModule, FaceAnalysisModule, VideoModule, StorageModule],
    };
  }
}
