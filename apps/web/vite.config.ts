// Vite build of the parents' page (index.html), the privacy page (privacy.html) and the admin page (admin.html): plain TypeScript,
// bundled CSS, hls.js split into its own chunk (loaded only by browsers without native HLS).
// Output: apps/web/dist/, served by the API at / and /admin. `vite` in this folder proxies /api
// to a local API (TALECAST_API_URL, default http://127.0.0.1:3000) for development.
import { defineConfig } from 'vite';

const here = (file: string) => decodeURIComponent(new URL(file, import.meta.url).pathname);

export default defineConfig({
  root: here('.'),
  base: '/',
  publicDir: here('./public'),
  appType: 'mpa',
  logLevel: 'warn',
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    assetsInlineLimit: 0,
    rollupOptions: {
      input: {
        index: here('./index.html'),
        admin: here('./admin.html'),
        privacy: here('./privacy.html'),
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: process.env.TALECAST_API_URL ?? 'http://127.0.0.1:3000', changeOrigin: false },
    },
  },
});
