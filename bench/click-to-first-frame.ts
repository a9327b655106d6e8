// "Click to first frame" as a parent sees it: the real API process (`npm start`'s entry point,
// API and worker in one process) on the bench's database and data folder, the parents' page in
// real headless Chromium. A fresh page per run: pick the story, upload a photo, then time from
// the POST of the render (the click) to the first frame presented while playing past 0
// (requestVideoFrameCallback),
// with the steps in between: the job taken from the queue, faces loaded, the engine's first
// steps, the first HLS segment published, the page told (server-sent event), the playlist and the
// first segment fetched, the first frame. After the first frame the render is deleted (cancelled).
import path from 'node:path';
import { chromium, Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { REPO_ROOT, runNode, startApi } from '@talecast/testing';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];
const SAMPLE_PHOTO = path.join(REPO_ROOT, 'node_modules/@vladmandic/face-api/demo/sample1.jpg');

export interface ClickRun {
  /** ms from the POST to the first frame playing. */
  totalMs: number;
  engine: string;
  /** Each step: ms since the POST (server steps converted with the render row's timestamps). */
  steps: [string, number][];
}

export interface ClickToFirstFrameOptions {
  databaseUrl: string;
  dataDir: string;
  storyId: string;
  runs: number;
  dataSource: DataSource;
}

/** Marks from the page, in this process's clock (Date.now()). */
const PAGE_HOOKS = `(() => {
  const mark = (name) => window.__ctffMark(name);
  const fetch0 = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input.url;
    const post = (init && init.method === 'POST') && /\\/api\\/renders$/.test(url);
    if (post) mark('POST sent');
    const p = fetch0(input, init);
    if (post) p.then(() => mark('POST answered'), () => undefined);
    return p;
  };
  const ES = window.EventSource;
  if (ES) {
    window.EventSource = class extends ES {
      constructor(url, opts) {
        super(url, opts);
        mark('event stream opened');
        let first = true, ready = false;
        const seen = (e) => {
          if (first) { first = false; mark('first event'); }
          try { if (!ready && JSON.parse(e.data).hlsReady) { ready = true; mark('page told: HLS ready'); } } catch {}
        };
        for (const t of ['progress', 'message', 'done']) this.addEventListener(t, seen);
      }
    };
  }
  const seenMedia = new Set();
  for (const t of ['loadedmetadata', 'loadeddata', 'canplay', 'waiting', 'seeking', 'seeked', 'stalled']) {
    document.addEventListener(t, (e) => {
      const v = e.target;
      if (seenMedia.has(t) || !(v instanceof HTMLMediaElement) || v.id !== 'video') return;
      seenMedia.add(t);
      const b = v.buffered.length ? ' buffered ' + Array.from({ length: v.buffered.length }, (_, i) => v.buffered.start(i).toFixed(3) + '-' + v.buffered.end(i).toFixed(3)).join(',') : '';
      mark('video ' + t + ' at ' + v.currentTime.toFixed(3) + b);
    }, true);
  }
  // The first frame: the first frame the compositor presents while the element plays past 0
  // (requestVideoFrameCallback). 'playing' and 'timeupdate' can fire while a seek over the start
  // gap is still under way, before any picture: kept as marks, not as the figure.
  let played = false;
  const firstFrame = () => { if (!played) { played = true; mark('first frame'); window.__ctffPlayed = true; } };
  let watchedFrames = null;
  const watchFrames = (v) => v.requestVideoFrameCallback((_now, meta) => { if (!v.paused && meta.mediaTime > 0) firstFrame(); else watchFrames(v); });
  // The element's state whenever it changes, until the first frame (what the start-up waits on).
  let lastState = '';
  const watch = setInterval(() => {
    const v = document.getElementById('video');
    if (!(v instanceof HTMLMediaElement) || !v.src) return;
    if (played) { clearInterval(watch); return; }
    if (watchedFrames !== v && typeof v.requestVideoFrameCallback === 'function') { watchedFrames = v; watchFrames(v); }
    const b = Array.from({ length: v.buffered.length }, (_, i) => v.buffered.start(i).toFixed(3) + '-' + v.buffered.end(i).toFixed(3)).join(',');
    const state = 'video state: at ' + v.currentTime.toFixed(3) + ' ready ' + v.readyState + (v.seeking ? ' seeking' : '') + (v.paused ? ' paused' : '') + ' buffered [' + b + ']';
    if (state !== lastState) { lastState = state; mark(state); }
  }, 10);
  // Only the render's player (#video): the story cards play their preview clips too.
  let playingSeen = false;
  document.addEventListener('playing', (e) => { if (e.target.id !== 'video' || playingSeen || e.target.currentTime <= 0) return; playingSeen = true; mark('playing event past 0'); }, true);
  document.addEventListener('timeupdate', (e) => {
    const v = e.target;
    if (v.id !== 'video' || played || v.currentTime <= 0 || v.paused || v.seeking) return;
    // Without requestVideoFrameCallback: time moving while playing is the first frame.
    if (typeof v.requestVideoFrameCallback !== 'function') firstFrame();
  }, true);
})();`;

export async function clickToFirstFrame(opts: ClickToFirstFrameOptions): Promise<ClickRun[]> {
  const build = await runNode(path.join(REPO_ROOT, 'scripts/build-web.mjs'), ['--quiet', '--no-typecheck'], {}, 180_000);
  if (build.code !== 0) throw new Error(`web build failed:\n${build.output}`);
  const api = await startApi({ DATABASE_URL: opts.databaseUrl, TALECAST_DATA_DIR: opts.dataDir, TALECAST_ROLE: 'all' });
  const browser = await chromium.launch({ executablePath: process.env.TALECAST_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const runs: ClickRun[] = [];
  try {
    for (let i = 0; i < opts.runs; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
      const page = await context.newPage();
      const marks: [string, number][] = [];
      await page.exposeFunction('__ctffMark', (name: string) => void marks.push([name, Date.now()]));
      await page.addInitScript(PAGE_HOOKS);
      page.on('request', (r) => {
        const u = r.url();
        if (u.endsWith('.m3u8') && !marks.some(([n]) => n === 'playlist requested')) marks.push(['playlist requested', Date.now()]);
        if (u.endsWith('.ts') && !marks.some(([n]) => n === 'first segment requested')) marks.push(['first segment requested', Date.now()]);
      });
      page.on('requestfinished', (r) => {
        if (r.url().endsWith('.ts') && !marks.some(([n]) => n === 'first segment received')) marks.push(['first segment received', Date.now()]);
        if (r.url().endsWith('.m3u8') && !marks.some(([n]) => n === 'playlist received')) marks.push(['playlist received', Date.now()]);
      });
      try {
        runs.push(await oneRun(page, api.url, opts, marks));
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close().catch(() => undefined);
    await api.stop();
  }
  return runs;
}

async function oneRun(page: Page, base: string, opts: ClickToFirstFrameOptions, marks: [string, number][]): Promise<ClickRun> {
  await page.goto(base);
  await page.locator(`[data-story-id="${opts.storyId}"]`).click();
  // The one-time consent before the first upload (a fresh browser context each run).
  await page.locator('#step-photo:not(.is-locked) #consent-check').check({ timeout: 30_000 });
  await page.locator('#consent-agree').click();
  await page.locator('#step-photo:not(.is-locked) input[type=file][data-kind="choose"]').waitFor({ state: 'attached', timeout: 30_000 });
  await page.locator('input[type=file][data-kind="choose"]').setInputFiles(SAMPLE_PHOTO);
  await page.locator('.face-item').waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => !(document.getElementById('make-button') as HTMLButtonElement).disabled, undefined, { timeout: 30_000 });
  await page.getByRole('button', { name: 'Make my video' }).click();
  await page.waitForFunction(() => (window as { __ctffPlayed?: boolean }).__ctffPlayed === true, undefined, { timeout: 120_000 });
  await page.waitForTimeout(50); // lets the last exposed-function call land
  const renderId = (await page.locator('#render').getAttribute('data-render-id')) ?? '';
  const engine = await page.evaluate(() => document.querySelector<HTMLVideoElement>('#video')!.dataset.engine ?? '?');
  // The row before the DELETE (a deleted render's row may be purged at once).
  const [row] = (await opts.dataSource.query(`SELECT "createdAt", "startedAt", timings FROM render WHERE id = $1`, [renderId])) as {
    createdAt: Date;
    startedAt: Date | null;
    timings: Record<string, number>;
  }[];
  await fetch(`${base}/api/renders/${renderId}`, { method: 'DELETE', headers: { origin: base } }).catch(() => undefined);
  if (!row) throw new Error(`click-to-first-frame: no render row for ${JSON.stringify(renderId)}`);
  const post = marks.find(([n]) => n === 'POST sent')?.[1];
  const frame = marks.find(([n]) => n === 'first frame')?.[1];
  if (post === undefined || frame === undefined) throw new Error(`click-to-first-frame: marks missing (${JSON.stringify(marks)})`);
  const all: [string, number][] = marks.map(([n, t]) => [n, t - post]);
  all.push(['render row created', new Date(row.createdAt).getTime() - post]);
  if (row.startedAt) {
    const taken = new Date(row.startedAt).getTime();
    all.push(['job taken by the worker', taken - post]);
    for (const [k, ms] of Object.entries(row.timings ?? {})) {
      if (k.startsWith('trace:')) all.push([`  worker: ${k.slice(6)}`, taken + ms - post]);
      if (k === 'firstHlsAt') all.push(['first HLS segment published (row)', taken + ms - post]);
    }
  }
  all.sort((a, b) => a[1] - b[1]);
  return { totalMs: frame - post, engine, steps: all };
}
