export * from './segment-task';
export * from './segment-tracks';
export * from './hls-playlist';
export * from './render-engine';
export * from './render-pool';
export * from './render.service';
export * from './render-worker.service';
export * from './render.module';
