import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { Database } from './database';
import { StoryEntity } from './entities/story.entity';
import { FaceEntity } from './entities/face.entity';
import { RenderEntity } from './entities/render.entity';
import { LifecycleEventEntity } from './entities/lifecycle-event.entity';
import { RecordingEntity } from './entities/recording.entity';

export const STORY_REPOSITORY = Symbol('STORY_REPOSITORY');
export const FACE_REPOSITORY = Symbol('FACE_REPOSITORY');
export const RENDER_REPOSITORY = Symbol('RENDER_REPOSITORY');
export const LIFECYCLE_REPOSITORY = Symbol('LIFECYCLE_REPOSITORY');
export const RECORDING_REPOSITORY = Symbol('RECORDING_REPOSITORY');

class DatabaseShutdown implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly database: Database) {}
  async onApplicationShutdown(): Promise<void> {
    await this.database.close();
  }
}

@Global()
@Module({
  providers: [
    {
      provide: Database,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const logger = new Logger('Database');
        return Database.open(config, (line) => logger.log(line));
      },
    },
    { provide: DataSource, inject: [Database], useFactory: (db: Database) => db.dataSource },
    { provide: STORY_REPOSITORY, inject: [DataSource], useFactory: (ds: DataSource) => ds.getRepository(StoryEntity) },
    { provide: FACE_REPOSITORY, inject: [DataSource], useFactory: (ds: DataSource) => ds.getRepository(FaceEntity) },
    { provide: RENDER_REPOSITORY, inject: [DataSource], useFactory: (ds: DataSource) => ds.getRepository(RenderEntity) },
    { provide: LIFECYCLE_REPOSITORY, inject: [DataSource], useFactory: (ds: DataSource) => ds.getRepository(LifecycleEventEntity) },
    { provide: RECORDING_REPOSITORY, inject: [DataSource], useFactory: (ds: DataSource) => ds.getRepository(RecordingEntity) },
    DatabaseShutdown,
  ],
  exports: [Database, DataSource, STORY_REPOSITORY, FACE_REPOSITORY, RENDER_REPOSITORY, LIFECYCLE_REPOSITORY, RECORDING_REPOSITORY],
})
export class DatabaseModule {}
