// Plays a render in a <video>: native HLS where the browser has it (Safari, iOS, recent
// Chromium), else hls.js (loaded only when needed). The playlist grows while the render runs,
// so playback always starts at the beginning of the story, not at the "live edge".
import type Hls from 'hls.js';

export interface PlayerEvents {
  onError(): void;
  onNeedsUnmute(): void;
}

export class StoryPlayer {
  private hls: Hls | null = null;
  private source: 'hls' | 'mp4' | null = null;
  private recoveries = 0;

  constructor(private readonly video: HTMLVideoElement, private readonly events: PlayerEvents) {}

  get started(): boolean {
    return this.source !== null;
  }

  get kind(): 'hls' | 'mp4' | null {
    return this.source;
  }

  async playHls(url: string): Promise<void> {
    if (this.source) return;
    this.source = 'hls';
    const video = this.video;
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.dataset.engine = 'native';
      video.addEventListener('loadedmetadata', () => {
        if (video.currentTime > 0.5 && !video.played.length) video.currentTime = 0;
      }, { once: true });
      video.src = url;
    } else {
      const { default: HlsClass } = await import('hls.js');
      if (!HlsClass.isSupported()) {
        this.source = null;
        this.events.onError();
        return;
      }
      video.dataset.engine = 'hls.js';
      const hls = new HlsClass({ startPosition: 0, enableWorker: true, lowLatencyMode: false, manifestLoadingMaxRetry: 6, levelLoadingMaxRetry: 6, fragLoadingMaxRetry: 6 });
      this.hls = hls;
      hls.on(HlsClass.Events.ERROR, (_e, data) => {
        if (!data.fatal) return;
        if (this.recoveries++ > 4) {
          this.stop();
          this.events.onError();
        } else if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
        else hls.startLoad(Math.max(0, video.currentTime));
      });
      hls.loadSource(url);
      hls.attachMedia(video);
    }
    await this.autoplay();
  }

  /** The finished MP4: used when the stream never started (e.g. the render was very quick). */
  async playMp4(url: string): Promise<void> {
    if (this.source) return;
    this.source = 'mp4';
    this.video.dataset.engine = 'mp4';
    this.video.src = url;
    await this.autoplay();
  }

  /** Browsers may refuse sound without a tap: then play muted and offer the sound button. */
  private async autoplay(): Promise<void> {
    try {
      await this.video.play();
    } catch (err) {
      if ((err as DOMException).name === 'NotAllowedError') {
        this.video.muted = true;
        this.events.onNeedsUnmute();
        await this.video.play().catch(() => undefined);
      }
    }
  }

  stop(): void {
    this.hls?.destroy();
    this.hls = null;
    this.video.pause();
    this.video.removeAttribute('src');
    this.video.load();
    this.source = null;
    this.recoveries = 0;
  }
}
