// Two edge checks on every request, before any route runs:
// - same origin: a state-changing request (POST, PUT, PATCH, DELETE) sent by a browser from
//   another site (its Origin is neither this page's own nor in TALECAST_CORS_ORIGINS) is refused
//   with 403 CROSS_SITE. Multipart forms need no CORS preflight, so CORS alone does not stop them.
// - minimum body rate: a body that arrives slower than the configured bytes per second, over each
//   window, ends with 408, so clients trickling bytes cannot hold the server.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import type { AppConfig } from '@talecast/config';
import { TalecastError } from '@talecast/core';
import { sendError } from './error.filter';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** True when a request with these headers may change state here. Pure. */
export function originAllowed(method: string, origin: string | undefined, hosts: (string | undefined)[], allowed: string[]): boolean {
  if (SAFE_METHODS.has(method.toUpperCase()) || origin === undefined) return true; // not from a browser page
  if (allowed.includes(origin)) return true;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false; // "null" (sandboxed or file: pages) and garbage
  }
  return hosts.some((h) => h !== undefined && h.toLowerCase() === host.toLowerCase());
}

export function sameOrigin(config: AppConfig) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const forwarded =
      String(req.headers['x-forwarded-host'] ?? '')
        .split(',')[0]
        .trim() || undefined;
    if (originAllowed(req.method, req.headers.origin, [req.headers.host, forwarded], config.corsOrigins)) return next();
    res.setHeader('Connection', 'close');
    sendError(res, new TalecastError('CROSS_SITE', 'requests from another site are refused'));
  };
}

/** Watches every request with a body; installed on the HTTP server before the app sees it. */
export function enforceMinimumBodyRate(server: Server, config: AppConfig): void {
  const logger = new Logger('HTTP');
  const { bytesPerSecond, windowSeconds } = config.bodyMinRate;
  const windowMs = windowSeconds * 1000;
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody || req.complete) return;
    const socket = req.socket;
    let seen = socket.bytesRead;
    const timer = setInterval(() => {
      if (req.complete || res.writableEnded || socket.destroyed) return stop();
      const now = socket.bytesRead;
      if (now - seen >= bytesPerSecond * windowSeconds) {
        seen = now;
        return;
      }
      stop();
      (req as IncomingMessage & { talecastTimedOut?: boolean }).talecastTimedOut = true;
      logger.log(`request body too slow (under ${bytesPerSecond} B/s): ${req.method} ${(req.url ?? '').split('?')[0].slice(0, 80)} → 408`);
      if (!res.headersSent) {
        const body = JSON.stringify({ error: { code: 'REQUEST_TIMEOUT', message: 'the upload was too slow; please try again on a better connection' } });
        res.writeHead(408, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), Connection: 'close' });
        res.end(body, () => socket.destroy());
      } else socket.destroy();
    }, windowMs);
    timer.unref();
    const stop = () => clearInterval(timer);
    res.once('close', stop);
    req.once('end', stop);
  });
}
