// Builds the TypeORM DataSource: the same entities and migrations for the API, the CLI, the
// workers and the tests. Schema changes happen only through migrations (never `synchronize`).
import { DataSource } from 'typeorm';
import { StoryEntity } from './entities/story.entity';
import { FaceEntity } from './entities/face.entity';
import { RenderEntity } from './entities/render.entity';
import { LifecycleEventEntity } from './entities/lifecycle-event.entity';
import { RecordingEntity } from './entities/recording.entity';
import { InitialSchema1763800000000 } from './migrations/1763800000000-initial-schema';
import { RenderHeartbeat1763810000000 } from './migrations/1763810000000-render-heartbeat';
import { StoryMeta1763830000000 } from './migrations/1763830000000-story-meta';
import { RenderErrorCode1765000000000 } from './migrations/1765000000000-render-error-code';
import { Recordings1765100000000 } from './migrations/1765100000000-recordings';
import { RenderTitleCard1765210000000 } from './migrations/1765210000000-render-title-card';

export const ENTITIES = [StoryEntity, FaceEntity, RenderEntity, LifecycleEventEntity, RecordingEntity];
export const MIGRATIONS = [
  InitialSchema1763800000000,
  RenderHeartbeat1763810000000,
  StoryMeta1763830000000,
  RenderErrorCode1765000000000,
  Recordings1765100000000,
  RenderTitleCard1765210000000,
];

export function createDataSource(url: string, poolSize = 10): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    logging: ['error'],
    extra: { max: poolSize, connectionTimeoutMillis: 5000, idleTimeoutMillis: 30000 },
  });
}
