export * from './ids';
export * from './storage-core';
export * from './atomic-write';
