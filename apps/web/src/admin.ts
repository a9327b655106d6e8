// The admin page: a bearer token typed by the admin (kept in sessionStorage only), the story list
// with precompute progress (polled while anything is being precomputed), the upload form, and the
// sampled frames of a story with each role's box drawn over the image.
import './styles.css';
import { AdminStory, ApiError, asApiError, request, StorySample, upload } from './api';
import { $, announce, errorBox, fatal, h } from './dom';
import { hasKey, MessageKey, setupLanguageToggle, t, tattr, tx } from './i18n';
// The precompute's own validator (pure TypeScript, no Node): the admin sees the same problems before uploading.
import { InvalidMasksError, parseMasksFile } from '../../../libs/precompute/src/masks-file';
import { InvalidLinesError, parseLinesFile, StoryLines } from '../../../libs/voice/src/lines-file';

const TOKEN_KEY = 'talecast.adminToken';
const POLL_MS = 2000;
const ROLE_COLOURS = ['#f4b942', '#4fd1c5', '#f472b6', '#a3e635', '#60a5fa'];

const els = {
  tokenPanel: $('#token-panel'),
  tokenForm: $<HTMLFormElement>('#token-form'),
  tokenInput: $<HTMLInputElement>('#token-input'),
  tokenMessage: $('#token-message'),
  content: $('#admin-content'),
  signOut: $<HTMLButtonElement>('#sign-out'),
  refresh: $<HTMLButtonElement>('#refresh'),
  stories: $('#stories'),
  storiesError: $('#stories-error'),
  uploadForm: $<HTMLFormElement>('#upload-form'),
  uploadSubmit: $<HTMLButtonElement>('#upload-submit'),
  uploadStatus: $('#upload-status'),
  uploadError: $('#upload-error'),
};

let pollTimer: number | undefined;
let loading = false;
/** Opened sample panels survive the list being redrawn by polling. */
const samplePanels = new Map<string, HTMLElement>();
const sampleImageUrls: string[] = [];

function token(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function setToken(value: string | null): void {
  try {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage blocked: the token lives only as long as this page
  }
  memoryToken = value;
}
let memoryToken: string | null = token();

function showTokenForm(messageKey: MessageKey | null): void {
  window.clearTimeout(pollTimer);
  els.content.hidden = true;
  els.signOut.hidden = true;
  els.tokenPanel.hidden = false;
  els.tokenMessage.replaceChildren();
  if (messageKey) {
    els.tokenMessage.append(
      h(
        'div',
        { class: 'notice notice-error', role: 'alert' },
        h('span', { class: 'notice-icon', 'aria-hidden': 'true' }, '!'),
        h('div', { class: 'notice-body' }, tx(h('p', { class: 'notice-text' }), messageKey)),
      ),
    );
  }
  els.tokenInput.focus();
}

function showContent(): void {
  els.tokenPanel.hidden = true;
  els.content.hidden = false;
  els.signOut.hidden = false;
}

function authFailure(err: ApiError): boolean {
  if (err.code === 'UNAUTHORIZED' || err.status === 401) {
    setToken(null);
    showTokenForm('admin.needToken');
    return true;
  }
  if (err.code === 'FORBIDDEN' || err.status === 403) {
    setToken(null);
    showTokenForm('admin.badToken');
    return true;
  }
  return false;
}

// ---------------------------------------------------------------- story list

async function loadStories(): Promise<void> {
  window.clearTimeout(pollTimer);
  if (loading) return;
  loading = true;
  try {
    const { stories } = await request<{ stories: AdminStory[] }>('GET', '/api/admin/stories', { token: memoryToken });
    showContent();
    els.storiesError.replaceChildren();
    renderStories(stories);
    noteWhenDone(stories);
    if (stories.some((s) => s.status === 'pending' || s.status === 'precomputing')) pollTimer = window.setTimeout(() => void loadStories(), POLL_MS);
  } catch (err) {
    const e = asApiError(err);
    if (!authFailure(e)) {
      els.storiesError.replaceChildren(errorBox(e, () => void loadStories()));
      pollTimer = window.setTimeout(() => void loadStories(), POLL_MS * 5);
    }
  } finally {
    loading = false;
  }
}

/** The story uploaded last: its "Precomputing…" note is replaced once it is ready (or failed). */
let awaitingStory: string | null = null;

function noteWhenDone(stories: AdminStory[]): void {
  const s = awaitingStory ? stories.find((x) => x.id === awaitingStory) : undefined;
  if (!s || (s.status !== 'ready' && s.status !== 'failed')) return;
  tx(els.uploadStatus, s.status === 'ready' ? 'admin.readyNote' : 'admin.failedNote', { id: s.id });
  announce(t(s.status === 'ready' ? 'admin.readyNote' : 'admin.failedNote', { id: s.id }));
  awaitingStory = null;
}

function renderStories(stories: AdminStory[]): void {
  if (stories.length === 0) {
    els.stories.replaceChildren(tx(h('p', { class: 'empty' }), 'admin.empty'));
    return;
  }
  els.stories.replaceChildren(...stories.map(storyCard));
}

function statusKey(status: string): MessageKey {
  const key = `admin.status.${status}`;
  return hasKey(key) ? key : 'admin.status.pending';
}

function storyCard(s: AdminStory): HTMLElement {
  const card = h('article', { class: 'admin-story', 'data-story-id': s.id, 'data-status': s.status, 'aria-labelledby': `s-${s.id}-title` });
  const thumb = s.thumbnailUrl
    ? tattr(h('img', { class: 'admin-thumb', src: s.thumbnailUrl, width: 192, height: 108, loading: 'lazy' }), 'alt', 'story.thumbAlt', { title: s.title })
    : h('div', { class: 'admin-thumb admin-thumb-empty', 'aria-hidden': 'true' }, '✦');
  const head = h(
    'div',
    { class: 'admin-story-head' },
    h(
      'div',
      {},
      h('h3', { id: `s-${s.id}-title`, class: 'admin-story-title' }, s.title || s.id),
      h('p', { class: 'admin-story-id' }, h('code', {}, s.id), ' · ', s.style),
    ),
    tx(h('span', { class: `badge badge-${s.status}` }), statusKey(s.status)),
  );
  const body = h('div', { class: 'admin-story-body' }, head);
  if (s.status === 'precomputing' || s.status === 'pending') {
    const pct = Math.round((s.progress ?? 0) * 100);
    const bar = h(
      'div',
      {
        class: 'progress progress-small',
        role: 'progressbar',
        'aria-valuemin': 0,
        'aria-valuemax': 100,
        'aria-valuenow': pct,
        'aria-labelledby': `s-${s.id}-title`,
      },
      h('div', { class: 'progress-fill', style: `width:${pct}%` }),
    );
    body.append(h('div', { class: 'admin-progress' }, bar, h('span', {}, `${pct}%`)));
  }
  const stats = h('dl', { class: 'admin-stats' });
  const stat = (key: MessageKey, value: string) => stats.append(h('div', {}, tx(h('dt'), key), h('dd', {}, value)));
  if (s.durationSeconds) stat('admin.duration', `${s.durationSeconds.toFixed(1)} s`);
  if (s.frameCount) stat('admin.frames', String(s.frameCount));
  if (s.segmentCount) stat('admin.segments', String(s.segmentCount));
  if (stats.childElementCount) body.append(stats);
  if (s.roles?.length) {
    const roles = h('ul', { class: 'admin-roles' });
    s.roles.forEach((r, i) =>
      roles.append(
        h(
          'li',
          { 'data-role': r.name },
          h('span', { class: 'role-swatch', style: `background:${ROLE_COLOURS[i % ROLE_COLOURS.length]}`, 'aria-hidden': 'true' }),
          h('strong', {}, r.name),
          ' ',
          s.frameCount
            ? tx(h('span', { class: 'role-frames' }), 'admin.roleFrames', { n: r.faceFrames, total: s.frameCount })
            : h('span', { class: 'role-frames' }, String(r.faceFrames)),
        ),
      ),
    );
    body.append(h('div', { class: 'admin-block' }, tx(h('h4'), 'admin.roles'), roles));
  }
  if (s.warnings?.length) {
    const ul = h('ul', { class: 'admin-warnings' });
    for (const w of s.warnings) ul.append(h('li', {}, w));
    body.append(h('div', { class: 'admin-block' }, tx(h('h4'), 'admin.warnings'), ul));
  }
  if (s.error)
    body.append(
      h(
        'div',
        { class: 'notice notice-error' },
        h('span', { class: 'notice-icon', 'aria-hidden': 'true' }, '!'),
        h('div', { class: 'notice-body' }, tx(h('p', { class: 'notice-title' }), 'admin.error'), h('p', {}, s.error)),
      ),
    );
  const actions = h('div', { class: 'admin-actions' });
  if (s.status === 'ready') {
    const open = samplePanels.has(s.id);
    const button = tx(
      h('button', { type: 'button', class: 'btn btn-secondary btn-small', 'aria-expanded': open ? 'true' : 'false', 'aria-controls': `samples-${s.id}` }),
      open ? 'admin.hideSamples' : 'admin.samples',
    );
    button.addEventListener('click', () => toggleSamples(s, button, card));
    actions.append(button, storyAction(s, 'unpublish', 'admin.unpublish'));
  }
  if (s.status === 'unpublished') actions.append(storyAction(s, 'publish', 'admin.publish'));
  if (s.status !== 'precomputing' && s.status !== 'pending') actions.append(storyAction(s, 'delete', 'admin.delete'));
  if (actions.childElementCount) body.append(actions);
  card.append(thumb, body);
  const panel = samplePanels.get(s.id);
  if (panel) card.append(panel);
  return card;
}

/** Unpublish, publish again or delete a story (delete asks first); the list reloads after. */
function storyAction(s: AdminStory, action: 'unpublish' | 'publish' | 'delete', label: MessageKey): HTMLButtonElement {
  const button = tx(
    h('button', { type: 'button', class: `btn btn-small ${action === 'delete' ? 'btn-danger' : 'btn-secondary'}`, 'data-action': action }),
    label,
  );
  button.addEventListener('click', async () => {
    if (action === 'delete' && !window.confirm(t('admin.deleteConfirm', { id: s.id }))) return;
    button.disabled = true;
    try {
      const url = `/api/admin/stories/${encodeURIComponent(s.id)}${action === 'delete' ? '' : `/${action}`}`;
      await request(action === 'delete' ? 'DELETE' : 'POST', url, { token: memoryToken });
      announce(t(action === 'delete' ? 'admin.deleted' : action === 'publish' ? 'admin.published' : 'admin.unpublished', { id: s.id }));
      samplePanels.delete(s.id);
      await loadStories();
    } catch (err) {
      const e = asApiError(err);
      if (!authFailure(e)) els.storiesError.replaceChildren(errorBox(e));
      button.disabled = false;
    }
  });
  return button;
}

function toggleSamples(s: AdminStory, button: HTMLButtonElement, card: HTMLElement): void {
  const existing = samplePanels.get(s.id);
  if (existing) {
    existing.remove();
    samplePanels.delete(s.id);
    button.setAttribute('aria-expanded', 'false');
    tx(button, 'admin.samples');
    return;
  }
  const panel = h('section', { class: 'samples', id: `samples-${s.id}`, 'aria-label': t('admin.samplesTitle') });
  tattr(panel, 'aria-label', 'admin.samplesTitle');
  panel.append(tx(h('h4'), 'admin.samplesTitle'), tx(h('p', { class: 'loading' }), 'loading'));
  samplePanels.set(s.id, panel);
  card.append(panel);
  button.setAttribute('aria-expanded', 'true');
  tx(button, 'admin.hideSamples');
  void loadSamples(s.id, panel);
}

async function loadSamples(id: string, panel: HTMLElement): Promise<void> {
  const title = tx(h('h4'), 'admin.samplesTitle');
  try {
    const { samples } = await request<{ samples: StorySample[] }>('GET', `/api/admin/stories/${encodeURIComponent(id)}/samples`, { token: memoryToken });
    if (!samples.length) {
      panel.replaceChildren(title, tx(h('p', { class: 'empty' }), 'admin.samplesNone'));
      return;
    }
    const roleNames = [...new Set(samples.flatMap((s) => s.boxes.map((b) => b.role)))];
    const grid = h('div', { class: 'sample-grid' });
    for (const sample of samples) grid.append(sampleFigure(sample, roleNames));
    panel.replaceChildren(title, grid);
  } catch (err) {
    const e = asApiError(err);
    if (authFailure(e)) return;
    if (e.status === 404 && e.code === 'NOT_FOUND') panel.replaceChildren(title, tx(h('p', { class: 'empty' }), 'admin.samplesMissing'));
    else
      panel.replaceChildren(
        title,
        errorBox(e, () => void loadSamples(id, panel)),
      );
  }
}

/** One sampled frame: the image (fetched with the token) and each role's box drawn over it. */
function sampleFigure(sample: StorySample, roleNames: string[]): HTMLElement {
  const frame = h('div', { class: 'sample-frame' });
  const img = tattr(h('img', { class: 'sample-image', width: 320, height: 180 }), 'alt', 'admin.sampleAlt', { frame: sample.frame, t: sample.time.toFixed(2) });
  frame.append(img);
  void loadImage(sample.imageUrl).then((url) => {
    if (url) img.src = url;
  });
  for (const b of sample.boxes) {
    const [x, y, w, hh] = b.box;
    const colour = ROLE_COLOURS[Math.max(0, roleNames.indexOf(b.role)) % ROLE_COLOURS.length];
    frame.append(
      h(
        'div',
        {
          class: 'sample-box',
          'data-role': b.role,
          style: `left:${x * 100}%;top:${y * 100}%;width:${w * 100}%;height:${hh * 100}%;border-color:${colour}`,
        },
        h('span', { class: 'sample-box-label', style: `background:${colour}` }, b.role),
      ),
    );
  }
  // The hero's outline (jaw and brows from its landmarks) drawn over the frame, one colour per role.
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 1 1');
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('class', 'sample-outlines');
  svg.setAttribute('aria-hidden', 'true');
  for (const b of sample.boxes) {
    if (!b.outline?.length) continue;
    const line = document.createElementNS('http://www.w3.org/2000/svg', 'polygon');
    line.setAttribute(
      'points',
      b.outline
        .map((v, i) => (i % 2 ? `${v} ` : `${v},`))
        .join('')
        .trim(),
    );
    line.setAttribute('data-role', b.role);
    line.setAttribute('class', 'sample-outline');
    line.setAttribute('stroke', ROLE_COLOURS[Math.max(0, roleNames.indexOf(b.role)) % ROLE_COLOURS.length]);
    svg.append(line);
  }
  frame.append(svg);
  const caption = h('figcaption', {}, `#${sample.frame} · ${sample.time.toFixed(2)} s`);
  if (sample.boxes.length === 0) caption.append(' · ', tx(h('span'), 'admin.noBox'));
  return h('figure', { class: 'sample', 'data-frame': sample.frame, 'data-boxes': sample.boxes.length }, frame, caption);
}

async function loadImage(url: string): Promise<string | null> {
  try {
    const res = await fetch(url, { headers: memoryToken ? { Authorization: `Bearer ${memoryToken}` } : {}, credentials: 'same-origin' });
    if (!res.ok) return null;
    const objectUrl = URL.createObjectURL(await res.blob());
    sampleImageUrls.push(objectUrl);
    return objectUrl;
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- upload

/** Lists a chosen file's problems under it (or clears them); true when there are none. */
function showProblems(input: HTMLInputElement, box: HTMLElement, problems: string[], titleKey: MessageKey, kind: string): boolean {
  box.replaceChildren();
  input.removeAttribute('aria-invalid');
  if (problems.length === 0) return true;
  input.setAttribute('aria-invalid', 'true');
  box.replaceChildren(
    h(
      'div',
      { class: 'notice notice-error', role: 'alert', [`data-${kind}-invalid`]: 'true' },
      h('span', { class: 'notice-icon', 'aria-hidden': 'true' }, '!'),
      h(
        'div',
        { class: 'notice-body' },
        tx(h('p', { class: 'notice-text' }), titleKey),
        h('ul', { class: 'masks-problem-list' }, ...problems.map((p) => h('li', {}, p))),
      ),
    ),
  );
  return false;
}

/** The masks file's roles, or null (no file, or not valid). */
let maskRoles: string[] | null = null;

/**
 * Checks the chosen masks file with the same validator the precompute uses (libs/precompute
 * masks-file.ts, pure) and lists every problem by field; true when the file is valid.
 */
async function checkMasks(): Promise<boolean> {
  const input = $<HTMLInputElement>('#f-masks');
  const file = input.files?.[0];
  maskRoles = null;
  if (!file) return showProblems(input, $('#masks-problems'), [], 'admin.masksInvalid', 'masks') && false;
  let problems: string[] = [];
  try {
    maskRoles = Object.keys(parseMasksFile(await file.text()).roles);
  } catch (err) {
    problems = err instanceof InvalidMasksError ? err.problems : [(err as Error).message];
  }
  return showProblems(input, $('#masks-problems'), problems, 'admin.masksInvalid', 'masks');
}

/** The chosen lines file, parsed (null: none chosen, or not valid). */
let chosenLines: StoryLines | null = null;

/**
 * Checks the chosen lines file with the precompute's own parser (libs/voice lines-file.ts, pure)
 * against the masks' roles and the video's length, and offers one stem field per role that
 * speaks; true when there is no lines file or it is valid.
 */
async function checkLines(): Promise<boolean> {
  const input = $<HTMLInputElement>('#f-lines');
  const file = input.files?.[0];
  chosenLines = null;
  if (!file) {
    showStemFields([]);
    return showProblems(input, $('#lines-problems'), [], 'admin.linesInvalid', 'lines');
  }
  let problems: string[] = [];
  try {
    const text = await file.text();
    // Without a valid masks file the roles cannot be checked yet: its own problems are shown.
    chosenLines = parseLinesFile(text, maskRoles ?? rolesNamedIn(text), await videoSeconds());
  } catch (err) {
    problems = err instanceof InvalidLinesError ? err.problems : [(err as Error).message];
  }
  showStemFields(chosenLines ? [...new Set([...chosenLines.lines.map((l) => l.role), ...Object.keys(chosenLines.stems)])] : []);
  return showProblems(input, $('#lines-problems'), problems, 'admin.linesInvalid', 'lines');
}

function rolesNamedIn(text: string): string[] {
  try {
    const lines = (JSON.parse(text) as { lines?: { role?: unknown }[] }).lines;
    return Array.isArray(lines) ? lines.map((l) => String(l?.role)) : [];
  } catch {
    return [];
  }
}

/** The chosen video's length as the browser reads it (undefined when it cannot). */
async function videoSeconds(): Promise<number | undefined> {
  const file = $<HTMLInputElement>('#f-video').files?.[0];
  if (!file) return undefined;
  const url = URL.createObjectURL(file);
  try {
    return await new Promise<number | undefined>((resolve) => {
      const v = document.createElement('video');
      v.preload = 'metadata';
      v.onloadedmetadata = () => resolve(Number.isFinite(v.duration) ? v.duration : undefined);
      v.onerror = () => resolve(undefined);
      window.setTimeout(() => resolve(undefined), 3000);
      v.src = url;
    });
  } finally {
    URL.revokeObjectURL(url);
  }
}

/** One optional file field `stem.<role>` per speaking role (chosen files kept when the role stays). */
function showStemFields(roles: string[]): void {
  const box = $('#stems');
  const kept = new Map([...box.querySelectorAll<HTMLElement>('[data-stem-role]')].map((el) => [el.dataset.stemRole!, el]));
  box.replaceChildren(
    ...roles.map((role) => {
      const existing = kept.get(role);
      if (existing) return existing;
      const id = `f-stem-${role}`;
      const input = h('input', {
        id,
        name: `stem.${role}`,
        type: 'file',
        accept: 'audio/*,.wav,.flac,.mp3,.m4a,.ogg,.opus',
        'aria-describedby': `${id}-problems`,
      });
      input.addEventListener('change', () => void checkStem(role));
      return h(
        'div',
        { class: 'field field-stem', 'data-stem-role': role },
        tx(h('label', { for: id }), 'admin.stem', { role }),
        input,
        h('div', { id: `${id}-problems`, class: 'masks-problems' }),
      );
    }),
  );
}

/**
 * A stem named by the lines file must be chosen; a chosen one must decode as audio here and last
 * to its role's last line (the server checks the same with ffmpeg). True when it is fine.
 */
async function checkStem(role: string): Promise<boolean> {
  const input = document.getElementById(`f-stem-${role}`) as HTMLInputElement | null;
  const box = document.getElementById(`f-stem-${role}-problems`);
  if (!input || !box || !chosenLines) return true;
  const file = input.files?.[0];
  const problems: string[] = [];
  if (!file) {
    if (chosenLines.stems[role]) problems.push(`stems.${role} names “${chosenLines.stems[role]}”: choose that file here`);
  } else if (file.size <= 64 * 1024 * 1024) {
    // Larger stems are left to the server's check (decoding them here would take a lot of memory).
    const seconds = await audioSeconds(file);
    const last = chosenLines.lines.filter((l) => l.role === role).reduce((end, l) => Math.max(end, l.to), 0);
    if (seconds === null) problems.push('not an audio file');
    else if (seconds + 0.05 < last)
      problems.push(`ends at ${seconds.toFixed(2)} s, before its role's last line ends (${last.toFixed(2)} s); a stem runs along the whole story`);
  }
  return showProblems(input, box, problems, 'admin.stemInvalid', 'stem');
}

async function audioSeconds(file: File): Promise<number | null> {
  const context = new OfflineAudioContext(1, 1, 48000);
  try {
    return (await context.decodeAudioData(await file.arrayBuffer())).duration;
  } catch {
    return null;
  }
}

/** A refusal of the server that names a field: shown under that field, as the browser's own checks are. */
function showServerProblem(e: ApiError): boolean {
  const [, field = '', problem = e.message] = /^the field "([^"]+)": ([\s\S]*)$/.exec(e.message) ?? [];
  if (e.code === 'INVALID_MASKS') return !showProblems($<HTMLInputElement>('#f-masks'), $('#masks-problems'), [problem], 'admin.masksInvalid', 'masks');
  if (e.code === 'INVALID_LINES') return !showProblems($<HTMLInputElement>('#f-lines'), $('#lines-problems'), [problem], 'admin.linesInvalid', 'lines');
  const role = /^stem\.(.+)$/.exec(field)?.[1];
  const input = document.getElementById(`f-stem-${role}`) as HTMLInputElement | null;
  const box = document.getElementById(`f-stem-${role}-problems`);
  if (e.code === 'INVALID_STEM' && input && box) return !showProblems(input, box, [problem], 'admin.stemInvalid', 'stem');
  return false;
}

async function submitUpload(e: SubmitEvent): Promise<void> {
  e.preventDefault();
  els.uploadError.replaceChildren();
  const form = els.uploadForm;
  if (!form.checkValidity()) {
    form.reportValidity();
    return;
  }
  if (!(await checkMasks())) {
    $<HTMLInputElement>('#f-masks').focus();
    return;
  }
  if (!(await checkLines())) {
    $<HTMLInputElement>('#f-lines').focus();
    return;
  }
  for (const el of document.querySelectorAll<HTMLElement>('[data-stem-role]'))
    if (!(await checkStem(el.dataset.stemRole!))) {
      el.querySelector('input')?.focus();
      return;
    }
  const data = new FormData(form);
  const storyId = String(data.get('storyId') ?? '');
  const body = new FormData();
  // Text fields first: multer sees them before the (large) video arrives.
  body.append('storyId', storyId);
  if (data.get('title')) body.append('title', String(data.get('title')));
  body.append('style', String(data.get('style') ?? 'photo'));
  body.append('masks', data.get('masks') as File);
  const lines = data.get('lines');
  if (lines instanceof File && lines.size > 0) {
    body.append('lines', lines);
    for (const [name, value] of data.entries()) if (name.startsWith('stem.') && value instanceof File && value.size > 0) body.append(name, value);
  }
  body.append('video', data.get('video') as File);
  els.uploadSubmit.disabled = true;
  try {
    await upload<{ id: string }>('/api/admin/stories', body, {
      token: memoryToken,
      onProgress: (f) => tx(els.uploadStatus, 'admin.uploading', { p: Math.round(f * 100) }),
    });
    tx(els.uploadStatus, 'admin.accepted', { id: storyId });
    announce(t('admin.accepted', { id: storyId }));
    awaitingStory = storyId;
    form.reset();
    chosenLines = null;
    showStemFields([]);
    void loadStories();
  } catch (err) {
    const e2 = asApiError(err);
    els.uploadStatus.textContent = '';
    if (!authFailure(e2) && !showServerProblem(e2)) els.uploadError.replaceChildren(errorBox(e2));
  } finally {
    els.uploadSubmit.disabled = false;
  }
}

// ---------------------------------------------------------------- start

function start(): void {
  setupLanguageToggle($<HTMLButtonElement>('#lang-toggle'));
  els.tokenForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const value = els.tokenInput.value.trim();
    if (!value) {
      showTokenForm('admin.needToken');
      return;
    }
    setToken(value);
    els.tokenInput.value = '';
    void loadStories();
  });
  els.signOut.addEventListener('click', () => {
    setToken(null);
    samplePanels.clear();
    for (const u of sampleImageUrls.splice(0)) URL.revokeObjectURL(u);
    els.stories.replaceChildren();
    showTokenForm(null);
  });
  els.refresh.addEventListener('click', () => void loadStories());
  els.uploadForm.addEventListener('submit', (e) => void submitUpload(e));
  $<HTMLInputElement>('#f-masks').addEventListener('change', () => void checkMasks().then(() => checkLines()));
  $<HTMLInputElement>('#f-lines').addEventListener('change', () => void checkLines());
  if (memoryToken) void loadStories();
  else showTokenForm(null);
}

try {
  start();
} catch (err) {
  fatal(err);
}
