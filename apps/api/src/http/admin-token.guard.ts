// Admin endpoints: a bearer token from configuration. No token → 401, a wrong one → 403 (a
// constant-time comparison); with no token configured the admin API is disabled (403).
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { Request } from 'express';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { TalecastError } from '@talecast/core';

@Injectable()
export class AdminTokenGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) throw new TalecastError('UNAUTHORIZED', 'this endpoint needs an admin bearer token');
    const expected = this.config.adminToken;
    if (!expected) throw new TalecastError('FORBIDDEN', 'the admin API is disabled (set TALECAST_ADMIN_TOKEN)');
    const a = createHash('sha256').update(m[1]).digest();
    const b = createHash('sha256').update(expected).digest();
    if (!timingSafeEqual(a, b)) throw new TalecastError('FORBIDDEN', 'wrong admin token');
    return true;
  }
}
