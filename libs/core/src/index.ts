export * from './core.module';
export * from './storage.module';
