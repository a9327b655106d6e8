// Follows a render's progress: server-sent events (`progress`, then `done` or `failed`) while the
// stream is healthy; polling `GET /api/renders/:id` when it is not (a proxy that buffers, a dropped
// connection), so the page never waits forever on a silent stream.
import { api, ApiError, RenderInfo, RenderProgress, RenderStatus } from './api';

const TERMINAL: RenderStatus[] = ['done', 'failed', 'expired', 'deleted', 'cancelled', 'purged'];
const POLL_MS = 2000;
const STALL_MS = 15_000;

export interface RenderWatchHandlers {
  onProgress(p: RenderProgress): void;
  onEnd(p: RenderProgress): void;
  onConnectionTrouble(trouble: boolean): void;
  onError(err: ApiError): void;
}

export function progressFromInfo(info: RenderInfo): RenderProgress {
  return {
    status: info.status,
    progress: info.progress ?? 0,
    segmentsDone: info.segmentsDone ?? 0,
    segmentsTotal: info.segmentsTotal ?? 0,
    hlsReady: Boolean(info.hlsUrl) || info.status === 'done',
    etaSeconds: null,
    error: info.error,
  };
}

export function watchRender(id: string, eventsUrl: string, handlers: RenderWatchHandlers): () => void {
  let stopped = false;
  let source: EventSource | null = null;
  let pollTimer: number | undefined;
  let stallTimer: number | undefined;
  let streamErrors = 0;

  const finish = (p: RenderProgress) => {
    if (stopped) return;
    stop();
    handlers.onEnd(p);
  };

  const accept = (p: RenderProgress) => {
    if (stopped) return;
    if (TERMINAL.includes(p.status)) finish(p);
    else handlers.onProgress(p);
  };

  const poll = async () => {
    if (stopped) return;
    try {
      accept(progressFromInfo(await api.render(id)));
      handlers.onConnectionTrouble(false);
    } catch (err) {
      const e = err as ApiError;
      if (e.code === 'RENDER_NOT_FOUND' || e.code === 'NOT_FOUND') {
        stop();
        handlers.onError(e);
        return;
      }
      handlers.onConnectionTrouble(true);
    }
    if (!stopped && !source) pollTimer = window.setTimeout(poll, POLL_MS);
  };

  const armStallCheck = () => {
    window.clearTimeout(stallTimer);
    stallTimer = window.setTimeout(() => void pollOnce(), STALL_MS);
  };
  const pollOnce = async () => {
    if (stopped) return;
    try {
      accept(progressFromInfo(await api.render(id)));
    } catch {
      // the stream is still the primary source; a failed check is not an error yet
    }
    if (!stopped) armStallCheck();
  };

  const switchToPolling = () => {
    source?.close();
    source = null;
    window.clearTimeout(stallTimer);
    handlers.onConnectionTrouble(true);
    void poll();
  };

  if (typeof EventSource === 'function') {
    source = new EventSource(eventsUrl);
    const onData = (e: MessageEvent<string>, status?: RenderStatus) => {
      streamErrors = 0;
      handlers.onConnectionTrouble(false);
      armStallCheck();
      let data: RenderProgress;
      try {
        data = JSON.parse(e.data) as RenderProgress;
      } catch {
        return;
      }
      if (status) data = { ...data, status: data.status && TERMINAL.includes(data.status) ? data.status : status };
      accept(data);
    };
    source.addEventListener('progress', (e) => onData(e as MessageEvent<string>));
    source.addEventListener('message', (e) => onData(e as MessageEvent<string>));
    source.addEventListener('done', (e) => onData(e as MessageEvent<string>, 'done'));
    source.addEventListener('failed', (e) => onData(e as MessageEvent<string>, 'failed'));
    source.onerror = () => {
      if (stopped) return;
      // CLOSED: the server refused the stream (e.g. 404); CONNECTING: the browser retries by itself.
      if (!source || source.readyState === EventSource.CLOSED || ++streamErrors >= 3) switchToPolling();
      else handlers.onConnectionTrouble(true);
    };
    armStallCheck();
  } else {
    void poll();
  }

  function stop() {
    stopped = true;
    source?.close();
    source = null;
    window.clearTimeout(pollTimer);
    window.clearTimeout(stallTimer);
  }
  return stop;
}
