// Bounds the uploads being processed at once (memory and CPU): a request beyond the limit gets
// 503 with Retry-After before its body is read. The slot is released when the response ends.
import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Response } from 'express';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { TalecastError } from '@talecast/core';

@Injectable()
export class UploadSlotsGuard implements CanActivate {
  private inFlight = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    if (this.inFlight >= this.config.upload.maxInFlight) {
      throw new TalecastError('BUSY', 'too many photos are being processed right now; try again in a few seconds', { retryAfter: 5 });
    }
    this.inFlight++;
    const res = context.switchToHttp().getResponse<Response>();
    let released = false;
    const release = () => {
      if (!released) {
        released = true;
        this.inFlight--;
      }
    };
    res.once('finish', release);
    res.once('close', release);
    return true;
  }
}
