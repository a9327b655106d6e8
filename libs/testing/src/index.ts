export * from './test-database';
export * from './api-process';
export * from './temp-dir';
export * from './shared-fixtures';
export * from './voiced-story';
export * from './video-frames';
