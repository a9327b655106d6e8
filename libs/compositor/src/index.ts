// Public API of @talecast/compositor: preparing a child's face once, inserting it into decoded
// 4:2:0 frames, skin statistics, toon styling and per-frame face choice. Pure: must never import
// Nest, a database, the file system, sharp or ffmpeg.
export * from './prepared-face';
export * from './frame-compositor';
export * from './skin-stats';
export * from './toon-style';
export * from './expression-matcher';
export * from './eye-animator';
export * from './mouth-interior';
export * from './skin-fill';
export * from './face-shading';
export * from './red-eye';
