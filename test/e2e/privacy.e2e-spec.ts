// Deleted means gone, and the server holds under abuse (issue 16), against one real API process
// (role `all`) with a precomputed story: deleted or expired faces and renders answer 404 on every
// URL; deleting a face cancels the render using it (files removed, lifecycle event written); a
// failed render shows a reason code and a plain sentence, never a path; a finished render keeps
// only what is served; slow bodies end with 408 and hold no upload slot; identical render
// requests at once make one render; cross-site state changes are refused; abandoned requests
// and deletes log no errors; odd photos get clear reasons; a bad masks file is refused at the
// upload; the CSP asks for HTTPS only behind HTTPS; a normal shutdown logs no warnings.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { promises as fs } from 'node:fs';
import { sharp } from '@talecast/face/sharp-image';
import { Client } from 'pg';
import { samplePhotoDirectory } from '@talecast/face';
import { ApiProcess, CLI_MAIN, createTestDatabase, REPO_ROOT, runNode, sharedFixture, startApi, TestDatabase, tempDir } from '@talecast/testing';

const run = promisify(execFile);
const ADMIN_TOKEN = 'privacy-suite-admin-token-0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function form(parts: [string, string | { data: Buffer; filename: string }][]): Promise<{ body: Buffer; contentType: string }> {
  const f = new FormData();
  for (const [name, value] of parts) {
    if (typeof value === 'string') f.append(name, value);
    else f.append(name, new Blob([new Uint8Array(value.data)]), value.filename);
  }
  const req = new Request('http://localhost/', { method: 'POST', body: f });
  return { body: Buffer.from(await req.arrayBuffer()), contentType: req.headers.get('content-type')! };
}

describe('privacy and abuse', async () => {
  const dir = await tempDir('talecast-privacy-');
  const fixture = await sharedFixture(5, 'a');
  const photo = await fs.readFile(path.join(samplePhotoDirectory(), 'sample2.jpg'));
  let db: TestDatabase;
  let pg: Client;
  let api: ApiProcess;

  const get = (p: string, headers: Record<string, string> = {}) => fetch(`${api.url}${p}`, { headers });
  const upload = async (data: Buffer, filename = 'p.jpg', headers: Record<string, string> = {}) => {
    const m = await form([['photo', { data, filename }]]);
    const res = await fetch(`${api.url}/api/faces`, { method: 'POST', headers: { 'content-type': m.contentType, ...headers }, body: new Uint8Array(m.body) });
    return { status: res.status, body: await res.json() };
  };
  const newFace = async () => {
    const r = await upload(photo);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id as string;
  };
  const requestRender = async (faces: string[]) => {
    const res = await fetch(`${api.url}/api/renders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storyId: 'tale', faces: { hero: faces } }),
    });
    return { status: res.status, body: await res.json() };
  };
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await probe();
      if (v !== undefined) return v;
      assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
      await sleep(100);
    }
  };
  const status = async (id: string) => (await (await get(`/api/renders/${id}`)).json()) as { status: string; error: unknown; segmentsDone: number };

  before(async () => {
    db = await createTestDatabase(true);
    pg = new Client({ connectionString: db.url });
    await pg.connect();
    const env = {
      TALECAST_DATA_DIR: dir.path,
      DATABASE_URL: db.url,
      TALECAST_ROLE: 'all',
      TALECAST_ADMIN_TOKEN: ADMIN_TOKEN,
      TALECAST_LOG_LEVEL: 'log',
      TALECAST_UPLOADS_IN_FLIGHT: '2',
      TALECAST_BODY_MIN_RATE: '2000',
      TALECAST_BODY_RATE_WINDOW: '1s',
      TALECAST_RENDER_STALE: '5s',
    };
    const pre = await runNode(
      CLI_MAIN,
      ['precompute', '--story', 'tale', '--video', fixture.video, '--masks', fixture.masks, '--title', 'The Tale'],
      env,
      300_000,
    );
    assert.equal(pre.code, 0, pre.output);
    api = await startApi(env, 120_000);
  });

  after(async () => {
    if (process.env.TALECAST_TEST_DEBUG) console.log(api?.output());
    await api?.stop();
    await pg?.end();
    await db?.drop();
    await dir.cleanup();
  });

  // 1 ------------------------------------------------------------------------------------------
  test('a deleted face answers 404 on every URL; so does an expired one', async () => {
    const id = await newFace();
    assert.equal((await get(`/api/faces/${id}`)).status, 200);
    assert.equal((await fetch(`${api.url}/api/faces/${id}`, { method: 'DELETE' })).status, 200);
    for (const p of [`/api/faces/${id}`, `/api/faces/${id}/preview.png`]) {
      const res = await get(p);
      assert.equal(res.status, 404, p);
      const body = await res.text();
      assert.ok(!/box|pose|expression|yaw/i.test(body), `nothing about the face: ${body}`);
    }
    assert.equal((await fetch(`${api.url}/api/faces/${id}`, { method: 'DELETE' })).status, 404);

    const old = await newFace();
    await pg.query(`UPDATE face SET "expiresAt" = now() - interval '1 second' WHERE id = $1`, [old]);
    assert.equal((await get(`/api/faces/${old}`)).status, 404);
    assert.equal((await get(`/api/faces/${old}/preview.png`)).status, 404);
    assert.equal((await requestRender([old])).status, 422, 'an expired face cannot be rendered');
  });

  // 2 and 5 --------------------------------------------------------------------------------------
  test('a finished render keeps only what is served; once deleted every URL of it is a 404', async () => {
    const face = await newFace();
    const created = await requestRender([face]);
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.id as string;
    await waitFor('the render', async () => ((await status(id)).status === 'done' ? true : undefined));
    const kept = (await fs.readdir(path.join(dir.path, 'generated', id))).sort();
    assert.deepEqual(kept, ['hls', 'video.mp4'], 'the intermediate segments are removed; video.mp4 and hls/ are served');
    const playlist = await (await get(`/api/renders/${id}/hls/index.m3u8`)).text();
    const segment = playlist.split('\n').find((l) => l.endsWith('.ts'))!;
    assert.equal((await get(`/api/renders/${id}/hls/${segment}`)).status, 200);

    assert.equal((await fetch(`${api.url}/api/renders/${id}`, { method: 'DELETE' })).status, 200);
    for (const p of [
      `/api/renders/${id}`,
      `/api/renders/${id}/video.mp4`,
      `/api/renders/${id}/hls/index.m3u8`,
      `/api/renders/${id}/hls/${segment}`,
      `/api/renders/${id}/events`,
    ]) {
      const res = await get(p);
      assert.equal(res.status, 404, `${p}: ${res.status}`);
      assert.equal((await res.json()).error.code, 'RENDER_NOT_FOUND', p);
    }
    assert.equal((await fetch(`${api.url}/api/renders/${id}`, { method: 'DELETE' })).status, 404);
  });

  // 3 and 9 --------------------------------------------------------------------------------------
  test('deleting a face cancels the render using it: 404, files removed, a lifecycle event', async () => {
    const face = await newFace();
    const created = await requestRender([face]);
    assert.equal(created.status, 202);
    const id = created.body.id as string;
    await waitFor('rendering', async () => ((await status(id)).status === 'rendering' ? true : undefined));
    const del = await fetch(`${api.url}/api/faces/${face}`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    assert.equal((await del.json()).cancelledRenders, 1);
    assert.equal((await get(`/api/renders/${id}`)).status, 404);
    // The worker notices (heartbeat, every 2 s) and stops between frames, removing what it wrote.
    const files = path.join(dir.path, 'generated', id);
    await waitFor(
      'the files to go',
      async () =>
        (await fs.access(files).then(
          () => false,
          () => true,
        )) || undefined,
      30_000,
    );
    await sleep(3000);
    await assert.rejects(fs.access(files), 'no files left once the worker has stopped');
    for (const p of [`/api/renders/${id}/video.mp4`, `/api/renders/${id}/hls/index.m3u8`, `/api/renders/${id}/events`])
      assert.equal((await get(p)).status, 404, p);
    const { rows } = await pg.query(`SELECT status FROM render WHERE id = $1`, [id]);
    assert.equal(rows[0].status, 'cancelled');
    const events = (await pg.query(`SELECT event, details FROM lifecycle_event WHERE "subjectId" = $1 ORDER BY id`, [id])).rows;
    assert.ok(
      events.some((e) => e.event === 'cancelled' && e.details.reason === 'FACE_DELETED'),
      JSON.stringify(events),
    );
    assert.ok(!events.some((e) => e.event === 'rendered' || e.event === 'failed'), JSON.stringify(events));
  });

  test('deleting a render mid-render: no unhandled rejection, no failed attempt in the log', async () => {
    const face = await newFace();
    const created = await requestRender([face]);
    const id = created.body.id as string;
    await waitFor('rendering', async () => ((await status(id)).status === 'rendering' ? true : undefined));
    const before = api.output().length;
    assert.equal((await fetch(`${api.url}/api/renders/${id}`, { method: 'DELETE' })).status, 200);
    // The worker notices between frames, stops and removes what it wrote after the delete.
    const files = path.join(dir.path, 'generated', id);
    await waitFor(
      'the files to go',
      async () =>
        (await fs.access(files).then(
          () => false,
          () => true,
        )) || undefined,
      30_000,
    );
    await sleep(3000);
    await assert.rejects(fs.access(files), 'no files left once the worker has stopped');
    const log = api.output().slice(before);
    assert.ok(!/unhandled rejection|attempt \d+ failed|ERROR/i.test(log), log);
  });

  // 4 --------------------------------------------------------------------------------------------
  test('a failed render shows a reason code and a plain sentence, never a path', async () => {
    const manifest = path.join(dir.path, 'precomputed', 'tale', 'manifest.json');
    await fs.rename(manifest, `${manifest}.away`);
    try {
      const face = await newFace();
      const created = await requestRender([face]);
      const id = created.body.id as string;
      const events = fetch(`${api.url}/api/renders/${id}/events`).then((r) => r.text());
      const failed = await waitFor(
        'the failure',
        async () => {
          const s = await status(id);
          return s.status === 'failed' ? s : undefined;
        },
        60_000,
      );
      const text = JSON.stringify(failed) + (await events);
      assert.deepEqual(Object.keys(failed.error as object).sort(), ['code', 'message']);
      assert.match((failed.error as { code: string }).code, /^[A-Z_]+$/);
      for (const s of [dir.path, REPO_ROOT, 'ENOENT', 'manifest.json', '/tmp/']) assert.ok(!text.includes(s), `"${s}" shown to the parent: ${text}`);
      assert.match(api.output(), /ENOENT/, 'the system error is in the server log');
    } finally {
      await fs.rename(`${manifest}.away`, manifest);
    }
  });

  // 6 --------------------------------------------------------------------------------------------
  test('slow bodies end with 408 and hold no upload slot meanwhile', async () => {
    const port = Number(new URL(api.url).port);
    const m = await form([['photo', { data: photo, filename: 'slow.jpg' }]]);
    // Four trickling uploads, more than the two slots.
    const slow = Array.from(
      { length: 4 },
      () =>
        new Promise<string>((resolve) => {
          const socket = net.connect(port, '127.0.0.1');
          let reply = '';
          let sent = 0;
          const head = `POST /api/faces HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: ${m.contentType}\r\nContent-Length: ${m.body.length}\r\n\r\n`;
          socket.write(head);
          const drip = setInterval(() => {
            if (!socket.destroyed && sent < m.body.length) socket.write(m.body.subarray(sent, ++sent));
          }, 100);
          socket.on('data', (d) => (reply += d));
          socket.on('close', () => {
            clearInterval(drip);
            resolve(reply);
          });
          socket.on('error', () => undefined);
          setTimeout(() => socket.destroy(), 15_000);
        }),
    );
    await sleep(300);
    const normal = await upload(photo);
    assert.equal(normal.status, 201, `a normal upload is served while slow ones trickle: ${JSON.stringify(normal.body)}`);
    for (const reply of await Promise.all(slow)) assert.match(reply, /^HTTP\/1\.1 408 /, reply.slice(0, 200));
  });

  // 7 --------------------------------------------------------------------------------------------
  test('five identical render requests at once make one render', async () => {
    const face = await newFace();
    const replies = await Promise.all(Array.from({ length: 5 }, () => requestRender([face])));
    assert.ok(
      replies.every((r) => r.status === 202),
      JSON.stringify(replies.map((r) => r.status)),
    );
    assert.equal(new Set(replies.map((r) => r.body.id)).size, 1, 'one render id');
    const { rows } = await pg.query(`SELECT count(*)::int AS n FROM render WHERE faces->'hero' ? $1`, [face]);
    assert.equal(rows[0].n, 1);
    await fetch(`${api.url}/api/renders/${replies[0].body.id}`, { method: 'DELETE' });
  });

  // 8 --------------------------------------------------------------------------------------------
  test('state-changing requests from another site are refused; the own page and reads are not', async () => {
    const evil = { origin: 'https://evil.example' };
    const refused = await upload(photo, 'x.jpg', evil);
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, 'CROSS_SITE');
    const face = await newFace();
    const del = await fetch(`${api.url}/api/faces/${face}`, { method: 'DELETE', headers: evil });
    assert.equal(del.status, 403);
    assert.equal((await fetch(`${api.url}/api/renders`, { method: 'POST', headers: { ...evil, 'content-type': 'application/json' }, body: '{}' })).status, 403);
    assert.equal(
      (await fetch(`${api.url}/api/renders`, { method: 'POST', headers: { origin: 'null', 'content-type': 'application/json' }, body: '{}' })).status,
      403,
    );
    assert.equal((await get(`/api/faces/${face}`, evil)).status, 200, 'a read is not refused');
    assert.equal((await upload(photo, 'own.jpg', { origin: api.url })).status, 201, "the page's own origin");
    assert.equal((await fetch(`${api.url}/api/faces/${face}`, { method: 'DELETE', headers: { origin: api.url } })).status, 200);
  });

  // 9 --------------------------------------------------------------------------------------------
  test('an abandoned upload is one short info line, not an error with a stack', async () => {
    const port = Number(new URL(api.url).port);
    const m = await form([['photo', { data: photo, filename: 'gone.jpg' }]]);
    const before = api.output().length;
    await new Promise<void>((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(`POST /api/faces HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Type: ${m.contentType}\r\nContent-Length: ${m.body.length}\r\n\r\n`);
        socket.write(m.body.subarray(0, m.body.length / 2), () =>
          setTimeout(() => {
            socket.destroy();
            resolve();
          }, 200),
        );
      });
    });
    await sleep(3000); // multer reports the abort when the socket closes
    const log = api.output().slice(before);
    assert.ok(!/ERROR|\n\s+at /.test(log), log);
    assert.equal(log.split('\n').filter((l) => /request abandoned by the client/.test(l)).length, 1, log);
    assert.equal((await get('/api/health')).status, 200);
  });

  // 10 and 11 -----------------------------------------------------------------------------------
  test('very wide and very tall photos: 201 or a clear 4xx, never a 500', async () => {
    for (const [w, h] of [
      [3000, 1],
      [1, 3000],
      [4000, 2],
    ]) {
      const png = await sharp({ create: { width: w, height: h, channels: 3, background: { r: 200, g: 150, b: 120 } } })
        .png()
        .toBuffer();
      const r = await upload(png, 'wide.png');
      assert.ok(r.status === 201 || (r.status >= 400 && r.status < 500), `${w}x${h}: ${r.status} ${JSON.stringify(r.body)}`);
    }
  });

  test("HEIC, SVG and the admin's two videos get the right reason", async () => {
    const heic = path.join(dir.path, 'photo.heic');
    await run('convert', [path.join(samplePhotoDirectory(), 'sample2.jpg'), '-resize', '600x', heic]);
    const h = await upload(await fs.readFile(heic), 'IMG_0001.HEIC');
    assert.ok(h.status === 201 || (h.status === 415 && /HEIC/.test(h.body.error.message) && /JPEG/.test(h.body.error.message)), JSON.stringify(h.body));

    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400"><circle cx="200" cy="200" r="150" fill="peru"/></svg>');
    const s = await upload(svg, 'face.svg');
    assert.equal(s.status, 422);
    assert.equal(s.body.error.code, 'NOT_AN_IMAGE');
    assert.match(s.body.error.message, /not a photo/);

    const video = await fs.readFile(fixture.video);
    const m = await form([
      ['storyId', 'two-videos'],
      ['video', { data: video, filename: 'a.mp4' }],
      ['video', { data: video, filename: 'b.mp4' }],
      ['masks', { data: await fs.readFile(fixture.masks), filename: 'm.json' }],
    ]);
    const res = await fetch(`${api.url}/api/admin/stories`, {
      method: 'POST',
      headers: { 'content-type': m.contentType, authorization: `Bearer ${ADMIN_TOKEN}` },
      body: new Uint8Array(m.body),
    });
    const body = await res.json();
    assert.equal(res.status, 400);
    assert.ok(!/photo/.test(body.error.message) && /video/.test(body.error.message), body.error.message);
  });

  // 12 -------------------------------------------------------------------------------------------
  test('a bad masks file is refused at the upload with 400 naming the field', async () => {
    const video = await fs.readFile(fixture.video);
    const masks = JSON.parse(await fs.readFile(fixture.masks, 'utf8'));
    const role = Object.keys(masks.roles)[0];
    masks.roles[role].regions[0].box = [0.1, 0.1, 7, 0.5];
    for (const [storyId, text] of [
      ['bad-json', '{"version": 1, "roles": '],
      ['bad-box', JSON.stringify(masks)],
    ]) {
      const m = await form([
        ['storyId', storyId],
        ['video', { data: video, filename: 'v.mp4' }],
        ['masks', { data: Buffer.from(text), filename: 'm.json' }],
      ]);
      const res = await fetch(`${api.url}/api/admin/stories`, {
        method: 'POST',
        headers: { 'content-type': m.contentType, authorization: `Bearer ${ADMIN_TOKEN}` },
        body: new Uint8Array(m.body),
      });
      const body = await res.json();
      assert.equal(res.status, 400, `${storyId}: ${JSON.stringify(body)}`);
      assert.equal(body.error.code, 'INVALID_MASKS');
      assert.equal(body.error.field, 'masks');
      assert.match(body.error.message, /masks/);
      assert.equal((await get(`/api/admin/stories/${storyId}`, { authorization: `Bearer ${ADMIN_TOKEN}` })).status, 404, 'no story was begun');
    }
    assert.deepEqual(await fs.readdir(path.join(dir.path, '.data', 'incoming')).catch(() => []), [], 'the uploaded files are removed');
  });

  // 13 -------------------------------------------------------------------------------------------
  test('the CSP asks browsers to upgrade to HTTPS only when served over HTTPS', async () => {
    const plain = (await get('/api/health')).headers.get('content-security-policy') ?? '';
    assert.match(plain, /default-src 'self'/);
    assert.ok(!plain.includes('upgrade-insecure-requests'), plain);
    const behindTls = (await get('/api/health', { 'x-forwarded-proto': 'https' })).headers.get('content-security-policy') ?? '';
    assert.ok(behindTls.includes('upgrade-insecure-requests'), behindTls);
  });

  // issue 21 item 7 ------------------------------------------------------------------------------
  test('a normal shutdown logs no warnings or errors, and no unhandled rejection happened', async () => {
    assert.ok(!/unhandled rejection/i.test(api.output()), api.output());
    const before = api.output().length;
    const code = await api.stop();
    const log = api.output().slice(before);
    assert.ok(code === 0 || (code === null && api.child.signalCode === 'SIGTERM'), `exit ${code}: ${log}`);
    assert.ok(!/\b(WARN|ERROR)\b/.test(log), log);
  });
});
