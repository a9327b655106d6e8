// The optional step "Record your child's lines": for each line the hero speaks, the text large
// enough for a child, a 3-2-1 count-in, a progress bar as long as the line's slot, recording with
// the microphone (permission is asked here, when the parent presses Record, and nowhere else),
// then listen to the fitted line, record again, or skip. A parent can upload an audio file
// instead. The server fits each recording to its slot; this module only keeps the ids.
// Never sends anything but the recording itself, and never keeps the microphone open after a take.
import './record-lines.css';
import { ApiError, asApiError, request } from './api';
import { clear, errorBox, h } from './dom';
import { lang, onLangChange, tx } from './i18n';

interface Line {
  id: string;
  role: string;
  from: number;
  to: number;
  text: Record<string, string>;
  recordable: boolean;
}

interface Recording {
  id: string;
  lineId: string;
  slotSeconds: number;
  recordedSeconds: number;
  audioUrl: string;
}

interface LineState {
  line: Line;
  recording: Recording | null;
  skipped: boolean;
  busy: boolean;
  el: HTMLElement;
}

const COUNT_IN = 3;
/** The take goes on a little after the bar is full: a reading up to 1.4x the slot still fits. */
const AFTER_BAR_SECONDS = 1.2;

export class RecordLines {
  private storyId: string | null = null;
  private defaultLanguage = 'en';
  private lines: LineState[] = [];
  /** Recordings made on this page (also those replaced by a new take), for "delete everything". */
  private readonly made = new Set<string>();
  private stream: MediaStream | null = null;

  constructor(
    private readonly root: HTMLElement,
    private readonly body: HTMLElement,
  ) {
    onLangChange(() => this.lines.forEach((s) => this.draw(s)));
  }

  /** Shows the lines of the chosen story (hidden when it has none a child can record). */
  async setStory(storyId: string | null): Promise<void> {
    this.storyId = storyId;
    this.lines = [];
    clear(this.body);
    this.root.hidden = true;
    if (!storyId) return;
    try {
      const res = await request<{ defaultLanguage: string | null; lines: Line[] }>('GET', `/api/stories/${encodeURIComponent(storyId)}/lines`);
      if (this.storyId !== storyId) return;
      this.defaultLanguage = res.defaultLanguage ?? 'en';
      const recordable = res.lines.filter((l) => l.recordable);
      this.lines = recordable.map((line) => ({
        line,
        recording: null,
        skipped: false,
        busy: false,
        el: h('article', { class: 'rl-line', 'data-line-id': line.id }),
      }));
      this.body.append(...this.lines.map((s) => s.el));
      this.lines.forEach((s) => this.draw(s));
      this.root.hidden = this.lines.length === 0;
    } catch {
      // A story without lines (or an older server): the step simply does not appear.
    }
  }

  /** line id → recording id, for the render request. */
  voices(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const s of this.lines) if (s.recording && !s.skipped) out[s.line.id] = s.recording.id;
    return out;
  }

  /** Deletes every recording made on this page (the parent's "delete now"). */
  async deleteAll(): Promise<ApiError[]> {
    const failures: ApiError[] = [];
    for (const id of this.made) {
      try {
        await request('DELETE', `/api/recordings/${encodeURIComponent(id)}`);
      } catch (err) {
        const e = asApiError(err);
        if (!['NOT_FOUND', 'RECORDING_NOT_FOUND'].includes(e.code)) failures.push(e);
      }
    }
    if (failures.length === 0) this.made.clear();
    await this.setStory(null);
    return failures;
  }

  // ------------------------------------------------------------------ one line

  private text(line: Line): string {
    return line.text[lang()] ?? line.text[this.defaultLanguage] ?? Object.values(line.text)[0] ?? '';
  }

  private draw(s: LineState, extra?: Node): void {
    const n = this.lines.indexOf(s) + 1;
    const slot = s.line.to - s.line.from;
    const head = h(
      'p',
      { class: 'rl-meta' },
      tx(h('span', {}), 'record.line', { n, total: this.lines.length }),
      ' · ',
      tx(h('span', {}), 'record.slot', { s: slot.toFixed(1) }),
    );
    const text = h('p', { class: 'rl-text', lang: s.line.text[lang()] ? lang() : this.defaultLanguage }, this.text(s.line));
    const actions = h('div', { class: 'rl-actions' });
    if (!s.busy) {
      actions.append(
        tx(
          h('button', { type: 'button', class: 'btn btn-primary rl-record', onclick: () => void this.record(s) }),
          s.recording ? 'record.again' : 'record.start',
        ),
        this.uploadButton(s),
      );
      if (s.recording || !s.skipped)
        actions.append(
          tx(h('button', { type: 'button', class: 'btn btn-ghost rl-skip', onclick: () => this.skip(s) }), s.recording ? 'record.remove' : 'record.skip'),
        );
    }
    const result = h('div', { class: 'rl-result', 'aria-live': 'polite' });
    if (s.recording && !s.skipped) {
      result.append(
        tx(h('p', { class: 'rl-ready' }), 'record.ready'),
        h('audio', { class: 'rl-audio', controls: true, preload: 'auto', src: s.recording.audioUrl }),
      );
    } else if (s.skipped) result.append(tx(h('p', { class: 'rl-skipped' }), 'record.skipped'));
    s.el.dataset.state = s.busy ? 'busy' : s.recording && !s.skipped ? 'recorded' : s.skipped ? 'skipped' : 'empty';
    s.el.replaceChildren(head, text, actions, result, ...(extra ? [extra] : []));
  }

  private uploadButton(s: LineState): HTMLElement {
    const input = h('input', { type: 'file', accept: 'audio/*,.wav,.webm,.ogg,.m4a,.mp4', class: 'rl-file', hidden: true }) as HTMLInputElement;
    input.addEventListener('change', () => {
      const file = input.files?.[0];
      if (file) void this.send(s, file);
    });
    const label = tx(h('button', { type: 'button', class: 'btn btn-secondary rl-upload', onclick: () => input.click() }), 'record.upload');
    return h('span', {}, label, input);
  }

  private skip(s: LineState): void {
    s.skipped = true;
    if (s.recording) {
      const id = s.recording.id;
      s.recording = null;
      void request('DELETE', `/api/recordings/${encodeURIComponent(id)}`).then(
        () => this.made.delete(id),
        () => undefined,
      );
    }
    this.draw(s);
  }

  /** Count-in, then record for the slot (the bar) and a little after; then send the take. */
  private async record(s: LineState): Promise<void> {
    if (s.busy) return;
    s.busy = true;
    s.skipped = false;
    const slot = s.line.to - s.line.from;
    const stage = h('div', { class: 'rl-stage' });
    this.draw(s, stage);
    try {
      if (!navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') throw new ApiError('NO_MICROPHONE', 0, 'no recorder');
      // The only place the page asks for the microphone.
      this.stream = await navigator.mediaDevices
        .getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: true } })
        .catch(() => {
          throw new ApiError('MIC_DENIED', 0, 'microphone denied');
        });
      const mimeType = ['audio/webm;codecs=opus', 'audio/ogg;codecs=opus', 'audio/mp4', 'audio/webm'].find((m) => MediaRecorder.isTypeSupported(m));
      for (let k = COUNT_IN; k > 0; k--) {
        stage.replaceChildren(tx(h('p', { class: 'rl-ready-label' }), 'record.countIn'), h('p', { class: 'rl-count', 'aria-live': 'assertive' }, String(k)));
        await sleep(1000);
      }
      const chunks: Blob[] = [];
      const recorder = new MediaRecorder(this.stream, mimeType ? { mimeType } : undefined);
      recorder.ondataavailable = (e) => e.data.size && chunks.push(e.data);
      const stopped = new Promise<void>((resolve) => (recorder.onstop = () => resolve()));
      const fill = h('span', { class: 'rl-bar-fill' });
      const bar = h('div', { class: 'rl-bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100 }, fill);
      const stop = tx(
        h('button', { type: 'button', class: 'btn btn-secondary rl-stop', onclick: () => recorder.state === 'recording' && recorder.stop() }),
        'record.stop',
      );
      stage.replaceChildren(tx(h('p', { class: 'rl-speak' }), 'record.speak'), bar, stop);
      recorder.start();
      const started = performance.now();
      const tick = () => {
        const f = Math.min(1, (performance.now() - started) / 1000 / slot);
        fill.style.width = `${(f * 100).toFixed(1)}%`;
        bar.setAttribute('aria-valuenow', String(Math.round(f * 100)));
        if (recorder.state === 'recording') requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const timer = window.setTimeout(() => recorder.state === 'recording' && recorder.stop(), (slot + AFTER_BAR_SECONDS) * 1000);
      await stopped;
      window.clearTimeout(timer);
      this.closeMicrophone();
      s.busy = false;
      await this.send(s, new Blob(chunks, { type: recorder.mimeType || mimeType || 'audio/webm' }));
    } catch (err) {
      this.closeMicrophone();
      s.busy = false;
      this.showError(s, asApiError(err));
    }
  }

  private closeMicrophone(): void {
    this.stream?.getTracks().forEach((t) => t.stop());
    this.stream = null;
  }

  /** Sends a take or a file; the server checks it and fits it to the slot. */
  private async send(s: LineState, audio: Blob): Promise<void> {
    if (!this.storyId) return;
    s.busy = true;
    this.draw(s, tx(h('p', { class: 'rl-working' }), 'record.working'));
    const form = new FormData();
    const ext = audio.type.includes('ogg') ? 'ogg' : audio.type.includes('mp4') ? 'm4a' : audio.type.includes('wav') ? 'wav' : 'webm';
    form.append('audio', audio, audio instanceof File ? audio.name : `line.${ext}`);
    try {
      const res = await fetch(`/api/stories/${encodeURIComponent(this.storyId)}/lines/${encodeURIComponent(s.line.id)}/recordings`, {
        method: 'POST',
        body: form,
        headers: { Accept: 'application/json' },
        credentials: 'same-origin',
      });
      const body = await res.json().catch(() => ({}));
      if (!res.ok)
        throw Object.assign(new ApiError(body?.error?.code ?? 'UNKNOWN', res.status, body?.error?.message ?? `HTTP ${res.status}`), {
          details: body?.error ?? {},
        });
      const old = s.recording;
      s.recording = body as Recording;
      this.made.add(s.recording.id);
      if (old)
        void request('DELETE', `/api/recordings/${encodeURIComponent(old.id)}`).then(
          () => this.made.delete(old.id),
          () => undefined,
        );
      s.busy = false;
      this.draw(s);
    } catch (err) {
      s.busy = false;
      this.showError(s, asApiError(err), (err as { details?: Record<string, number> }).details);
    }
  }

  private showError(s: LineState, e: ApiError, details?: Record<string, number>): void {
    const extra = h('div', { class: 'rl-error' }, errorBox(e));
    if ((e.code === 'READ_FASTER' || e.code === 'READ_SLOWER') && details?.recordedSeconds && details?.slotSeconds) {
      // Their length against the slot, as two bars on one scale.
      const max = Math.max(details.recordedSeconds, details.slotSeconds);
      extra.append(
        tx(h('p', { class: 'rl-lengths' }), 'record.lengths', { rec: details.recordedSeconds.toFixed(1), slot: details.slotSeconds.toFixed(1) }),
        h(
          'div',
          { class: 'rl-compare' },
          h('span', { class: 'rl-compare-rec', style: `width:${((details.recordedSeconds / max) * 100).toFixed(1)}%` }),
          h('span', { class: 'rl-compare-slot', style: `width:${((details.slotSeconds / max) * 100).toFixed(1)}%` }),
        ),
      );
    }
    this.draw(s, extra);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => window.setTimeout(resolve, ms));
}

/** Builds the step (hidden until a story with lines is chosen) and puts it before `before`. */
export function mountRecordLines(before: Element): RecordLines {
  const body = h('div', { class: 'step-body rl-body', id: 'record-body' });
  const section = h(
    'li',
    { class: 'step is-active rl-step', id: 'step-record', hidden: true },
    h(
      'section',
      { 'aria-labelledby': 'step-record-title' },
      h(
        'header',
        { class: 'step-head' },
        h('span', { class: 'step-num', 'aria-hidden': 'true' }, '♪'),
        h('div', {}, tx(h('p', { class: 'step-label' }), 'record.optional'), tx(h('h2', { id: 'step-record-title', tabindex: '-1' }), 'record.title')),
      ),
      tx(h('p', { class: 'step-hint' }), 'record.hint'),
      body,
    ),
  );
  before.before(section);
  return new RecordLines(section, body);
}
