// The child's voice from end to end, with real parts: a story with a hero line and its dialogue
// stem precomputed by the CLI (`--lines`), `lines --story` and `render --voice` refusals from the
// CLI, then the parents' page in real Chromium with a fake microphone playing a stand-in child
// reading (espeak-ng, raised pitch): record the line (count-in, bar), listen, make the video, and
// find the recording in the MP4's audio at its slot with the hero's own voice gone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { chromium, Browser, Page } from 'playwright-core';
import {
  ApiProcess,
  CLI_MAIN,
  createTestDatabase,
  makeVoicedStory,
  REPO_ROOT,
  runNode,
  sharedFixture,
  startApi,
  tempDir,
  TestDatabase,
  VoicedStory,
} from '@talecast/testing';
import { locateFfmpeg } from '@talecast/video';
import { decodeWav, runToSamples, VOICE_RATE } from '@talecast/voice';

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'voice');
const SAMPLE_PHOTO = path.join(REPO_ROOT, 'node_modules/@vladmandic/face-api/demo/sample1.jpg');
const STORY_ID = 'voiced-fox';

/** The left channel of any media file as float samples at 48 kHz. */
async function leftChannel(file: string): Promise<Float32Array> {
  const { ffmpeg } = await locateFfmpeg();
  return runToSamples(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-i',
    file,
    '-map',
    '0:a:0',
    '-af',
    `pan=mono|c0=c0,aformat=sample_fmts=flt:sample_rates=${VOICE_RATE}`,
    '-f',
    'f32le',
    'pipe:1',
  ]);
}

/** RMS of out − (story − stem + line) over the slot, best over small lags (AAC priming), and of the line. */
function replacement(out: Float32Array, story: Float32Array, stem: Float32Array, line: Float32Array, from: number): { residualDb: number; lag: number } {
  const start = Math.round(from * VOICE_RATE);
  const a = start + Math.round(0.1 * VOICE_RATE),
    b = start + line.length - Math.round(0.1 * VOICE_RATE);
  const energy = (f: (i: number) => number) => {
    let s = 0;
    for (let i = a; i < b; i++) s += f(i) ** 2;
    return Math.sqrt(s / (b - a));
  };
  const lineLevel = energy((i) => line[i - start]);
  let best = { residualDb: Infinity, lag: 0 };
  for (let lag = -2048; lag <= 2048; lag += 1) {
    const r = energy((i) => (out[i + lag] ?? 0) - story[i] + stem[i] - line[i - start]);
    const db = 20 * Math.log10(r / lineLevel);
    if (db < best.residualDb) best = { residualDb: db, lag };
  }
  return best;
}

describe("the child's voice: CLI, page, render", { timeout: 15 * 60_000 }, () => {
  let db: TestDatabase;
  let dir: { path: string; cleanup(): Promise<void> };
  let env: Record<string, string>;
  let story: VoicedStory;
  let api: ApiProcess;
  let browser: Browser;
  let page: Page;
  let base: string;
  let server: { url: string; close(): Promise<void> } | null = null;
  const errors: string[] = [];

  before(async () => {
    await fs.mkdir(ARTIFACTS, { recursive: true });
    db = await createTestDatabase();
    dir = await tempDir('talecast-voice-e2e-');
    env = { DATABASE_URL: db.url, TALECAST_DATA_DIR: path.join(dir.path, 'data') };
    await fs.mkdir(env.TALECAST_DATA_DIR);
    // The fake microphone starts with the page's 3-2-1 count-in: the reading begins after it.
    story = await makeVoicedStory(await sharedFixture(10), path.join(dir.path, 'story'), { childLeadSeconds: 3.5 });
    const pre = await runNode(
      CLI_MAIN,
      ['precompute', '--story', STORY_ID, '--video', story.video, '--masks', story.masks, '--lines', story.lines, '--title', 'The Voiced Fox'],
      env,
      8 * 60_000,
    );
    assert.equal(pre.code, 0, `precompute failed:\n${pre.output}`);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
    await api?.stop();
    await db?.drop();
    await dir?.cleanup();
  });

  test('CLI: lines prints the lines in the default language; precompute carried the stem over', async () => {
    const r = await runNode(CLI_MAIN, ['lines', '--story', STORY_ID], env);
    assert.equal(r.code, 0, r.output);
    const lines = JSON.parse(r.output.slice(r.output.indexOf('[')));
    assert.deepEqual(lines, [
      { id: 'narrator-1', role: 'narrator', from: 0.3, to: 2.4, text: 'Once upon a time, a little fox went out.' },
      { id: 'hero-1', role: 'hero', from: story.line.from, to: story.line.to, text: story.line.text },
    ]);
    const manifest = JSON.parse(await fs.readFile(path.join(env.TALECAST_DATA_DIR, 'precomputed', STORY_ID, 'manifest.json'), 'utf8'));
    assert.deepEqual({ lines: manifest.voice.lines, stems: manifest.voice.stems }, { lines: 'lines.json', stems: ['hero'] });
    assert.equal(manifest.voice.audioFrames?.start.firstPts, -1024, "the story's AAC frames, ready to be mixed in place");
    const stem = decodeWav(await fs.readFile(path.join(env.TALECAST_DATA_DIR, 'precomputed', STORY_ID, 'stems', 'hero.wav')));
    assert.equal(stem?.rate, 48000);
  });

  test('CLI: render --voice refuses an unknown line and a file that is not audio, with the reason', async () => {
    const unknown = await runNode(CLI_MAIN, ['render', '--story', STORY_ID, '--face', SAMPLE_PHOTO, '--voice', `villain-9=${story.childReading}`], env);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.output, /LINE_NOT_FOUND/);
    const notAudio = await runNode(CLI_MAIN, ['render', '--story', STORY_ID, '--face', SAMPLE_PHOTO, '--voice', `hero-1=${SAMPLE_PHOTO}`], env);
    assert.notEqual(notAudio.code, 0);
    assert.match(notAudio.output, /NOT_AUDIO/);
    const narrator = await runNode(CLI_MAIN, ['render', '--story', STORY_ID, '--face', SAMPLE_PHOTO, '--voice', `narrator-1=${story.childReading}`], env);
    assert.match(narrator.output, /LINE_NOT_RECORDABLE/);
  });

  test('page: record the hero line with the microphone, listen, make the video; the MP4 carries the recording in its slot', async () => {
    api = await startApi(env);
    const build = await runNode(path.join(REPO_ROOT, 'scripts/build-web.mjs'), ['--quiet', '--no-typecheck'], {}, 180_000);
    assert.equal(build.code, 0, build.output);
    const own = await fetch(`${api.url}/`)
      .then((r) => (r.ok ? r.text() : ''))
      .catch(() => '');
    if (own.includes('data-app="talecast"')) base = api.url;
    else {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { serveDist } = require(path.join(REPO_ROOT, 'apps/web/serve-dist.cjs')) as {
        serveDist(o: { apiUrl: string }): Promise<{ url: string; close(): Promise<void> }>;
      };
      server = await serveDist({ apiUrl: api.url });
      base = server.url;
    }
    browser = await chromium.launch({
      executablePath: process.env.TALECAST_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--use-fake-ui-for-media-stream',
        '--use-fake-device-for-media-stream',
        `--use-file-for-fake-audio-capture=${story.childReading}`,
        '--autoplay-policy=no-user-gesture-required',
      ],
    });
    // A phone-sized page: the step must work there.
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US', hasTouch: true });
    page = await context.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(base);
    await page.locator(`[data-story-id="${STORY_ID}"]`).click();
    // The step appears with only the hero's line (the narrator's cannot be recorded), text large.
    const line = page.locator('[data-line-id="hero-1"]');
    await line.waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('[data-line-id="narrator-1"]').count(), 0);
    assert.match(await line.locator('.rl-text').innerText(), /golden key/);
    const fontPx = await line.locator('.rl-text').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(fontPx >= 22, `line text is ${fontPx}px`);
    // The one-time consent comes before the first upload (the parents' page).
    await page.locator('#step-photo:not(.is-locked) #consent').waitFor({ timeout: 30_000 });
    await page.locator('#consent-check').check();
    await page.locator('#consent-agree').click();
    await page.locator('input[type=file][data-kind="choose"]').setInputFiles(SAMPLE_PHOTO);
    await page.locator('.face-item').waitFor({ timeout: 90_000 });

    await line.locator('.rl-record').click();
    await line.locator('.rl-count').waitFor({ timeout: 10_000 });
    assert.equal(await line.locator('.rl-count').innerText(), '3');
    await line.locator('.rl-bar').waitFor({ timeout: 10_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, '01-recording.png'), fullPage: true });
    await page.locator('[data-line-id="hero-1"][data-state="recorded"], [data-line-id="hero-1"] [data-error-code]').first().waitFor({ timeout: 90_000 });
    const code = await line
      .locator('[data-error-code]')
      .getAttribute('data-error-code')
      .catch(() => null);
    assert.equal(code, null, `the recording was refused: ${code} ${await line.innerText()}`);
    const audioSrc = await line.locator('audio.rl-audio').getAttribute('src');
    assert.match(audioSrc ?? '', /^\/api\/recordings\/[A-Za-z0-9_-]{22}\/line\.wav$/);
    const fitted = await page.evaluate(async (u) => {
      const r = await fetch(u);
      return { status: r.status, type: r.headers.get('content-type'), bytes: (await r.arrayBuffer()).byteLength };
    }, audioSrc!);
    assert.equal(fitted.status, 200);
    assert.match(fitted.type ?? '', /audio\/wav/);
    await page.screenshot({ path: path.join(ARTIFACTS, '02-recorded.png'), fullPage: true });

    await page.getByRole('button', { name: 'Make my video' }).click();
    await page.locator('#render[data-render-id]').waitFor({ timeout: 30_000 });
    const renderId = (await page.locator('#render').getAttribute('data-render-id'))!;
    let status: { status: string; voices: Record<string, string>; error: string | null } = { status: 'queued', voices: {}, error: null };
    for (let i = 0; i < 240 && !['done', 'failed'].includes(status.status); i++) {
      await new Promise((r) => setTimeout(r, 1000));
      status = await fetch(`${api.url}/api/renders/${renderId}`).then((r) => r.json() as Promise<typeof status>);
    }
    assert.equal(status.status, 'done', `render: ${JSON.stringify(status)}\n${api.output().slice(-2000)}`);
    const recordingId = audioSrc!.split('/')[3];
    assert.deepEqual(status.voices, { 'hero-1': recordingId });
    const events = await fetch(`${api.url}/api/recordings/${recordingId}`).then((r) => r.json() as Promise<{ events: { event: string }[] }>);
    assert.deepEqual(
      events.events.map((e) => e.event),
      ['uploaded', 'used'],
    );

    // The MP4's audio: the story with the hero's voice taken out and the child's fitted line in its slot.
    const mp4 = path.join(ARTIFACTS, 'voiced.mp4');
    await fs.writeFile(mp4, Buffer.from(await (await fetch(`${api.url}/api/renders/${renderId}/video.mp4`)).arrayBuffer()));
    const lineWav = decodeWav(Buffer.from(await (await fetch(`${api.url}${audioSrc}`)).arrayBuffer()))!;
    const [out, storyAudio, stem] = await Promise.all([leftChannel(mp4), leftChannel(story.video), leftChannel(story.stem)]);
    const r = replacement(out, storyAudio, stem, lineWav.samples, story.line.from);
    console.log(`# slot residual ${r.residualDb.toFixed(1)} dB below the line (lag ${r.lag} samples)`);
    assert.ok(r.residualDb < -12, `the output in the slot is story − hero + child to within ${r.residualDb.toFixed(1)} dB (lag ${r.lag})`);
    // Outside the slot the story's audio is unchanged (up to the AAC re-encoding).
    let diff = 0,
      ref = 0;
    const end = Math.round(story.line.from * VOICE_RATE) - 4800;
    for (let i = 4800; i < end; i++) {
      diff += ((out[i + r.lag] ?? 0) - storyAudio[i]) ** 2;
      ref += storyAudio[i] ** 2;
    }
    assert.ok(10 * Math.log10(diff / ref) < -20, `before the slot: ${(10 * Math.log10(diff / ref)).toFixed(1)} dB`);
    assert.deepEqual(errors, []);
  });
});
