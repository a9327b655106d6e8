export * from './ffmpeg-locator';
export * from './ffmpeg-process';
export * from './media-probe';
export * from './audio-start';
export * from './ffmpeg-args';
export * from './ffmpeg.service';
export * from './mpegts';
export * from './frame-pipe';
