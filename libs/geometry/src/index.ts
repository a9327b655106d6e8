// Public API of @talecast/geometry: pure 2-D geometry, warping, masks and colour maths on typed
// arrays. Must never import Nest, a database, the file system, sharp or ffmpeg.
export * from './plane';
export * from './polygon';
export * from './similarity';
export * from './delaunay';
export * from './face-mesh';
export * from './synthetic-face';
export * from './warp';
export * from './mask';
export * from './colour';
export * from './pyramid';
export * from './eyelid-warp';
export * from './iris';
export * from './low-frequency';
