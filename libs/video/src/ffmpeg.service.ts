import { Global, Injectable, Logger, Module } from '@nestjs/common';
import { FfmpegInfo, locateFfmpeg } from './ffmpeg-locator';
import { MediaInfo, probeMedia } from './media-probe';

/** The process's ffmpeg: located once, reused by probe, precompute and render. */
@Injectable()
export class FfmpegService {
  private readonly logger = new Logger('Ffmpeg');
  private info: FfmpegInfo | undefined;
  private error: string | undefined;

  async locate(): Promise<FfmpegInfo> {
    try {
      this.info = await locateFfmpeg();
      this.error = undefined;
      return this.info;
    } catch (err) {
      this.error = (err as Error).message;
      this.logger.error(this.error);
      throw err;
    }
  }

  async probe(file: string): Promise<MediaInfo> {
    const info = this.info ?? (await this.locate());
    return probeMedia(info.ffprobe, file);
  }

  status(): { ok: boolean; version: string | null; source: string | null; error: string | null } {
    return { ok: !!this.info, version: this.info?.version ?? null, source: this.info?.source ?? null, error: this.error ?? null };
  }
}

@Global()
@Module({ providers: [FfmpegService], exports: [FfmpegService] })
export class VideoModule {}
