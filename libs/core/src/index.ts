export * from './core.module';
export * from './storage.module';
export * from './talecast-error';
