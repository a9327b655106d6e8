// Bounds the photos being worked on at once (memory and CPU): a photo beyond the limit gets 503
// with Retry-After. The slot is taken only once the body has arrived (after the multipart
// interceptor), so a client still sending bytes holds no slot; it is released when the work ends.
import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { Observable, finalize } from 'rxjs';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { TalecastError } from '@talecast/core';

@Injectable()
export class UploadSlotsInterceptor implements NestInterceptor {
  private inFlight = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.inFlight >= this.config.upload.maxInFlight) {
      throw new TalecastError('BUSY', 'too many photos are being processed right now; try again in a few seconds', { retryAfter: 5 });
    }
    this.inFlight++;
    let released = false;
    return next.handle().pipe(
      finalize(() => {
        if (!released) {
          released = true;
          this.inFlight--;
        }
      }),
    );
  }
}
