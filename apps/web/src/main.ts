// The parents' page: 1 pick a story, 2 add the child's photo(s) (after a one-time consent), 3 make
// the video (live progress, play while rendering, download), 4 keep or delete. Plain TypeScript
// over the HTTP API; all words come from the dictionaries in i18n.ts. The page keeps the ids of
// everything it created so "delete now" can remove the video and every photo it used. Once a
// render starts, the address becomes its private link (/v/<id>), which reopens that render's page
// after a reload or on another device; "My videos" lists this browser's renders (my-videos.ts).
import './styles.css';
import { api, ApiError, asApiError, FaceUpload, RenderCreated, RenderInfo, RenderProgress, Story } from './api';
import { giveConsent, hasConsent } from './consent';
import { findVideo, forgetVideo, listVideos, privateLink, privateLinkPath, saveVideo, tokenFromPath, updateVideo } from './my-videos';
import { $, announce, clear, errorBox, errorKey, fatal, h } from './dom';
import { hasKey, lang, MessageKey, onLangChange, setupLanguageToggle, t, tattr, tx } from './i18n';
import { StoryPlayer } from './player';
import { watchRender } from './render-watch';
import { mountRecordLines } from './record-lines';
import { retentionVars, txRetention } from './retention';

const MAX_FACES_PER_ROLE = 5;

interface FaceEntry {
  id: string;
  file: File;
  objectUrl: string;
  result: FaceUpload;
}

interface RoleState {
  name: string;
  faces: FaceEntry[];
  busy: boolean;
  error: ApiError | null;
}

interface RenderState {
  created: RenderCreated;
  faceIds: string[];
  last: RenderProgress | null;
  stopWatch: () => void;
  expiresAt: string | null;
  ended: boolean;
}

const state = {
  stories: [] as Story[],
  story: null as Story | null,
  roles: [] as RoleState[],
  render: null as RenderState | null,
  deleted: false,
};

const els = {
  storyBody: $('#story-body'),
  photoBody: $('#photo-body'),
  makeButton: $<HTMLButtonElement>('#make-button'),
  makeLocked: $('#make-locked'),
  makeError: $('#make-error'),
  render: $('#render'),
  renderState: $('#render-state'),
  renderPercent: $('#render-percent'),
  progress: $('#render-progress'),
  progressFill: $('#render-progress-fill'),
  eta: $('#render-eta'),
  parts: $('#render-parts'),
  trouble: $('#render-trouble'),
  renderError: $('#render-error'),
  video: $<HTMLVideoElement>('#video'),
  placeholder: $('#player-placeholder'),
  unmute: $<HTMLButtonElement>('#unmute'),
  playerNote: $('#player-note'),
  download: $<HTMLAnchorElement>('#download'),
  makeAnother: $<HTMLButtonElement>('#make-another'),
  keepUntil: $('#keep-until'),
  deleteButton: $<HTMLButtonElement>('#delete-button'),
  deleteResult: $('#delete-result'),
  deleteDialog: $<HTMLDialogElement>('#delete-dialog'),
  childName: $<HTMLInputElement>('#child-name'),
  share: $('#share'),
  shareUrl: $<HTMLInputElement>('#share-url'),
  copyLink: $<HTMLButtonElement>('#copy-link'),
  shareLink: $<HTMLButtonElement>('#share-link'),
  shareResult: $('#share-result'),
  myVideos: $('#my-videos'),
  myVideosList: $('#my-videos-list'),
};

// The optional step "Record your child's lines" (its own module), before "Make the video".
const recordLines = mountRecordLines($('#step-make'));

const player = new StoryPlayer(els.video, {
  onStreamFailed: () => {
    const render = state.render;
    if (!render) return;
    if (render.last?.status === 'done') {
      if (player.kind === 'mp4') els.renderError.replaceChildren(errorBox(new ApiError('PLAYBACK', 0, 'playback')));
      else void player.playMp4(api.mp4Url(render.created.id));
    } else {
      // The stream does not play in this browser: the finished MP4 will, in a moment.
      els.placeholder.hidden = false;
      tx(els.placeholder, 'player.afterDone');
      els.playerNote.hidden = true;
    }
  },
  onNeedsUnmute: () => (els.unmute.hidden = false),
});

// ---------------------------------------------------------------- step states

function setStep(id: string, mode: 'active' | 'done' | 'locked'): void {
  const li = $(`#${id}`);
  li.classList.toggle('is-active', mode === 'active');
  li.classList.toggle('is-done', mode === 'done');
  li.classList.toggle('is-locked', mode === 'locked');
  if (mode === 'locked') li.setAttribute('aria-disabled', 'true');
  else li.removeAttribute('aria-disabled');
}

function facesComplete(): boolean {
  return state.roles.length > 0 && state.roles.every((r) => r.faces.length > 0);
}

function refreshSteps(): void {
  const rendering = state.render !== null;
  setStep('step-story', state.story ? 'done' : 'active');
  setStep('step-photo', !state.story ? 'locked' : facesComplete() ? 'done' : 'active');
  setStep('step-make', !facesComplete() && !rendering ? 'locked' : state.render?.ended && state.render.last?.status === 'done' ? 'done' : 'active');
  setStep('step-keep', rendering ? 'active' : 'locked');
  const busy = state.roles.some((r) => r.busy);
  els.makeButton.hidden = rendering;
  els.makeButton.disabled = !facesComplete() || busy;
  els.makeLocked.hidden = facesComplete() || rendering;
  // The name is drawn on the video's title card: fixed once the video is asked for.
  els.childName.readOnly = rendering;
  tx(els.makeLocked, state.roles.length > 1 ? 'step3.lockedRoles' : 'step3.locked');
  // While a render exists the story and photos are fixed (and folded away); "make another" unlocks them.
  $('#step-story').classList.toggle('is-collapsed', rendering);
  if (rendering) document.querySelectorAll<HTMLVideoElement>('video[data-preview-clip]').forEach((v) => v.pause()); // folded away: no clip plays
  $('#step-photo').classList.toggle('is-collapsed', rendering);
  renderSummaries(rendering);
  document
    .querySelectorAll<HTMLInputElement | HTMLButtonElement>('#story-body input, #photo-body input, #photo-body button')
    .forEach((c) => (c.disabled = rendering || c.dataset.forceDisabled === 'true'));
}

/** One-line reminders of steps 1 and 2 while they are folded during a render. */
function renderSummaries(show: boolean): void {
  const story = $('#story-summary');
  const photos = $('#photo-summary');
  story.hidden = photos.hidden = !show || !state.story;
  if (story.hidden || !state.story) return;
  story.replaceChildren(
    state.story.thumbnailUrl ? h('img', { class: 'summary-thumb', src: state.story.thumbnailUrl, alt: '', width: 96, height: 54 }) : '',
    h('span', { class: 'summary-text' }, h('strong', {}, storyTitle(state.story)), ' · ', tx(h('span'), 'story.duration', { d: state.story.durationSeconds })),
  );
  const faces = state.roles.flatMap((r) => r.faces);
  // A render opened from its private link on another device has no photos on this page: no line.
  photos.hidden = faces.length === 0;
  photos.replaceChildren(
    h(
      'span',
      { class: 'summary-faces' },
      ...faces.map((f) => tattr(h('img', { class: 'summary-face', src: f.result.previewUrl, width: 48, height: 48 }), 'alt', 'face.previewAlt')),
    ),
    tx(h('span', { class: 'summary-text' }), 'summary.photos', { n: faces.length }),
  );
}

function focusStep(headingId: string): void {
  const heading = document.getElementById(headingId);
  if (!heading) return;
  heading.focus({ preventScroll: true });
  heading.closest('.step')?.scrollIntoView({ behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth', block: 'start' });
}

// ---------------------------------------------------------------- step 1: stories

async function loadStories(): Promise<void> {
  els.storyBody.replaceChildren(tx(h('p', { class: 'loading' }), 'loading'));
  try {
    const { stories } = await api.stories();
    state.stories = stories.filter((s) => s.status === 'ready' || s.status === undefined);
    renderStories();
  } catch (err) {
    els.storyBody.replaceChildren(errorBox(err, () => void loadStories()));
  }
}

function renderStories(): void {
  if (state.stories.length === 0) {
    els.storyBody.replaceChildren(tx(h('p', { class: 'empty' }), 'step1.empty'));
    return;
  }
  const list = h('div', { class: 'story-grid', role: 'radiogroup', 'aria-labelledby': 'step-story-title' });
  for (const story of state.stories) {
    const input = h('input', { type: 'radio', name: 'story', value: story.id, class: 'visually-hidden', id: `story-${story.id}` });
    input.checked = state.story?.id === story.id;
    input.addEventListener('change', () => chooseStory(story));
    const thumb = story.thumbnailUrl
      ? tattr(h('img', { src: story.thumbnailUrl, loading: 'lazy', decoding: 'async', width: 320, height: 180 }), 'alt', 'story.thumbAlt', {
          title: storyTitle(story),
        })
      : h('div', { class: 'story-thumb-empty', 'aria-hidden': 'true' }, '✦');
    const roles = story.roleCount ?? story.roles?.length ?? 1;
    const card = h(
      'label',
      { class: 'story-card', for: input.id, 'data-story-id': story.id },
      input,
      h('span', { class: 'story-thumb' }, thumb, tx(h('span', { class: 'story-chosen', 'aria-hidden': 'true' }), 'story.chosen')),
      h(
        'span',
        { class: 'story-text' },
        h('span', { class: 'story-title' }, storyTitle(story)),
        storyDescription(story) ? h('span', { class: 'story-desc' }, storyDescription(story)) : null,
        h(
          'span',
          { class: 'story-meta' },
          h('span', { class: 'meta-item' }, icon('clock'), tx(h('span'), 'story.duration', { d: story.durationSeconds })),
          h('span', { class: 'meta-item' }, icon('child'), tx(h('span'), 'story.children', { n: roles })),
          story.ages
            ? h('span', { class: 'meta-item', 'data-ages': story.ages.join('-') }, tx(h('span'), 'story.ages', { from: story.ages[0], to: story.ages[1] }))
            : null,
        ),
      ),
    );
    if (story.previewUrl) {
      // A few seconds of the story, silent, looping, over the thumbnail: plays while the pointer is
      // on the card and once the story is chosen (phones have no hover); never with sound.
      const clip = tattr(
        h('video', {
          class: 'story-preview-video',
          src: story.previewUrl,
          muted: true,
          loop: true,
          playsinline: true,
          preload: 'none',
          'data-preview-clip': story.id,
        }),
        'aria-label',
        'story.previewLabel',
        { title: storyTitle(story) },
      );
      clip.muted = true;
      const play = () => void clip.play().catch(() => undefined);
      clip.addEventListener('playing', () => clip.classList.add('is-playing'));
      clip.addEventListener('pause', () => clip.classList.remove('is-playing'));
      card.addEventListener('mouseenter', play);
      card.addEventListener('mouseleave', () => {
        if (!input.checked) clip.pause();
      });
      input.addEventListener('change', play);
      const thumbBox = card.querySelector('.story-thumb');
      thumbBox?.insertBefore(clip, thumbBox.querySelector('.story-chosen')); // under the "chosen" badge
    }
    list.append(card);
  }
  els.storyBody.replaceChildren(list);
  refreshSteps();
}

/** The story's words in the page's language, else its default language, else the admin's title. */
function storyTitle(story: Story): string {
  return story.titles?.[lang()] ?? story.titles?.[story.defaultLanguage ?? ''] ?? story.title;
}

function storyDescription(story: Story): string {
  return story.descriptions?.[lang()] ?? story.descriptions?.[story.defaultLanguage ?? ''] ?? '';
}

function chooseStory(story: Story): void {
  if (state.render) return;
  if (state.deleted) {
    state.deleted = false;
    $('#page-notice').replaceChildren();
  }
  const previous = state.roles;
  state.story = story;
  void recordLines.setStory(story.id);
  const names = story.roles?.length ? story.roles.map((r) => r.name) : ['hero'];
  // Keep photos already added: same role name first, then by order; photos of roles the new story
  // does not have are deleted (they are a child's photos; nothing is kept without a use).
  const byName = new Map(previous.map((r) => [r.name, r]));
  const next: RoleState[] = names.map((name) => byName.get(name) ?? { name, faces: [], busy: false, error: null });
  const unused = previous.filter((r) => !names.includes(r.name));
  for (const role of next) {
    if (role.faces.length === 0 && unused.length) {
      const donor = unused.shift()!;
      role.faces = donor.faces;
    }
  }
  for (const r of unused) for (const f of r.faces) void dropFace(f);
  state.roles = next.map((r) => ({ ...r, name: r.name }));
  renderPhotos();
  refreshSteps();
  focusStep('step-photo-title');
}

// ---------------------------------------------------------------- step 2: photos

const coarsePointer = matchMedia('(pointer: coarse)').matches;

function renderPhotos(): void {
  clear(els.photoBody);
  if (state.roles.length && !hasConsent() && !state.render) els.photoBody.append(consentCard());
  else for (const role of state.roles) els.photoBody.append(roleCard(role));
  refreshSteps();
}

/** Asked once per device before the first upload: what is kept, for how long, how to delete it. */
function consentCard(): HTMLElement {
  const check = h('input', { type: 'checkbox', id: 'consent-check' });
  const agree = tx(h('button', { type: 'button', class: 'btn btn-primary', id: 'consent-agree', 'data-force-disabled': 'true' }), 'consent.agree');
  agree.disabled = true;
  check.addEventListener('change', () => {
    agree.disabled = !check.checked;
    agree.dataset.forceDisabled = String(!check.checked);
  });
  agree.addEventListener('click', () => {
    if (!check.checked) return;
    giveConsent();
    renderPhotos();
    els.photoBody.querySelector<HTMLElement>('input[type=file]')?.closest('label')?.focus();
  });
  return h(
    'div',
    { class: 'consent-card', id: 'consent', role: 'group', 'aria-labelledby': 'consent-title' },
    tx(h('h3', { id: 'consent-title' }), 'consent.title'),
    h(
      'ul',
      { class: 'consent-points' },
      tx(h('li'), 'consent.kept'),
      txRetention(h('li', { id: 'consent-how-long' }), 'consent.howLong'),
      tx(h('li'), 'consent.delete'),
    ),
    h('p', {}, tx(h('a', { href: '/privacy', target: '_blank', rel: 'noopener' }), 'consent.more')),
    h('label', { class: 'consent-check', for: 'consent-check' }, check, tx(h('span'), 'consent.check')),
    agree,
  );
}

function roleCard(role: RoleState): HTMLElement {
  const single = state.roles.length === 1;
  const titleId = `role-${role.name}-title`;
  const card = h('div', { class: 'role-card', 'data-role': role.name, role: 'group', 'aria-labelledby': titleId });
  const title = single ? tx(h('h3', { id: titleId }), 'role.single') : tx(h('h3', { id: titleId }), 'role.named', { role: role.name });
  const head = h('div', { class: 'role-head' }, title);
  if (role.faces.length) head.append(tx(h('span', { class: 'role-count' }), 'role.count', { n: role.faces.length, max: MAX_FACES_PER_ROLE }));
  card.append(head);
  if (role.faces.length) card.append(tx(h('p', { class: 'hint role-count-hint' }), 'role.countHint', { n: role.faces.length, max: MAX_FACES_PER_ROLE }));

  const list = h('ul', { class: 'face-list' });
  role.faces.forEach((f, i) => list.append(faceItem(role, f, i)));
  if (role.faces.length) card.append(list);

  if (role.busy)
    card.append(h('p', { class: 'working', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), tx(h('span'), 'upload.working')));
  if (role.error) card.append(errorBox(role.error));

  const previewFace = role.faces[0];
  if (previewFace && state.story && role.name === previewRoleName()) card.append(heroPreview(state.story, previewFace));
  if (role.faces.length < MAX_FACES_PER_ROLE) card.append(dropZone(role));
  else card.append(tx(h('p', { class: 'hint' }), 'upload.full', { max: MAX_FACES_PER_ROLE }));
  return card;
}

/** The role the preview still shows: the hero, else the story's first role (as the API picks it). */
function previewRoleName(): string | undefined {
  const names = state.roles.map((r) => r.name);
  return names.includes('hero') ? 'hero' : names[0];
}

/** The child's face on the hero in one still of the story, made by the server's compositor. */
function heroPreview(story: Story, face: FaceEntry): HTMLElement {
  const status = h('p', { class: 'working', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), tx(h('span'), 'preview.working'));
  const img = tattr(
    h('img', { class: 'hero-preview-img', width: 640, height: 360, decoding: 'async', src: api.heroPreviewUrl(story.id, face.id) }),
    'alt',
    'preview.alt',
  );
  img.hidden = true;
  const box = h(
    'figure',
    { class: 'hero-preview', 'data-preview-face': face.id },
    tx(h('h3'), 'preview.title'),
    status,
    img,
    tx(h('figcaption', { class: 'hint' }), 'preview.hint'),
  );
  img.addEventListener('load', () => {
    status.remove();
    img.hidden = false;
    box.dataset.ready = 'true';
  });
  img.addEventListener('error', () => box.remove()); // no still for this story: the steps go on without it
  return box;
}

function fileInput(role: RoleState, camera: boolean, onFiles: (files: File[]) => void): HTMLInputElement {
  const input = h('input', { type: 'file', accept: 'image/*', class: 'visually-hidden', 'data-role': role.name, 'data-kind': camera ? 'camera' : 'choose' });
  if (camera) input.setAttribute('capture', 'user');
  else input.multiple = true;
  input.addEventListener('change', () => {
    const files = Array.from(input.files ?? []);
    input.value = '';
    if (files.length) onFiles(files);
  });
  return input;
}

function dropZone(role: RoleState): HTMLElement {
  const add = (files: File[]) => void addPhotos(role, files);
  const first = role.faces.length === 0;
  const chooser = fileInput(role, false, add);
  const zone = h('div', { class: 'dropzone' });
  const choose = h(
    'label',
    { class: `btn ${first ? 'btn-primary' : 'btn-secondary'} file-button` },
    chooser,
    icon('image'),
    tx(h('span'), first ? 'upload.choose' : 'upload.add'),
  );
  const buttons = h('div', { class: 'dropzone-buttons' }, choose);
  if (coarsePointer) {
    const camera = fileInput(role, true, add);
    buttons.append(h('label', { class: 'btn btn-secondary file-button' }, camera, icon('camera'), tx(h('span'), 'upload.camera')));
  }
  const dropText = tx(h('p', { class: 'dropzone-text' }), 'upload.drop');
  zone.append(buttons);
  if (!coarsePointer) zone.append(dropText);
  let depth = 0;
  zone.addEventListener('dragenter', (e) => {
    e.preventDefault();
    if (state.render || role.busy) return;
    depth++;
    zone.classList.add('is-over');
    tx(dropText, 'upload.dropActive');
  });
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = state.render ? 'none' : 'copy';
  });
  zone.addEventListener('dragleave', () => {
    if (--depth <= 0) {
      depth = 0;
      zone.classList.remove('is-over');
      tx(dropText, 'upload.drop');
    }
  });
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    zone.classList.remove('is-over');
    tx(dropText, 'upload.drop');
    if (state.render || role.busy) return;
    const files = Array.from(e.dataTransfer?.files ?? []);
    if (files.length) add(files);
  });
  return zone;
}

function faceItem(role: RoleState, f: FaceEntry, i: number): HTMLElement {
  const n = i + 1;
  const item = h('li', { class: 'face-item', 'data-face-id': f.id });
  const preview = h(
    'span',
    { class: 'face-portrait' },
    tattr(h('img', { class: 'face-preview', src: f.result.previewUrl, width: 160, height: 160 }), 'alt', 'face.previewAlt'),
  );
  const info = h('div', { class: 'face-info' });
  const warnings = f.result.warnings ?? [];
  if (warnings.length === 0) info.append(h('p', { class: 'face-ok' }, icon('check'), tx(h('span'), 'face.ok')));
  else {
    const ul = h('ul', { class: 'face-warnings' });
    for (const w of warnings) {
      const key = `warn.${w.code}`;
      ul.append(h('li', { 'data-warning': w.code }, icon('info'), tx(h('span'), hasKey(key) ? key : 'warn.other')));
    }
    info.append(ul);
  }
  info.append(tx(h('p', { class: 'face-expires' }), 'face.expires', { at: f.result.expiresAt }));
  const retakeInput = fileInput(role, false, (files) => void replaceFace(role, f, files[0]));
  retakeInput.multiple = false;
  const actions = h(
    'div',
    { class: 'face-actions' },
    tattr(
      h('label', { class: 'btn btn-secondary btn-small file-button' }, retakeInput, tx(h('span', { 'aria-hidden': 'true' }), 'face.retake')),
      'aria-label',
      'face.retakeLabel',
      { n },
    ),
    tattr(
      tx(h('button', { type: 'button', class: 'btn btn-ghost btn-small', onclick: () => void removeFace(role, f) }), 'face.remove'),
      'aria-label',
      'face.removeLabel',
      { n },
    ),
  );
  // The label's accessible name must reach the input (the thing that takes focus).
  tattr(retakeInput, 'aria-label', 'face.retakeLabel', { n });
  item.append(h('div', { class: 'face-main' }, preview, info), actions);
  if (f.result.faceCount > 1) item.append(facePicker(role, f));
  return item;
}

/** The photo with every detected face outlined; choosing one re-uploads with its index. */
function facePicker(role: RoleState, f: FaceEntry): HTMLElement {
  const wrap = h('div', { class: 'face-picker' });
  wrap.append(tx(h('p', { class: 'face-picker-text' }), 'face.several', { n: f.result.faceCount }));
  const frame = h('div', { class: 'face-picker-frame' });
  frame.append(tattr(h('img', { src: f.objectUrl, class: 'face-picker-photo' }), 'alt', 'face.photoAlt'));
  for (const face of f.result.faces) {
    const [x, y, w, hgt] = face.box;
    const chosen = face.index === f.result.chosenIndex;
    const button = h(
      'button',
      {
        type: 'button',
        class: `face-box${chosen ? ' is-chosen' : ''}${face.usable ? '' : ' is-unusable'}`,
        style: `left:${(x * 100).toFixed(2)}%;top:${(y * 100).toFixed(2)}%;width:${(w * 100).toFixed(2)}%;height:${(hgt * 100).toFixed(2)}%`,
        'aria-pressed': chosen ? 'true' : 'false',
        'data-face-index': face.index,
        onclick: () => {
          if (!chosen) void pickFace(role, f, face.index);
        },
      },
      h('span', { class: 'face-box-num', 'aria-hidden': 'true' }, String(face.index + 1)),
    );
    tattr(button, 'aria-label', face.usable ? 'face.pick' : 'face.pickUnusable', { n: face.index + 1 });
    frame.append(button);
  }
  wrap.append(frame);
  return wrap;
}

async function withRole<T>(role: RoleState, work: () => Promise<T>): Promise<T | undefined> {
  role.busy = true;
  role.error = null;
  renderPhotos();
  try {
    return await work();
  } catch (err) {
    role.error = asApiError(err);
    announce(t(errorKey(role.error.code)));
    return undefined;
  } finally {
    role.busy = false;
    renderPhotos();
  }
}

async function uploadFile(file: File, faceIndex?: number): Promise<FaceEntry> {
  const result = await api.uploadFace(file, faceIndex);
  return { id: result.id, file, objectUrl: URL.createObjectURL(file), result };
}

async function addPhotos(role: RoleState, files: File[]): Promise<void> {
  if (state.render || role.busy) return;
  await withRole(role, async () => {
    for (const file of files) {
      if (role.faces.length >= MAX_FACES_PER_ROLE) break;
      role.faces.push(await uploadFile(file));
      announce(t('face.ok'));
    }
  });
  if (facesComplete() && state.roles.every((r) => !r.busy)) announce(t('step3.hint'));
}

async function replaceFace(role: RoleState, old: FaceEntry, file: File | undefined): Promise<void> {
  if (!file || state.render || role.busy) return;
  await withRole(role, async () => {
    const entry = await uploadFile(file);
    const i = role.faces.indexOf(old);
    if (i >= 0) role.faces[i] = entry;
    else role.faces.push(entry);
    await dropFace(old);
  });
}

async function pickFace(role: RoleState, old: FaceEntry, index: number): Promise<void> {
  if (state.render || role.busy) return;
  await withRole(role, async () => {
    const entry = await uploadFile(old.file, index);
    URL.revokeObjectURL(entry.objectUrl);
    entry.objectUrl = old.objectUrl; // the same photo: keep showing it
    const i = role.faces.indexOf(old);
    if (i >= 0) role.faces[i] = entry;
    await api.deleteFace(old.id).catch(() => undefined);
  });
}

async function removeFace(role: RoleState, f: FaceEntry): Promise<void> {
  if (state.render || role.busy) return;
  await withRole(role, async () => {
    await api.deleteFace(f.id).catch((err: ApiError) => {
      if (err.code !== 'FACE_NOT_FOUND' && err.code !== 'NOT_FOUND') throw err;
    });
    role.faces = role.faces.filter((x) => x !== f);
    URL.revokeObjectURL(f.objectUrl);
  });
}

async function dropFace(f: FaceEntry): Promise<void> {
  URL.revokeObjectURL(f.objectUrl);
  await api.deleteFace(f.id).catch(() => undefined);
}

// ---------------------------------------------------------------- step 3: render

async function makeVideo(): Promise<void> {
  if (!state.story || !facesComplete() || state.render) return;
  els.makeButton.disabled = true;
  tx(els.makeButton, 'make.starting');
  els.makeError.replaceChildren();
  const faces: Record<string, string[]> = {};
  for (const r of state.roles) faces[r.name] = r.faces.map((f) => f.id);
  try {
    const created = await api.createRender(state.story.id, faces, recordLines.voices(), { childName: els.childName.value.trim(), language: lang() });
    saveVideo({
      id: created.id,
      storyId: state.story.id,
      title: storyTitle(state.story),
      childName: els.childName.value.trim(),
      createdAt: new Date().toISOString(),
      expiresAt: null,
    });
    if (location.pathname !== privateLinkPath(created.id)) history.pushState({ render: created.id }, '', privateLinkPath(created.id));
    startWatching(created, Object.values(faces).flat());
  } catch (err) {
    const e = asApiError(err);
    els.makeError.replaceChildren(errorBox(e));
    if (e.code === 'FACE_EXPIRED' || e.code === 'FACE_MISSING') focusStep('step-photo-title');
  } finally {
    tx(els.makeButton, 'make.button');
    refreshSteps();
  }
}

function startWatching(created: RenderCreated, faceIds: string[]): void {
  const render: RenderState = { created, faceIds, last: null, stopWatch: () => undefined, expiresAt: null, ended: false };
  state.render = render;
  els.render.hidden = false;
  els.render.dataset.renderId = created.id;
  els.download.hidden = true;
  els.makeAnother.hidden = true;
  els.renderError.replaceChildren();
  els.placeholder.hidden = false;
  tx(els.placeholder, 'player.waiting');
  els.deleteResult.replaceChildren();
  els.deleteButton.hidden = false;
  els.keepUntil.textContent = '';
  showShare(created.id);
  renderMyVideos();
  showProgress({ status: created.status ?? 'queued', progress: 0, segmentsDone: 0, segmentsTotal: 0, hlsReady: false, etaSeconds: null });
  refreshSteps();
  render.stopWatch = watchRender(created.id, created.eventsUrl || api.renderEventsUrl(created.id), {
    onProgress: (p) => {
      if (state.render !== render) return;
      showProgress(p);
      if (p.hlsReady) void startPlayer(render);
    },
    onEnd: (p) => {
      if (state.render !== render) return;
      render.ended = true;
      showProgress(p);
      void finished(render, p);
    },
    onConnectionTrouble: (trouble) => (els.trouble.hidden = !trouble),
    onError: (err) => {
      if (state.render !== render) return;
      els.renderError.replaceChildren(errorBox(err));
    },
  });
  // The stream is asked for at once: the server answers the playlist the moment its first piece is
  // listed, and the player is set up meanwhile (the progress events still start it if this fails).
  void startPlayer(render);
  focusStep('step-make-title');
}

function statusKey(status: string): MessageKey {
  const key = `render.${status}`;
  return hasKey(key) ? key : 'render.rendering';
}

function showProgress(p: RenderProgress): void {
  if (state.render) state.render.last = p;
  const pct = Math.max(0, Math.min(100, Math.round((p.status === 'done' ? 1 : (p.progress ?? 0)) * 100)));
  tx(els.renderState, statusKey(p.status));
  tx(els.renderPercent, 'render.percent', { p: pct });
  els.progress.setAttribute('aria-valuenow', String(pct));
  tattr(els.progress, 'aria-valuetext', 'render.percent', { p: pct });
  els.progressFill.style.width = `${pct}%`;
  els.progress.dataset.status = p.status;
  const active = p.status === 'queued' || p.status === 'rendering';
  if (!active) els.eta.textContent = '';
  else if (p.etaSeconds === null || p.etaSeconds === undefined || !Number.isFinite(p.etaSeconds)) tx(els.eta, 'eta.estimating');
  else if (p.etaSeconds < 10 && (p.progress ?? 0) >= 0.7) tx(els.eta, 'eta.almost');
  else if (p.etaSeconds < 60) tx(els.eta, 'eta.seconds', { n: Math.max(5, Math.ceil(p.etaSeconds / 5) * 5) });
  else if (p.etaSeconds < 90) tx(els.eta, 'eta.minute');
  else tx(els.eta, 'eta.minutes', { n: Math.round(p.etaSeconds / 60) });
  if (p.segmentsTotal > 0 && active) tx(els.parts, 'render.parts', { done: p.segmentsDone, total: p.segmentsTotal });
  else els.parts.textContent = '';
  els.playerNote.hidden = !(active && player.healthy);
}

async function startPlayer(render: RenderState): Promise<void> {
  if (player.started || player.streamFailed) return;
  // The placeholder stays until there is a picture to show.
  els.video.addEventListener('loadeddata', () => state.render === render && player.kind !== 'mp4' && (els.placeholder.hidden = true), { once: true });
  await player.playHls(api.hlsUrl(render.created.id));
  els.playerNote.hidden = !(render.last && (render.last.status === 'queued' || render.last.status === 'rendering'));
}

async function finished(render: RenderState, p: RenderProgress): Promise<void> {
  els.playerNote.hidden = true;
  els.trouble.hidden = true;
  if (p.status === 'done') {
    announce(t('render.done'));
    setDownloadLink(render.created.id);
    els.download.hidden = false;
    els.makeAnother.hidden = false;
    if (!player.started || player.streamFailed) {
      els.placeholder.hidden = true;
      await player.playMp4(api.mp4Url(render.created.id));
    } else if (player.kind !== 'mp4') {
      // A stream that has not managed to show anything a few seconds after the end is replaced
      // by the finished file.
      const at = els.video.currentTime;
      window.setTimeout(() => {
        if (state.render === render && player.kind !== 'mp4' && (!player.healthy || (els.video.currentTime <= at && !els.video.paused))) {
          els.placeholder.hidden = true;
          void player.playMp4(api.mp4Url(render.created.id));
        }
      }, 6000);
    }
  } else if (p.status === 'failed') {
    const code = typeof p.error === 'object' && p.error?.code ? p.error.code : 'INTERNAL';
    els.renderError.replaceChildren(errorBox(new ApiError(code, 0, 'render failed')));
    els.makeAnother.hidden = false;
  }
  try {
    const info = await api.render(render.created.id);
    render.expiresAt = info.expiresAt;
  } catch {
    render.expiresAt = null;
  }
  if (render.expiresAt) updateVideo(render.created.id, { expiresAt: render.expiresAt });
  renderMyVideos();
  showExpiry(render);
  refreshSteps();
}

function showExpiry(render: RenderState): void {
  if (render.expiresAt) tx(els.keepUntil, 'keep.until', { at: render.expiresAt });
  else tx(els.keepUntil, 'keep.unknown');
}

/** Leaves the finished video in place (it stays until it expires) and unlocks steps 1–2. */
function makeAnother(): void {
  const render = state.render;
  if (!render) return;
  render.stopWatch();
  player.stop();
  state.render = null;
  els.render.hidden = true;
  els.unmute.hidden = true;
  els.share.hidden = true;
  els.deleteResult.replaceChildren();
  if (location.pathname !== '/') history.pushState({}, '', '/');
  renderStories();
  renderPhotos();
  refreshSteps();
  renderMyVideos();
  focusStep('step-story-title');
}

// ---------------------------------------------------------------- step 4: keep or delete

function askDelete(): void {
  if (!state.render) return;
  const dialog = els.deleteDialog;
  dialog.returnValue = '';
  if (typeof dialog.showModal === 'function') dialog.showModal();
  else if (window.confirm(`${t('delete.confirmTitle')}\n\n${t('delete.confirmText')}`)) void deleteEverything();
}

async function deleteEverything(): Promise<void> {
  const render = state.render;
  if (!render) return;
  els.deleteButton.disabled = true;
  tx(els.deleteButton, 'delete.working');
  els.deleteResult.replaceChildren();
  render.stopWatch();
  player.stop();
  const gone = (err: ApiError) => ['NOT_FOUND', 'RENDER_NOT_FOUND', 'FACE_NOT_FOUND'].includes(err.code);
  const failures: ApiError[] = [];
  try {
    await api.deleteRender(render.created.id);
  } catch (err) {
    if (!gone(asApiError(err))) failures.push(asApiError(err));
  }
  failures.push(...(await recordLines.deleteAll()));
  const faceIds = new Set([...render.faceIds, ...state.roles.flatMap((r) => r.faces.map((f) => f.id))]);
  for (const id of faceIds) {
    try {
      await api.deleteFace(id);
    } catch (err) {
      if (!gone(asApiError(err))) failures.push(asApiError(err));
    }
  }
  tx(els.deleteButton, 'delete.button');
  els.deleteButton.disabled = false;
  if (failures.length) {
    els.deleteResult.replaceChildren(tx(h('p', { class: 'notice notice-error' }), 'delete.partial'), errorBox(failures[0]));
    return;
  }
  for (const r of state.roles) for (const f of r.faces) URL.revokeObjectURL(f.objectUrl);
  forgetVideo(render.created.id);
  if (location.pathname !== '/') history.replaceState({}, '', '/');
  els.share.hidden = true;
  renderMyVideos();
  state.render = null;
  state.story = null;
  state.roles = [];
  state.deleted = true;
  els.render.hidden = true;
  els.unmute.hidden = true;
  renderStories();
  renderPhotos();
  refreshSteps();
  // The confirmation goes above the steps, which start again from step 1.
  els.keepUntil.textContent = '';
  const notice = $('#page-notice');
  const done = h(
    'div',
    { class: 'notice notice-ok', 'data-deleted': 'true', role: 'status' },
    h('span', { class: 'notice-icon', 'aria-hidden': 'true' }, '✓'),
    h('div', { class: 'notice-body' }, tx(h('p', { class: 'notice-text' }), 'delete.done'), tx(h('p', {}), 'delete.again')),
  );
  notice.replaceChildren(done);
  notice.focus({ preventScroll: true });
  window.scrollTo({ top: 0, behavior: matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth' });
}

// ---------------------------------------------------------------- private link and "My videos"

const canShare = typeof navigator.share === 'function' && coarsePointer;

function showShare(id: string): void {
  els.share.hidden = false;
  els.shareUrl.value = privateLink(id);
  els.shareLink.hidden = !canShare;
  els.shareResult.textContent = '';
}

async function copyLink(): Promise<void> {
  els.shareUrl.select();
  try {
    await navigator.clipboard.writeText(els.shareUrl.value);
    tx(els.shareResult, 'link.copied');
  } catch {
    // no clipboard permission (http, old browser): the selected text can be copied by hand
    tx(els.shareResult, document.execCommand?.('copy') ? 'link.copied' : 'link.copyFailed');
  }
}

async function shareLink(): Promise<void> {
  try {
    await navigator.share({ title: state.story?.title ?? t('app.name'), text: t('link.shareText'), url: els.shareUrl.value });
  } catch {
    // the parent closed the share sheet
  }
}

/** The download names the file `<story>-<child's name>.mp4` when a name was given. */
function setDownloadLink(id: string): void {
  const name = els.childName.value.trim();
  els.download.href = api.downloadUrl(id) + (name ? `&name=${encodeURIComponent(name)}` : '');
  // The server names the file the same way (Content-Disposition wins over this attribute).
  const storyId = state.story?.id ?? findVideo(id)?.storyId ?? 'talecast';
  els.download.setAttribute('download', name ? `${storyId}-${name.replace(/[^\p{L}\p{N}]+/gu, '-')}.mp4` : 'talecast.mp4');
}

function onChildNameChange(): void {
  const render = state.render;
  if (!render) return;
  updateVideo(render.created.id, { childName: els.childName.value.trim() });
  if (!els.download.hidden) setDownloadLink(render.created.id);
}

function renderMyVideos(): void {
  const videos = listVideos();
  els.myVideos.hidden = videos.length === 0;
  els.myVideosList.replaceChildren(
    ...videos.map((v) => {
      const current = state.render?.created.id === v.id;
      const link = h(
        'a',
        { href: privateLinkPath(v.id), class: 'my-video-link', 'data-render-id': v.id },
        v.childName ? `${v.title} · ${v.childName}` : v.title,
      );
      if (current) link.setAttribute('aria-current', 'page');
      const when = current
        ? tx(h('span', { class: 'my-video-when' }), 'mine.current')
        : v.expiresAt
          ? tx(h('span', { class: 'my-video-when' }), 'mine.until', { at: v.expiresAt })
          : tx(h('span', { class: 'my-video-when' }), 'mine.rendering');
      return h('li', { class: 'my-video' }, link, when);
    }),
  );
}

/** Opens the render named by the private link in the address: playing, still rendering, or gone. */
async function openPrivateLink(id: string): Promise<void> {
  let info: RenderInfo;
  try {
    info = await api.render(id);
  } catch (err) {
    const e = asApiError(err);
    if (e.code === 'RENDER_NOT_FOUND' || e.code === 'NOT_FOUND') linkGone(id);
    else $('#page-notice').replaceChildren(errorBox(e, () => void openPrivateLink(id)));
    return;
  }
  if (['deleted', 'purged', 'expired'].includes(info.status)) {
    linkGone(id);
    return;
  }
  const saved = findVideo(id);
  state.story = state.stories.find((s) => s.id === info.storyId) ?? null;
  els.childName.value = saved?.childName ?? '';
  if (!saved)
    saveVideo({
      id,
      storyId: info.storyId,
      title: state.story ? storyTitle(state.story) : info.storyId,
      childName: '',
      createdAt: new Date().toISOString(),
      expiresAt: info.expiresAt,
    });
  renderStories();
  const faceIds = Object.values(info.faces ?? {}).flat();
  startWatching({ id, status: info.status, statusUrl: api.renderUrl(id), eventsUrl: api.renderEventsUrl(id) }, faceIds);
}

function linkGone(id: string): void {
  forgetVideo(id);
  history.replaceState({}, '', '/');
  renderMyVideos();
  $('#page-notice').replaceChildren(
    h(
      'div',
      { class: 'notice notice-info', role: 'status', 'data-link-gone': 'true' },
      h('span', { class: 'notice-icon', 'aria-hidden': 'true' }, 'i'),
      h('div', { class: 'notice-body' }, tx(h('p', { class: 'notice-text' }), 'link.gone')),
    ),
  );
}

// ---------------------------------------------------------------- icons (inline, no fonts)

function icon(name: 'clock' | 'child' | 'image' | 'camera' | 'check' | 'info'): SVGSVGElement {
  const paths: Record<string, string> = {
    clock: 'M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20Zm0 2a8 8 0 1 1 0 16 8 8 0 0 1 0-16Zm-1 3v6l5 3 1-1.7-4-2.3V7h-2Z',
    child: 'M12 2a4 4 0 1 1 0 8 4 4 0 0 1 0-8Zm0 10c4.4 0 8 2.2 8 5v3H4v-3c0-2.8 3.6-5 8-5Z',
    image:
      'M4 4h16a2 2 0 0 1 2 2v12a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2Zm0 2v9.6l4.3-4.3 3.2 3.2 2.8-2.8L20 17.4V6H4Zm11 1.5a2 2 0 1 1 0 4 2 2 0 0 1 0-4Z',
    camera:
      'M9 3h6l1.8 2H20a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2h3.2L9 3Zm3 5a5 5 0 1 0 0 10 5 5 0 0 0 0-10Zm0 2a3 3 0 1 1 0 6 3 3 0 0 1 0-6Z',
    check: 'M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20Zm4.3 6.3L10.5 14l-2.8-2.8-1.4 1.4 4.2 4.2 7.2-7.1-1.4-1.4Z',
    info: 'M12 2a10 10 0 1 1 0 20 10 10 0 0 1 0-20Zm-1 5v2h2V7h-2Zm0 4v6h2v-6h-2Z',
  };
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', `icon icon-${name}`);
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', paths[name]);
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}

// ---------------------------------------------------------------- start

function start(): void {
  setupLanguageToggle($<HTMLButtonElement>('#lang-toggle'));
  onLangChange(() => {
    if (state.stories.length) renderStories();
    renderSummaries(state.render !== null);
    if (state.render)
      showProgress(state.render.last ?? { status: 'queued', progress: 0, segmentsDone: 0, segmentsTotal: 0, hlsReady: false, etaSeconds: null });
  });
  els.makeButton.addEventListener('click', () => void makeVideo());
  els.makeAnother.addEventListener('click', makeAnother);
  els.deleteButton.addEventListener('click', askDelete);
  els.deleteDialog.addEventListener('close', () => {
    if (els.deleteDialog.returnValue === 'delete') void deleteEverything();
    else els.deleteButton.focus();
  });
  els.unmute.addEventListener('click', () => {
    els.video.muted = false;
    els.unmute.hidden = true;
    void els.video.play().catch(() => undefined);
  });
  // A photo dropped outside a drop zone must not make the browser navigate away from the page.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => e.preventDefault());
  els.copyLink.addEventListener('click', () => void copyLink());
  els.shareLink.addEventListener('click', () => void shareLink());
  els.childName.addEventListener('input', onChildNameChange);
  // Back/forward between the home page and a private link: load that address afresh.
  window.addEventListener('popstate', () => location.reload());
  refreshSteps();
  renderMyVideos();
  void retentionVars(); // the consent states the server's retention: ask for it early
  const token = tokenFromPath(location.pathname);
  void loadStories().then(() => {
    if (token) void openPrivateLink(token);
  });
}

try {
  start();
} catch (err) {
  fatal(err);
}
window.addEventListener('unhandledrejection', (e) => {
  // Every expected failure is handled where it happens; this is the last net, never a blank page.
  console.error(e.reason);
});
