// A tiny static server for apps/web/dist that forwards /api/* (and /docs*) to a running API, the
// same URL layout the API gives the built pages in production (/ → index.html, /admin →
// admin.html). Used by the browser tests when the API under test does not serve the pages
// itself, and handy by hand: `node apps/web/serve-dist.cjs http://127.0.0.1:3000 8080`.
// Streams both ways (server-sent events and range requests pass through untouched).
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.json': 'application/json',
  '.map': 'application/json',
  '.woff2': 'font/woff2',
};

/** @returns {Promise<{ url: string, close(): Promise<void> }>} */
function serveDist({ root = path.join(__dirname, 'dist'), apiUrl, port = 0, host = '127.0.0.1' }) {
  const api = new URL(apiUrl);
  const rootDir = path.resolve(root);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url || '/', 'http://x');
    if (url.pathname.startsWith('/api/') || url.pathname === '/api' || url.pathname.startsWith('/docs')) {
      const upstream = http.request(
        { host: api.hostname, port: api.port, method: req.method, path: req.url, headers: { ...req.headers, host: api.host } },
        (up) => {
          res.writeHead(up.statusCode || 502, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'UNAVAILABLE', message: 'the API is not reachable' } }));
      });
      req.pipe(upstream);
      res.on('close', () => upstream.destroy());
      return;
    }
    let rel = decodeURIComponent(url.pathname);
    // A render's private link is the parents' page (the API itself also answers 404 for a gone render).
    if (rel === '/' || rel === '' || /^\/v\/[A-Za-z0-9_-]{22}\/?$/.test(rel)) rel = '/index.html';
    else if (!path.extname(rel)) rel = `${rel.replace(/\/+$/, '')}.html`;
    const file = path.resolve(rootDir, `.${rel}`);
    if (!file.startsWith(rootDir + path.sep)) {
      res.writeHead(404).end();
      return;
    }
    fs.stat(file, (err, st) => {
      if (err || !st.isFile()) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'not found' } }));
        return;
      }
      const immutable = rel.startsWith('/assets/');
      res.writeHead(200, {
        'content-type': TYPES[path.extname(file)] || 'application/octet-stream',
        'content-length': st.size,
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
      if (req.method === 'HEAD') res.end();
      else fs.createReadStream(file).pipe(res);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const { port: p } = server.address();
      resolve({
        url: `http://${host}:${p}`,
        close: () =>
          new Promise((r) => {
            server.closeAllConnections?.();
            server.close(() => r());
          }),
      });
    });
  });
}

module.exports = { serveDist };

if (require.main === module) {
  const [apiUrl = 'http://127.0.0.1:3000', port = '8080'] = process.argv.slice(2);
  serveDist({ apiUrl, port: Number(port) }).then((s) => console.log(`serving apps/web/dist on ${s.url}, /api → ${apiUrl}`));
}
