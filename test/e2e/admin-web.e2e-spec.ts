// The admin page in a real headless Chromium against the real API: the bearer token (asked for,
// refused with a clear message when wrong, kept for the tab only), uploading a story and
// following its precompute to "ready" with per-role frame counts, a broken masks file refused at
// the upload, a story's spoken lines and the hero's dialogue stem uploaded with it (a broken lines
// file refused in the browser and by the server, naming the problem; the precomputed lines read
// back through the API and `cli lines`), and the sampled frames with the hero's boxes drawn over
// them. Screenshots go to test-artifacts/admin/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { createRequire } from 'node:module';
import { promises as fs, readFileSync } from 'node:fs';
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

const ARTIFACTS = path.join(REPO_ROOT, 'test-artifacts', 'admin');
const TOKEN = 'e2e-admin-token-0123456789abcdef';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface StaticServer {
  url: string;
  close(): Promise<void>;
}

/** Builds apps/web; the API serves /admin itself when wired, else a static server forwards /api to it. */
async function adminPageFor(api: ApiProcess): Promise<{ base: string; server: StaticServer | null }> {
  const build = await runNode(path.join(REPO_ROOT, 'scripts/build-web.mjs'), ['--quiet', '--no-typecheck'], {}, 180_000);
  assert.equal(build.code, 0, `web build failed:\n${build.output}`);
  const own = await fetch(`${api.url}/admin`)
    .then(async (r) => (r.ok ? r.text() : ''))
    .catch(() => '');
  if (own.includes('data-app="talecast-admin"')) return { base: api.url, server: null };
  const { serveDist } = createRequire(__filename)(path.join(REPO_ROOT, 'apps/web/serve-dist.cjs')) as {
    serveDist(o: { apiUrl: string }): Promise<StaticServer>;
  };
  const server = await serveDist({ apiUrl: api.url });
  return { base: server.url, server };
}

describe('admin web page', { timeout: 12 * 60_000 }, () => {
  let db: TestDatabase;
  let dir: { path: string; cleanup(): Promise<void> };
  let api: ApiProcess;
  let server: StaticServer | null = null;
  let base: string;
  let browser: Browser;
  let page: Page;
  let voiced: VoicedStory;
  const pageErrors: string[] = [];
  const admin = { Authorization: `Bearer ${TOKEN}` };
  /** Every file the server holds of uploads not yet (or never) precomputed. */
  const incoming = () => fs.readdir(path.join(dir.path, '.data', 'incoming')).catch(() => [] as string[]);
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, name), fullPage: true });

  before(async () => {
    await fs.mkdir(ARTIFACTS, { recursive: true });
    db = await createTestDatabase();
    dir = await tempDir();
    api = await startApi({ DATABASE_URL: db.url, TALECAST_DATA_DIR: dir.path, TALECAST_ADMIN_TOKEN: TOKEN });
    ({ base, server } = await adminPageFor(api));
    // The 5 s story with the hero's line at 2.6-4.4 s in its audio, the line's stem and a lines file.
    voiced = await makeVoicedStory(await sharedFixture(5), path.join(dir.path, 'voiced'), { slot: { from: 2.6, to: 4.4 } });
    browser = await chromium.launch({ executablePath: process.env.TALECAST_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' })).newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await server?.close();
    await api?.stop();
    await db?.drop();
    await dir?.cleanup();
  });

  test('asks for the token, and says clearly when it is wrong', async () => {
    await page.goto(`${base}/admin`);
    const input = page.getByLabel('Admin token');
    await input.waitFor();
    assert.equal(await page.locator('#admin-content').isHidden(), true);
    await shot('01-token.png');
    await input.fill('not-the-right-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /admin token was not accepted/);
    assert.equal(await page.evaluate(() => sessionStorage.getItem('talecast.adminToken')), null, 'a refused token is not kept');
    await shot('02-wrong-token.png');
  });

  test('signs in (token kept for the tab), uploads stories and follows their precompute', async () => {
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('No stories yet').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('talecast.adminToken')), TOKEN);
    await page.reload();
    await page.getByText('No stories yet').waitFor();

    const fixture = await sharedFixture(5);
    const badMasks = path.join(dir.path, 'bad-masks.json');
    await fs.writeFile(badMasks, '{"version": 1, "roles": "nope"}');
    const fill = async (id: string, title: string, masks: string, video = fixture.video) => {
      await page.getByLabel('Story video').setInputFiles(video);
      await page.getByLabel('Masks file (JSON)').setInputFiles(masks);
      await page.getByLabel('Story id').fill(id);
      await page.getByLabel('Title').fill(title);
      await page.getByLabel('Style').selectOption('photo');
      await page.getByRole('button', { name: 'Upload and precompute' }).click();
    };
    // A broken masks file is refused before any upload, naming the problem (the precompute's own validator).
    await page.locator('.format-help summary', { hasText: 'The masks file format' }).click();
    assert.match(await page.locator('#masks-example').innerText(), /"roles"[\s\S]*"meta"/, 'the format is shown with an example');
    await page.getByLabel('Story video').setInputFiles(fixture.video);
    await page.getByLabel('Masks file (JSON)').setInputFiles(badMasks);
    await page.getByLabel('Story id').fill('broken-tale');
    await page.getByRole('button', { name: 'Upload and precompute' }).click();
    const invalid = page.locator('[data-masks-invalid]');
    await invalid.waitFor({ timeout: 10_000 });
    assert.match(await invalid.innerText(), /roles must be an object/);
    await shot('02b-masks-invalid.png');
    assert.equal(await page.locator('#upload-status').innerText(), '', 'nothing was uploaded');
    const before = await fetch(`${api.url}/api/admin/stories/broken-tale`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    assert.equal(before.status, 404, 'the broken story never reached the server');

    // A broken lines file is refused in the browser too, naming each problem by its field.
    const badLines = path.join(dir.path, 'bad.lines.json');
    await fs.writeFile(
      badLines,
      JSON.stringify({ version: 1, defaultLanguage: 'en', lines: [{ id: 'hero-1', role: 'villain', from: 3, to: 2, text: { en: 'Hi!' } }] }),
    );
    await page.getByLabel('Masks file (JSON)').setInputFiles(fixture.masks);
    await page.getByLabel('Lines file (JSON, optional)').setInputFiles(badLines);
    const badLinesBox = page.locator('[data-lines-invalid]');
    await badLinesBox.waitFor({ timeout: 10_000 });
    assert.match(await badLinesBox.innerText(), /lines\[0\]\.role must be a role of the masks file/);
    assert.match(await badLinesBox.innerText(), /lines\[0\]\.to must be greater than from/);
    await page.getByRole('button', { name: 'Upload and precompute' }).click();
    await shot('02c-lines-invalid.png');
    assert.equal(await page.locator('#upload-status').innerText(), '', 'nothing was uploaded');

    // The lines format is shown with an example; a valid lines file offers a stem field per speaking role.
    await page.locator('.format-help summary', { hasText: 'The lines file format' }).click();
    assert.match(await page.locator('#lines-example').innerText(), /"stems"[\s\S]*"lines"[\s\S]*"from"/, 'the lines format with an example');
    await page.getByLabel('Lines file (JSON, optional)').setInputFiles(voiced.lines);
    await page.locator('[data-lines-invalid]').waitFor({ state: 'detached', timeout: 10_000 });
    await page.getByLabel('Dialogue stem of “hero” (audio, optional)').setInputFiles(voiced.stem);
    assert.equal(await page.locator('[data-stem-role]').count(), 2, 'a stem field for the hero and for the narrator');
    await shot('02d-lines-and-stem.png');
    await fill('fox-tale', 'The Fox and the Moon', fixture.masks, voiced.video);
    await page.locator('#upload-status', { hasText: 'Precomputing “fox-tale”' }).waitFor({ timeout: 60_000 });
    assert.equal(await page.locator('[data-story-id="broken-tale"]').count(), 0, 'no story was begun for the refused upload');

    const fox = page.locator('[data-story-id="fox-tale"]');
    await page.locator('[data-story-id="fox-tale"][data-status="precomputing"] [role="progressbar"]').waitFor({ timeout: 30_000 });
    // Best effort: a screenshot with some progress on the bar (a fast precompute may skip past it).
    await page
      .locator('[data-story-id="fox-tale"] [role="progressbar"]:not([aria-valuenow="0"])')
      .waitFor({ timeout: 20_000 })
      .catch(() => undefined);
    await shot('03-precomputing.png');

    // Polling follows the precompute to the end without a manual refresh.
    await page.locator('[data-story-id="fox-tale"][data-status="ready"]').waitFor({ timeout: 8 * 60_000 });
    const text = await fox.innerText();
    assert.match(text, /Ready/);
    assert.match(text, /hero/);
    assert.match(text, /\d+ of 150 frames/, 'per-role face frame count');
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('[data-story-id="fox-tale"] img.admin-thumb');
      return !!img && img.complete && img.naturalWidth > 0;
    });
    await page.locator('#upload-status', { hasText: '“fox-tale” is ready and published.' }).waitFor({ timeout: 30_000 });
    await shot('04-ready.png');
    // Both precomputes ran as queued jobs; the uploaded video and masks are gone with them.
    assert.deepEqual(await incoming(), [], 'no uploaded story files left behind');
  });

  test("the story's lines and the hero's stem came with the upload: the API and `cli lines` show them", async () => {
    const expected = JSON.parse(await fs.readFile(voiced.lines, 'utf8')) as {
      lines: { id: string; role: string; from: number; to: number; text: { en: string } }[];
    };
    const api1 = (await (await fetch(`${api.url}/api/stories/fox-tale/lines`)).json()) as { lines: { id: string; recordable: boolean }[] };
    assert.deepEqual(
      api1.lines.map((l) => [l.id, l.recordable]),
      expected.lines.map((l) => [l.id, l.role !== 'narrator']),
    );
    const cli = await runNode(CLI_MAIN, ['lines', '--story', 'fox-tale'], { DATABASE_URL: db.url, TALECAST_DATA_DIR: dir.path });
    assert.equal(cli.code, 0, cli.output);
    assert.deepEqual(
      JSON.parse(cli.output.slice(cli.output.indexOf('['))),
      expected.lines.map((l) => ({ id: l.id, role: l.role, from: l.from, to: l.to, text: l.text.en })),
    );
    const manifest = JSON.parse(await fs.readFile(path.join(dir.path, 'precomputed', 'fox-tale', 'manifest.json'), 'utf8'));
    assert.deepEqual({ lines: manifest.voice.lines, stems: manifest.voice.stems }, { lines: 'lines.json', stems: ['hero'] });
    assert.equal(manifest.voice.audioFrames?.start.firstPts, -1024, "the story's AAC frames, ready to be mixed in place");
    const stem = await fs.stat(path.join(dir.path, 'precomputed', 'fox-tale', 'stems', 'hero.wav'));
    assert.ok(Math.abs(stem.size - 44 - 5 * 48000 * 2) < 48000, `the hero's stem, 5 s of 48 kHz mono PCM (${stem.size} bytes)`);
  });

  test('the server refuses a broken lines file or stem with 400 naming the field, and keeps nothing', async () => {
    const post = async (files: Record<string, string | Buffer>) => {
      const form = new FormData();
      form.append('storyId', 'refused-tale');
      for (const [field, content] of Object.entries(files))
        form.append(field, new Blob([new Uint8Array(typeof content === 'string' ? await fs.readFile(content) : content)]), `${field}.bin`);
      const res = await fetch(`${api.url}/api/admin/stories`, { method: 'POST', headers: admin, body: form });
      return { status: res.status, error: ((await res.json()) as { error: { code: string; message: string; field?: string } }).error };
    };
    const fixture = await sharedFixture(5);
    const base = { video: voiced.video, masks: fixture.masks };
    const lines = (patch: object) => Buffer.from(JSON.stringify({ ...JSON.parse(readFileSync(voiced.lines, 'utf8')), ...patch }));
    const cases: [string, Record<string, string | Buffer>, string, RegExp][] = [
      [
        'a line of an unknown role',
        { ...base, lines: lines({ lines: [{ id: 'x-1', role: 'villain', from: 1, to: 2, text: { en: 'Ha!' } }] }) },
        'INVALID_LINES',
        /lines\[0\]\.role/,
      ],
      [
        'a line past the end of the video',
        { ...base, lines: lines({ lines: [{ id: 'x-1', role: 'hero', from: 4, to: 9, text: { en: 'Ha!' } }] }) },
        'INVALID_LINES',
        /past the end of the video/,
      ],
      ['not JSON', { ...base, lines: Buffer.from('{ nope') }, 'INVALID_LINES', /not valid JSON/],
      [
        'a named stem not uploaded',
        { ...base, lines: voiced.lines },
        'INVALID_LINES',
        /stems\.hero names "hero-dialogue\.wav": upload that file as the field "stem\.hero"/,
      ],
      [
        'a stem of a role that does not exist',
        { ...base, lines: voiced.lines, 'stem.hero': voiced.stem, 'stem.villain': voiced.stem },
        'INVALID_STEM',
        /no role "villain"/,
      ],
      ['a stem that is not audio', { ...base, lines: voiced.lines, 'stem.hero': fixture.masks }, 'INVALID_STEM', /not an audio file/],
      ['a stem without lines', { ...base, 'stem.hero': voiced.stem }, 'INVALID_STEM', /needs a lines file/],
    ];
    for (const [name, files, code, message] of cases) {
      const r = await post(files);
      assert.equal(r.status, 400, `${name}: ${JSON.stringify(r)}`);
      assert.equal(r.error.code, code, name);
      assert.match(r.error.message, message, name);
      assert.ok(r.error.field === 'lines' || r.error.field?.startsWith('stem.'), `${name}: the field is named (${r.error.field})`);
    }
    assert.deepEqual(await incoming(), [], 'nothing kept of the refused uploads');
    assert.equal((await fetch(`${api.url}/api/admin/stories/refused-tale`, { headers: admin })).status, 404, 'no story was begun');
  });

  test('shows sampled frames with the hero boxes drawn over them', async () => {
    const fox = page.locator('[data-story-id="fox-tale"]');
    const toggle = fox.getByRole('button', { name: 'Show sampled frames' });
    await toggle.click();
    assert.equal(await fox.getByRole('button', { name: 'Hide sampled frames' }).getAttribute('aria-expanded'), 'true');
    await fox.locator('figure.sample').first().waitFor({ timeout: 60_000 });
    await page.waitForFunction(
      () => {
        const imgs = Array.from(document.querySelectorAll<HTMLImageElement>('[data-story-id="fox-tale"] .sample-image'));
        return imgs.length > 0 && imgs.every((i) => i.complete && i.naturalWidth > 0);
      },
      undefined,
      { timeout: 60_000 },
    );
    const boxes = fox.locator('.sample-box[data-role="hero"]');
    assert.ok((await boxes.count()) > 0, 'at least one sampled frame has a hero box');
    const geometry = await boxes.first().evaluate((el) => {
      const b = el.getBoundingClientRect();
      const f = el.parentElement!.getBoundingClientRect();
      return { inside: b.left >= f.left - 1 && b.right <= f.right + 1 && b.top >= f.top - 1 && b.bottom <= f.bottom + 1, w: b.width, h: b.height };
    });
    assert.ok(geometry.inside && geometry.w > 4 && geometry.h > 4, `the box lies on the image: ${JSON.stringify(geometry)}`);
    const outline = await fox
      .locator('.sample-outline[data-role="hero"]')
      .first()
      .evaluate((el) => {
        const b = el.getBoundingClientRect();
        return { points: (el.getAttribute('points') ?? '').trim().split(/\s+/).length, w: b.width, h: b.height };
      });
    assert.equal(outline.points, 27, 'the hero outline: jaw (17) and brows (10)');
    assert.ok(outline.w > 4 && outline.h > 4, `the outline has a size: ${JSON.stringify(outline)}`);
    await fox.locator('.samples').scrollIntoViewIfNeeded();
    await shot('05-samples.png');
    assert.deepEqual(pageErrors, []);
  });

  test('unpublishes, publishes again and deletes a story', async () => {
    const listed = async () => ((await (await fetch(`${api.url}/api/stories`)).json()) as { stories: { id: string }[] }).stories.map((s) => s.id);
    const fox = page.locator('[data-story-id="fox-tale"]');
    await fox.locator('[data-action="unpublish"]').click();
    await page.locator('[data-story-id="fox-tale"][data-status="unpublished"]').waitFor({ timeout: 30_000 });
    assert.ok(!(await listed()).includes('fox-tale'), 'hidden from parents');
    await page.locator('[data-story-id="fox-tale"] [data-action="publish"]').click();
    await page.locator('[data-story-id="fox-tale"][data-status="ready"]').waitFor({ timeout: 30_000 });
    assert.ok((await listed()).includes('fox-tale'), 'shown again');
    page.once('dialog', (d) => void d.accept());
    await page.locator('[data-story-id="fox-tale"] [data-action="delete"]').click();
    await page.locator('[data-story-id="fox-tale"]').waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal((await fetch(`${api.url}/api/stories/fox-tale`)).status, 404);
    await assert.rejects(fs.access(path.join(dir.path, 'precomputed', 'fox-tale')), 'the precomputed files are gone');
    await shot('06-deleted.png');
  });

  test('signing out forgets the token', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('talecast.adminToken')), null);
    const res = await page.evaluate(() => fetch('/api/admin/stories').then((r) => r.status));
    assert.equal(res, 401, 'the API itself refuses a request without the token');
  });
});
