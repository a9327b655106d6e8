// Side-effect CSS imports are bundled by Vite.
declare module '*.css';

// hls.js's light build (no subtitles, alternate audio or DRM: a story needs none) has the same API.
declare module 'hls.js/light' {
  export { default } from 'hls.js';
  export * from 'hls.js';
}
