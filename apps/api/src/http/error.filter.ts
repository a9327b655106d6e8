// The one place expected failures become HTTP: a TalecastError's reason code picks the status;
// framework errors (multer limits, bad JSON, unknown routes) get codes too. Bodies never carry
// stack traces or user data. A request the client abandoned is one short info line, not an error.
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { TalecastError } from '@talecast/core';

export interface ErrorBody {
  error: { code: string; message: string; [key: string]: unknown };
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request>();
    if ((req as { talecastTimedOut?: boolean }).talecastTimedOut) return; // answered 408 already
    if (isAbandoned(req, exception)) {
      this.logger.log(`request abandoned by the client: ${req.method} ${req.path.slice(0, 80)}`);
      if (!res.headersSent) res.status(400);
      res.end();
      return;
    }
    sendError(res, exception, this.toResponse(exception, req));
  }

  toResponse(exception: unknown, req?: Request): { status: number; body: ErrorBody; headers: Record<string, string> } {
    if (exception instanceof TalecastError) {
      const headers: Record<string, string> = {};
      if (exception.status === 503 || exception.status === 429) headers['Retry-After'] = String(exception.details?.retryAfter ?? 5);
      return { status: exception.status, body: { error: { code: exception.code, message: exception.message, ...(exception.details ?? {}) } }, headers };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const raw = typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? exception.message);
      const message = Array.isArray((response as { message?: unknown }).message) ? (response as { message: string[] }).message.join('; ') : raw;
      return {
        status,
        body: { error: { code: codeFor(status, message), message: friendly(status, message, req?.path ?? '') } },
        headers: status === 429 ? { 'Retry-After': '10' } : {},
      };
    }
    if (isDatabaseUnavailable(exception)) {
      return {
        status: 503,
        body: { error: { code: 'UNAVAILABLE', message: 'the service is briefly unavailable; try again in a few seconds' } },
        headers: { 'Retry-After': '5' },
      };
    }
    if ((exception as { type?: string })?.type === 'entity.too.large') {
      return { status: 413, body: { error: { code: 'BODY_TOO_LARGE', message: 'the request body is too large' } }, headers: {} };
    }
    if ((exception as { type?: string })?.type === 'entity.parse.failed') {
      return { status: 400, body: { error: { code: 'BAD_REQUEST', message: 'the request body is not valid JSON' } }, headers: {} };
    }
    this.logger.error(`unexpected error: ${(exception as Error)?.stack ?? String(exception)}`);
    return { status: 500, body: { error: { code: 'INTERNAL', message: 'something went wrong on our side' } }, headers: {} };
  }
}

/** Writes an error answer (the filter's mapping) unless one has begun; used by sendFile callbacks too. */
export function sendError(res: Response, exception: unknown, mapped = ERROR_FILTER.toResponse(exception)): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.removeHeader('Content-Type');
  res.removeHeader('Content-Disposition');
  for (const [k, v] of Object.entries(mapped.headers)) res.setHeader(k, v);
  res.status(mapped.status).json(mapped.body);
}

const ERROR_FILTER = new ErrorFilter();

/** The client went away mid-request (closed the socket while its body was being read). */
function isAbandoned(req: Request, e: unknown): boolean {
  const err = e as { message?: string; code?: string };
  return /^Request aborted$/i.test(err?.message ?? '') || err?.code === 'ECONNABORTED' || (req.readableAborted === true && req.complete !== true);
}

/** PostgreSQL unreachable or restarting: a temporary condition, answered 503 with Retry-After. */
function isDatabaseUnavailable(e: unknown): boolean {
  const err = e as { code?: string; message?: string; driverError?: { code?: string } };
  const code = err?.driverError?.code ?? err?.code;
  if (code && ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004'].includes(code)) return true;
  return /ECONNREFUSED|Connection terminated|terminating connection|database system is (starting up|shutting down)|timeout exceeded when trying to connect/i.test(
    err?.message ?? '',
  );
}

function codeFor(status: number, message: string): string {
  if (status === 413 && /entity too large|request body/i.test(message)) return 'BODY_TOO_LARGE';
  if (status === 413) return 'FILE_TOO_LARGE';
  if (/too many (parts|fields)/i.test(message)) return 'TOO_MANY_PARTS';
  if (/unexpected (file )?field/i.test(message)) return 'WRONG_FIELD';
  if (/too many (files|parts|fields)/i.test(message)) return 'TOO_MANY_FILES';
  if (status === 404) return 'NOT_FOUND';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 429) return 'RATE_LIMITED';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  if (status >= 500) return 'INTERNAL';
  return 'BAD_REQUEST';
}

function friendly(status: number, message: string, path: string): string {
  if (status === 413 && /entity too large|request body/i.test(message)) return 'the request body is too large';
  if (status === 413) return 'the file is too large';
  if (/unexpected (file )?field/i.test(message)) {
    if (path.startsWith('/api/admin/')) return 'unexpected file field; send "video", "masks", and optionally "lines" and "stem.<role>"';
    return 'unexpected file field; send the photo in the field "photo"';
  }
  if (status === 404) return 'not found';
  if (status === 429) return 'too many requests; try again in a minute';
  return message.slice(0, 300);
}
