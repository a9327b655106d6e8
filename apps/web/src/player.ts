// Plays a render in a <video>: hls.js wherever the browser has Media Source Extensions, native
// HLS only where it has not (iOS). Chromium's own HLS player (since ~v140) fails with
// DEMUXER_ERROR_COULD_NOT_PARSE on a playlist that is still growing (no ENDLIST), which ours is
// while the render runs: the page then lost 0.5-1 s handing over to hls.js (measured in the
// bench). If the native player fails on the stream it hands over to hls.js (which remuxes the
// segments itself); if that fails too, the page falls back to the finished MP4. The playlist grows while the render runs, so playback starts at the
// beginning of the story, not at the "live edge".
import type Hls from 'hls.js/light';

export interface PlayerEvents {
  /** The stream cannot be played here (the page offers the MP4 once it is ready). */
  onStreamFailed(): void;
  onNeedsUnmute(): void;
}

type Engine = 'native' | 'hls.js' | 'mp4';

let hlsModule: Promise<typeof Hls> | undefined;
/** hls.js, loaded once (a failed load is tried again next time). */
function loadHls(): Promise<typeof Hls> {
  hlsModule ??= import('hls.js/light').then(
    (m) => m.default,
    (err: unknown) => {
      hlsModule = undefined;
      throw err;
    },
  );
  return hlsModule;
}

/**
 * hls.js where Media Source Extensions play H.264 (Chromium, Firefox, desktop Safari); native HLS
 * where they do not but the element plays HLS itself (iOS Safari, whose ManagedMediaSource we
 * leave to it). Neither: hls.js is tried and the page falls back to the MP4.
 */
function prefersHlsJs(video: HTMLVideoElement): boolean {
  const mse = (window as { MediaSource?: { isTypeSupported(type: string): boolean } }).MediaSource;
  if (mse?.isTypeSupported('video/mp4; codecs="avc1.64001f,mp4a.40.2"')) return true;
  return !video.canPlayType('application/vnd.apple.mpegurl');
}

export class StoryPlayer {
  private hls: Hls | null = null;
  private engine: Engine | null = null;
  private recoveries = 0;
  private url = '';
  private failed = false;
  private readonly onVideoError = () => void this.videoFailed();
  private stallTimer: number | undefined;
  private lastTime = -1;
  private stalledFor = 0;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly events: PlayerEvents,
  ) {
    video.addEventListener('error', this.onVideoError);
    for (const e of ['loadeddata', 'canplay', 'progress', 'waiting']) video.addEventListener(e, () => this.skipStartGap());
    // Where hls.js will be needed, fetch and parse it while the parent is still choosing, not
    // in the seconds between "the stream is ready" and the first frame.
    if (prefersHlsJs(video)) {
      const load = () => void loadHls().catch(() => undefined);
      if (typeof window.requestIdleCallback === 'function') window.requestIdleCallback(load, { timeout: 3000 });
      else window.setTimeout(load, 1000);
    }
  }

  /**
   * Native HLS can also stall without an error on a stream whose timestamps jump between
   * segments: if nothing moves for a few seconds, hls.js (where the browser has it) takes over.
   */
  private watchNativeStall(): void {
    window.clearInterval(this.stallTimer);
    this.lastTime = -1;
    this.stalledFor = 0;
    this.stallTimer = window.setInterval(() => {
      const v = this.video;
      if (this.engine !== 'native') {
        window.clearInterval(this.stallTimer);
        return;
      }
      const stuck = !v.paused && !v.ended && v.currentTime === this.lastTime && v.readyState < 3;
      this.stalledFor = stuck ? this.stalledFor + 1 : 0;
      this.lastTime = v.currentTime;
      if (this.stalledFor >= 5) {
        window.clearInterval(this.stallTimer);
        void this.nativeToHlsJs();
      }
    }, 1000);
  }

  /**
   * A stream's first piece may start its video a frame or two after its audio (0.067 s seen):
   * the element then waits at 0 with data buffered just ahead, until hls.js's stall detection
   * nudges it about two seconds later (measured in the bench). Before the first frame, jump
   * straight to the start of what is buffered when it is that close.
   */
  private skipStartGap(): void {
    const v = this.video;
    // Not `played`: Chromium lists a played range [0, 0] as soon as play() is asked for, before any
    // frame (the check then never ran and hls.js's own nudge came ~0.5 s later, seen in the bench).
    if (this.engine === null || this.engine === 'mp4' || this.shownFrame() || v.seeking || v.buffered.length === 0) return;
    const start = v.buffered.start(0);
    if (v.currentTime < start && start - v.currentTime < 0.5) v.currentTime = start;
  }

  /** Playback has moved past its start (a frame is showing). */
  private shownFrame(): boolean {
    const v = this.video;
    return v.currentTime > 0 && !v.paused && v.readyState >= 2 && v.buffered.length > 0 && v.currentTime >= v.buffered.start(0);
  }

  private async nativeToHlsJs(): Promise<void> {
    const HlsClass = await loadHls();
    if (this.engine !== 'native' || !HlsClass.isSupported()) return; // keep waiting natively
    const at = this.video.error ? 0 : this.video.currentTime;
    this.detach();
    await this.startHlsJs(at).catch(() => this.giveUp());
  }

  get started(): boolean {
    return this.engine !== null;
  }

  get kind(): Engine | null {
    return this.engine;
  }

  /** True when the stream was given up on (the MP4 is the way to watch). */
  get streamFailed(): boolean {
    return this.failed;
  }

  /** True when something is actually playing or ready to play. */
  get healthy(): boolean {
    return this.engine !== null && !this.video.error && this.video.readyState >= 2;
  }

  async playHls(url: string): Promise<void> {
    if (this.engine || this.failed) return;
    this.url = url;
    // Buffered ranges change without an event under MSE: look often until playing (measured in the
    // bench: at 200 ms the first frame came 0.5-1.3 s after canplay). The stream is asked for right
    // after the click, so look for up to a minute.
    let ticks = 0;
    const gapTimer = window.setInterval(() => {
      if (++ticks > 1200 || this.shownFrame() || this.failed || this.engine === 'mp4') window.clearInterval(gapTimer);
      else this.skipStartGap();
    }, 50);
    // hls.js where it is preferred and works here; else the browser's own HLS where it has one.
    const native = this.video.canPlayType('application/vnd.apple.mpegurl') !== '';
    const hlsJs =
      prefersHlsJs(this.video) &&
      (!native ||
        (await loadHls().then(
          (H) => H.isSupported(),
          () => false,
        )));
    if (!hlsJs) {
      this.engine = 'native';
      this.video.dataset.engine = 'native';
      this.video.addEventListener(
        'loadedmetadata',
        () => {
          if (this.video.currentTime > 0.5 && this.video.played.length === 0) this.video.currentTime = 0;
        },
        { once: true },
      );
      this.video.src = url;
      this.watchNativeStall();
      await this.autoplay();
    } else {
      await this.startHlsJs(0);
    }
  }

  private async startHlsJs(startPosition: number): Promise<void> {
    const HlsClass = await loadHls();
    if (!HlsClass.isSupported()) {
      this.giveUp();
      return;
    }
    this.engine = 'hls.js';
    this.video.dataset.engine = 'hls.js';
    // startFragPrefetch: the first segment loads while the media source opens.
    const hls = new HlsClass({
      startPosition,
      startFragPrefetch: true,
      enableWorker: true,
      lowLatencyMode: false,
      // The server holds the first playlist request until the first piece is listed (up to 20 s).
      manifestLoadingTimeOut: 25_000,
      manifestLoadingMaxRetry: 6,
      levelLoadingMaxRetry: 6,
      fragLoadingMaxRetry: 6,
    });
    this.hls = hls;
    hls.on(HlsClass.Events.BUFFER_APPENDED, () => this.skipStartGap());
    hls.on(HlsClass.Events.ERROR, (_e, data) => {
      if (!data.fatal || this.hls !== hls) return;
      if (this.recoveries++ >= 4) this.giveUp();
      else if (data.type === HlsClass.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
      else hls.startLoad(Math.max(0, this.video.currentTime));
    });
    hls.loadSource(this.url);
    hls.attachMedia(this.video);
    await this.autoplay();
  }

  /** The <video> element reported an error: native HLS hands over to hls.js, anything else gives up. */
  private async videoFailed(): Promise<void> {
    if (this.engine === 'native') {
      window.clearInterval(this.stallTimer);
      const at = Number.isFinite(this.video.currentTime) ? this.video.currentTime : 0;
      this.detach();
      await this.startHlsJs(at).catch(() => this.giveUp());
    } else if (this.engine === 'mp4') {
      this.events.onStreamFailed();
    }
    // hls.js reports through its own ERROR event (and may recover): nothing to do here.
  }

  private giveUp(): void {
    this.detach();
    this.failed = true;
    this.events.onStreamFailed();
  }

  /** The finished MP4: when the stream never started, or could not be played. */
  async playMp4(url: string): Promise<void> {
    if (this.engine === 'mp4') return;
    const resumeAt = this.video.currentTime > 0.5 && !this.video.error ? this.video.currentTime : 0;
    this.detach();
    this.engine = 'mp4';
    this.video.dataset.engine = 'mp4';
    this.video.src = url;
    if (resumeAt) this.video.addEventListener('loadedmetadata', () => (this.video.currentTime = resumeAt), { once: true });
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
      // other failures arrive as the element's 'error' event
    }
  }

  private detach(): void {
    window.clearInterval(this.stallTimer);
    this.hls?.destroy();
    this.hls = null;
    this.engine = null;
    this.video.removeAttribute('src');
    this.video.load();
  }

  stop(): void {
    this.video.pause();
    this.detach();
    this.recoveries = 0;
    this.failed = false;
    delete this.video.dataset.engine;
  }
}
