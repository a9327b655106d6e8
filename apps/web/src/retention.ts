// The server's configured retention (GET /api/privacy), for the consent and the privacy page: the
// periods a parent reads are the ones the purge applies. Fetched once per page; an element that
// shows them is filled as soon as they arrive (until then the periods read "…").
import { api } from './api';
import { MessageKey, tx, Vars } from './i18n';

let facts: Promise<Vars | null> | null = null;

/** The periods as `{face, recording, video, failed}` seconds (for `{…:retention}` placeholders); null when unavailable. */
export function retentionVars(): Promise<Vars | null> {
  facts ??= api.privacy().then(
    ({ retention: r }) => ({ face: r.photoSeconds, recording: r.recordingSeconds, video: r.videoSeconds, failed: r.failedVideoSeconds }),
    () => {
      facts = null; // asked again next time
      return null;
    },
  );
  return facts;
}

/** Sets `el` to `key` with the retention periods, now ("…") and again once they are known. */
export function txRetention<E extends HTMLElement>(el: E, key: MessageKey): E {
  tx(el, key);
  el.dataset.retention = 'loading';
  void retentionVars().then((vars) => {
    if (!vars) return;
    tx(el, key, vars);
    el.dataset.retention = 'ready';
  });
  return el;
}
