export * from './lines-file';
export * from './slot-fit';
export * from './loudness';
export * from './recording-analysis';
export * from './wav';
export * from './voice-ffmpeg-args';
export * from './recording-fitter';
