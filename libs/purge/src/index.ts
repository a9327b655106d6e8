export * from './purge-report';
export * from './root-entry';
export * from './purge.service';
export * from './purge.scheduler';
export * from './purge.module';
export * from './purge-job';
