export * from './entities/story.entity';
export * from './entities/face.entity';
export * from './entities/render.entity';
export * from './entities/lifecycle-event.entity';
export * from './data-source';
export * from './database';
export * from './database.module';
export * from './embedded-postgres-server';
