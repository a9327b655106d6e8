// Malformed and malicious requests against one real API process (role `all`): path traversal in
// every id and HLS name (encoded, double-encoded, backslashes, absolute paths, NUL bytes), bodies
// that are too large, of the wrong type or shape, multipart abuse, admin calls without or with a
// wrong token, unknown methods and very long URLs. Each is answered with a 4xx (never a 5xx), a
// JSON error body where the app answers, no stack trace or absolute path in the body, nothing
// written under uploads/, generated/ or the incoming folder, and the server keeps serving.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { promises as fs } from 'node:fs';
import { samplePhotoDirectory } from '@talecast/face';
import { ApiProcess, CLI_MAIN, createTestDatabase, REPO_ROOT, runNode, sharedFixture, startApi, TestDatabase, tempDir } from '@talecast/testing';

const ADMIN_TOKEN = 'hostile-suite-admin-token-0123456789';
const SAMPLE = path.join(samplePhotoDirectory(), 'sample2.jpg');

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

interface Sent {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/** One request exactly as given (no URL normalisation: dot segments, backslashes and %00 stay). */
function raw(port: number, req: Sent, timeoutMs = 30_000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
    const headers: Record<string, string> = { connection: 'close', ...(req.headers ?? {}) };
    if (body) headers['content-length'] = String(body.length);
    let settled = false;
    let answered = false;
    const r = http.request({ host: '127.0.0.1', port, agent: false, method: req.method ?? 'GET', path: req.path, headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      const finish = () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        r.destroy();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
      };
      res.on('data', (c: Buffer) => {
        chunks.push(c);
        // A stream (server-sent events) is not waited for: its first bytes are enough.
        if (String(res.headers['content-type']).startsWith('text/event-stream')) setTimeout(finish, 300);
      });
      res.on('end', finish);
      res.on('error', finish);
      res.on('close', finish);
    });
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      r.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms: ${req.method ?? 'GET'} ${req.path.slice(0, 120)}`));
    }, timeoutMs);
    // The server may answer (413, 401, …) and close before the whole body is written.
    r.on('error', (err) => {
      if (settled || answered) return; // an answer has begun: its own handlers finish it
      settled = true;
      clearTimeout(timer);
      reject(err);
    });
    r.end(body);
  });
}

/** A multipart body built by the platform's FormData serialiser. */
async function multipart(parts: [string, string | { data: Buffer; filename: string }][]): Promise<{ body: Buffer; headers: Record<string, string> }> {
  const form = new FormData();
  for (const [name, value] of parts) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, new Blob([new Uint8Array(value.data)]), value.filename);
  }
  const req = new Request('http://localhost/', { method: 'POST', body: form });
  return { body: Buffer.from(await req.arrayBuffer()), headers: { 'content-type': req.headers.get('content-type')! } };
}

async function listTree(root: string, rel = ''): Promise<string[]> {
  let entries;
  try {
    entries = await fs.readdir(path.join(root, rel), { withFileTypes: true });
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const e of entries) {
    const p = path.join(rel, e.name);
    out.push(e.isDirectory() ? `${p}/` : p);
    if (e.isDirectory()) out.push(...(await listTree(root, p)));
  }
  return out.sort();
}

interface Case {
  name: string;
  /** Builds the request (ids are known only once the server runs). */
  send: () => Promise<Sent> | Sent;
  /** An exact status; otherwise any 4xx. */
  status?: number;
  code?: string;
  /** Answered by Node's HTTP parser itself (431, 400 for an unknown method): no JSON body. */
  raw?: boolean;
  /** A known bug: the case is kept, marked todo, until the app is fixed. */
  todo?: string;
}

describe('hostile input', async () => {
  const dir = await tempDir('talecast-hostile-');
  const fixture = await sharedFixture(5, 'a');
  const photo = await fs.readFile(SAMPLE);
  let db: TestDatabase;
  let api: ApiProcess | undefined;
  let port = 0;
  let faceId = '';
  let renderId = '';
  let renderDone = false;

  /** Everything a request could write: uploads/, generated/ and the admin's incoming folder. */
  const snapshot = async () => {
    const trees: string[] = [];
    for (const root of ['uploads', 'generated', '.data/incoming']) {
      for (const p of await listTree(path.join(dir.path, root))) {
        // The render requested in `before` writes its own files until it is done.
        if (!renderDone && p.startsWith(`${renderId}/`) && root === 'generated') continue;
        trees.push(`${root}/${p}`);
      }
    }
    return trees;
  };

  before(async () => {
    db = await createTestDatabase(true);
    const env = {
      TALECAST_DATA_DIR: dir.path,
      DATABASE_URL: db.url,
      TALECAST_ROLE: 'all',
      TALECAST_ADMIN_TOKEN: ADMIN_TOKEN,
      TALECAST_UPLOAD_MAX_BYTES: String(3 * 1024 * 1024),
      TALECAST_RENDER_STALE: '3s',
    };
    // The story's analysis and the server's start overlap (the schema is already migrated).
    const [pre, started] = await Promise.allSettled([
      runNode(CLI_MAIN, ['precompute', '--story', 'tale', '--video', fixture.video, '--masks', fixture.masks, '--title', 'The Tale'], env, 300_000),
      startApi(env, 120_000),
    ]);
    if (started.status === 'fulfilled') api = started.value;
    else throw started.reason;
    assert.equal(pre.status, 'fulfilled');
    assert.equal(pre.value.code, 0, pre.value.output);
    port = Number(new URL(api.url).port);

    const form = new FormData();
    form.append('photo', new Blob([new Uint8Array(photo)]), 'sample2.jpg');
    const up = await fetch(`${api.url}/api/faces`, { method: 'POST', body: form });
    const face = await up.json();
    assert.equal(up.status, 201, JSON.stringify(face));
    faceId = face.id;
    const r = await fetch(`${api.url}/api/renders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storyId: 'tale', faces: { hero: [faceId] } }),
    });
    const render = await r.json();
    assert.equal(r.status, 202, JSON.stringify(render));
    renderId = render.id;
  });

  after(async () => {
    if (process.env.TALECAST_TEST_DEBUG) console.log(api?.output());
    await api?.stop();
    await db?.drop();
    await dir.cleanup();
  });

  // Server-side paths (the request's own path may be echoed back, so '/etc/' is not listed).
  const forbiddenInBody = () => [dir.path, REPO_ROOT, `${os.tmpdir()}/`, 'node_modules', 'dist/', 'root:x:0:0'];

  /** The invariants every hostile request must keep. */
  async function check(c: Case, reply: Reply, before: string[]): Promise<void> {
    const label = `${c.name}: ${reply.status} ${reply.text.slice(0, 300)}`;
    if (c.status !== undefined) assert.equal(reply.status, c.status, label);
    assert.ok(reply.status >= 400 && reply.status < 500, `a 4xx, never a 5xx — ${label}`);
    if (!c.raw) {
      assert.match(String(reply.headers['content-type']), /^application\/json/, label);
      const body = JSON.parse(reply.text);
      assert.equal(typeof body.error?.code, 'string', label);
      assert.equal(typeof body.error?.message, 'string', label);
      if (c.code) assert.equal(body.error.code, c.code, label);
    }
    assert.ok(!/\n\s+at |\bat [^\s]+ \(|\.[jt]s:\d+/.test(reply.text), `no stack trace — ${label}`);
    for (const s of forbiddenInBody()) assert.ok(!reply.text.includes(s), `no path "${s}" in the body — ${label}`);
    assert.deepEqual(await snapshot(), before, `nothing written on disk — ${c.name}`);
  }

  async function runCase(c: Case): Promise<void> {
    const before = await snapshot();
    const reply = await raw(port, await c.send());
    await check(c, reply, before);
    const health = await raw(port, { path: '/api/health' });
    assert.equal(health.status, 200, `still serving after ${c.name}`);
  }

  // ---- ids on every route ----------------------------------------------------------------------
  const hostileIds: [string, () => string][] = [
    ['..%2F..%2Fetc%2Fpasswd (encoded)', () => '..%2F..%2Fetc%2Fpasswd'],
    ['..%252F..%252Fetc (double-encoded)', () => '..%252F..%252Fetc%252Fpasswd'],
    ['%2e%2e%2f%2e%2e%2f (encoded dots)', () => '%2e%2e%2f%2e%2e%2fetc'],
    ['..\\..\\etc (backslashes)', () => '..\\..\\..\\etc\\passwd'],
    ['..%5C..%5Cetc (encoded backslashes)', () => '..%5C..%5Cetc%5Cpasswd'],
    ['%2Fetc%2Fpasswd (absolute path)', () => '%2Fetc%2Fpasswd'],
    ['C:%5Cwindows (drive path)', () => 'C:%5Cwindows%5Cwin.ini'],
    ['a real id + %00 (NUL byte)', () => `${faceId}%00`],
    ['a real id + %00.png', () => `${renderId}%00.png`],
    ['a real id + %2F..', () => `${faceId}%2F..%2F${renderId}`],
    ['.. (bare dot segment)', () => '..'],
    ['a 22-character id with a dot', () => '..aaaaaaaaaaaaaaaaaaaa'],
  ];
  const idRoutes: [string, (id: string) => string][] = [
    ['GET', (id) => `/api/faces/${id}`],
    ['DELETE', (id) => `/api/faces/${id}`],
    ['GET', (id) => `/api/faces/${id}/preview.png`],
    ['GET', (id) => `/api/renders/${id}`],
    ['DELETE', (id) => `/api/renders/${id}`],
    ['GET', (id) => `/api/renders/${id}/video.mp4`],
    ['GET', (id) => `/api/renders/${id}/events`],
    ['GET', (id) => `/api/renders/${id}/hls/index.m3u8`],
    ['GET', (id) => `/api/stories/${id}`],
    ['GET', (id) => `/api/stories/${id}/thumbnail.jpg`],
    ['GET', (id) => `/api/admin/stories/${id}`],
    ['GET', (id) => `/api/admin/stories/${id}/samples`],
    ['GET', (id) => `/api/admin/stories/tale/samples/${id}.jpg`],
  ];
  for (const [label, id] of hostileIds) {
    test(`id ${label} on every route with an id → 4xx`, async () => {
      for (const [method, route] of idRoutes) {
        await runCase({ name: `${method} ${route(label)}`, send: () => ({ method, path: route(id()), headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }) });
      }
    });
  }

  test('ids of the wrong kind: a face id as a render and a render id as a face → 404', async () => {
    await runCase({ name: 'render id as face', send: () => ({ path: `/api/faces/${renderId}` }), status: 404 });
    await runCase({ name: 'render id as face preview', send: () => ({ path: `/api/faces/${renderId}/preview.png` }), status: 404 });
    await runCase({ name: 'face id as render', send: () => ({ path: `/api/renders/${faceId}` }), status: 404 });
    await runCase({ name: 'face id as render video', send: () => ({ path: `/api/renders/${faceId}/video.mp4` }), status: 404 });
    await runCase({ name: 'face id as story', send: () => ({ path: `/api/stories/${faceId}` }), status: 404 });
  });

  // ---- bodies ----------------------------------------------------------------------------------
  const json = (body: unknown, headers: Record<string, string> = {}): Sent => ({
    method: 'POST',
    path: '/api/renders',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body),
  });
  const cases: Case[] = [
    { name: 'JSON body over 64 kB → 413', send: () => json({ storyId: 'tale', faces: { hero: [faceId] }, pad: 'x'.repeat(70_000) }), status: 413 },
    { name: 'JSON body of 1 MB → 413', send: () => json(`{"storyId":"${'a'.repeat(1024 * 1024)}"}`), status: 413 },
    {
      name: 'gzip bomb (10 kB → 10 MB JSON) → 413',
      send: () => json(zlib.gzipSync(Buffer.alloc(10 * 1024 * 1024, 32)), { 'content-encoding': 'gzip' }),
      status: 413,
    },
    { name: 'corrupt gzip body', send: () => json('not gzip at all', { 'content-encoding': 'gzip' }) },
    { name: 'unsupported content-encoding', send: () => json('{}', { 'content-encoding': 'compress' }) },
    { name: 'JSON body over 64 kB to /api/faces → 4xx', send: () => ({ ...json({ pad: 'x'.repeat(70_000) }), path: '/api/faces' }) },
    {
      name: 'text/plain to /api/renders → 400',
      send: () => ({
        method: 'POST',
        path: '/api/renders',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ storyId: 'tale', faces: { hero: [faceId] } }),
      }),
      status: 400,
    },
    {
      name: 'form-urlencoded to /api/renders → 400',
      send: () => ({
        method: 'POST',
        path: '/api/renders',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `storyId=tale&faces[hero][]=${faceId}`,
      }),
      status: 400,
    },
    {
      name: 'multipart to /api/renders → 400',
      send: async () => ({
        method: 'POST',
        path: '/api/renders',
        ...(await multipart([
          ['storyId', 'tale'],
          ['faces', faceId],
        ])),
      }),
      status: 400,
    },
    { name: 'no content type and no body to /api/renders → 400', send: () => ({ method: 'POST', path: '/api/renders' }), status: 400 },
    { name: 'JSON to /api/faces → 400', send: () => ({ ...json({ photo: 'aGVsbG8=' }), path: '/api/faces' }), status: 400 },
    {
      name: 'a bare image/jpeg body to /api/faces → 400',
      send: () => ({ method: 'POST', path: '/api/faces', headers: { 'content-type': 'image/jpeg' }, body: photo.subarray(0, 2000) }),
      status: 400,
    },
    { name: 'invalid JSON → 400', send: () => json('{"storyId":'), status: 400 },
    { name: 'JSON null → 400', send: () => json('null'), status: 400 },
    { name: 'JSON array → 400', send: () => json([{ storyId: 'tale' }]), status: 400 },
    { name: 'JSON in UTF-16 charset → 4xx', send: () => json('{"storyId":"tale"}', { 'content-type': 'application/json; charset=utf-16' }) },
    { name: 'missing everything: {} → 400', send: () => json({}), status: 400 },
    { name: 'missing faces → 400', send: () => json({ storyId: 'tale' }), status: 400 },
    { name: 'missing storyId → 400', send: () => json({ faces: { hero: [faceId] } }), status: 400 },
    { name: 'storyId: 5 → 400', send: () => json({ storyId: 5, faces: { hero: [faceId] } }), status: 400 },
    { name: 'storyId: an object → 400', send: () => json({ storyId: { $ne: null }, faces: { hero: [faceId] } }), status: 400 },
    { name: 'faces: "x" → 400', send: () => json({ storyId: 'tale', faces: 'x' }), status: 400 },
    { name: 'faces: {hero: "id"} → 400', send: () => json({ storyId: 'tale', faces: { hero: faceId } }), status: 400 },
    { name: 'faces: [id] (an array) → 400', send: () => json({ storyId: 'tale', faces: [faceId] }), status: 400 },
    { name: 'faces: {hero: [5]} → 400', send: () => json({ storyId: 'tale', faces: { hero: [5] } }), status: 400 },
    { name: 'faces: {hero: []} → 400', send: () => json({ storyId: 'tale', faces: { hero: [] } }), status: 400 },
    { name: '6 faces for one role → 400', send: () => json({ storyId: 'tale', faces: { hero: Array(6).fill(faceId) } }), status: 400 },
    { name: '1000 faces for one role → 400', send: () => json({ storyId: 'tale', faces: { hero: Array(1000).fill(faceId) } }), status: 400 },
    { name: 'faceIds: "x" → 400', send: () => json({ storyId: 'tale', faceIds: 'x' }), status: 400 },
    { name: 'unknown role "__proto__" → 400', send: () => json(`{"storyId":"tale","faces":{"__proto__":["${faceId}"]}}`), status: 400 },
    { name: 'unknown role "constructor" → 400', send: () => json({ storyId: 'tale', faces: { constructor: [faceId] } }), status: 400 },
    { name: 'deeply nested JSON → 4xx', send: () => json(`{"storyId":"tale","faces":${'['.repeat(5000)}${']'.repeat(5000)}}`) },
    { name: 'storyId "../../etc" → 404', send: () => json({ storyId: '../../etc', faces: { hero: [faceId] } }), status: 404 },
    { name: 'storyId "/etc/passwd" → 404', send: () => json({ storyId: '/etc/passwd', faces: { hero: [faceId] } }), status: 404 },
    { name: 'storyId "tale\\u0000" → 404', send: () => json({ storyId: 'tale\u0000', faces: { hero: [faceId] } }), status: 404 },
    { name: 'storyId of 10 000 characters → 404', send: () => json({ storyId: 'a'.repeat(10_000), faces: { hero: [faceId] } }), status: 404 },
    {
      name: 'face id "../../../../etc/passwd" → 422',
      send: () => json({ storyId: 'tale', faces: { hero: ['../../../../etc/passwd'] } }),
      status: 422,
      code: 'FACE_MISSING',
    },
    {
      name: 'face id with a NUL byte → 422',
      send: () => json({ storyId: 'tale', faces: { hero: [`${faceId.slice(0, 21)}\u0000`] } }),
      status: 422,
      code: 'FACE_MISSING',
    },
    { name: 'a render id as a face id → 422', send: () => json({ storyId: 'tale', faces: { hero: [renderId] } }), status: 422, code: 'FACE_MISSING' },

    // ---- multipart ------------------------------------------------------------------------------
    {
      name: 'multipart with two photo files → 400',
      send: async () => ({
        method: 'POST',
        path: '/api/faces',
        ...(await multipart([
          ['photo', { data: photo, filename: 'a.jpg' }],
          ['photo', { data: photo, filename: 'b.jpg' }],
        ])),
      }),
      status: 400,
    },
    {
      name: 'multipart with 20 files under other names → 400',
      send: async () => ({
        method: 'POST',
        path: '/api/faces',
        ...(await multipart(
          Array.from(
            { length: 20 },
            (_, i) => [`x${i}`, { data: photo.subarray(0, 5000), filename: `${i}.jpg` }] as [string, { data: Buffer; filename: string }],
          ),
        )),
      }),
      status: 400,
    },
    {
      name: 'multipart with 50 fields → 400',
      send: async () => ({
        method: 'POST',
        path: '/api/faces',
        ...(await multipart([...Array.from({ length: 50 }, (_, i) => [`f${i}`, 'v'] as [string, string]), ['photo', { data: photo, filename: 'a.jpg' }]])),
      }),
      status: 400,
    },
    {
      name: 'multipart with 2000 parts (about 1 MB) → 400',
      send: async () => ({
        method: 'POST',
        path: '/api/faces',
        ...(await multipart(Array.from({ length: 2000 }, (_, i) => [`p${i}`, 'x'.repeat(500)] as [string, string]))),
      }),
      status: 400,
    },
    {
      name: 'a field value of 5000 bytes → 400',
      send: async () => ({
        method: 'POST',
        path: '/api/faces',
        ...(await multipart([
          ['faceIndex', '1'.repeat(5000)],
          ['photo', { data: photo, filename: 'a.jpg' }],
        ])),
      }),
      status: 400,
    },
    {
      name: 'a field name of 500 bytes → 400',
      send: async () => ({
        method: 'POST',
        path: '/api/faces',
        ...(await multipart([
          ['n'.repeat(500), '1'],
          ['photo', { data: photo, filename: 'a.jpg' }],
        ])),
      }),
      status: 400,
    },
    {
      name: 'a photo over the size limit → 413',
      send: async () => ({
        method: 'POST',
        path: '/api/faces',
        ...(await multipart([['photo', { data: Buffer.concat([photo, Buffer.alloc(3 * 1024 * 1024)]), filename: 'big.jpg' }]])),
      }),
      status: 413,
      code: 'FILE_TOO_LARGE',
    },
    {
      name: 'the photo in the wrong field → 400',
      send: async () => ({ method: 'POST', path: '/api/faces', ...(await multipart([['picture', { data: photo, filename: 'a.jpg' }]])) }),
      status: 400,
      code: 'WRONG_FIELD',
    },
    {
      name: 'multipart without a photo → 400',
      send: async () => ({ method: 'POST', path: '/api/faces', ...(await multipart([['faceIndex', '0']])) }),
      status: 400,
    },
    {
      name: 'multipart with a boundary that never appears → 400',
      send: () => ({
        method: 'POST',
        path: '/api/faces',
        headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
        body: 'garbage without the boundary',
      }),
      status: 400,
    },
    {
      name: 'multipart without a boundary → 400',
      send: () => ({ method: 'POST', path: '/api/faces', headers: { 'content-type': 'multipart/form-data' }, body: 'garbage' }),
      status: 400,
    },
    {
      name: 'multipart cut off in the middle of the photo → 400',
      send: async () => {
        const m = await multipart([['photo', { data: photo, filename: 'a.jpg' }]]);
        return { method: 'POST', path: '/api/faces', headers: m.headers, body: m.body.subarray(0, Math.floor(m.body.length / 2)) };
      },
      status: 400,
    },
    {
      name: 'faceIndex "-1" → 422',
      send: async () => ({
        method: 'POST',
        path: '/api/faces',
        ...(await multipart([
          ['faceIndex', '-1'],
          ['photo', { data: photo, filename: 'a.jpg' }],
        ])),
      }),
      status: 422,
    },
    {
      name: 'faceIndex given twice → 422',
      send: async () => ({
        method: 'POST',
        path: '/api/faces',
        ...(await multipart([
          ['faceIndex', '0'],
          ['faceIndex', '1'],
          ['photo', { data: photo, filename: 'a.jpg' }],
        ])),
      }),
      status: 422,
    },
    {
      // multer turns `faceIndex[a]` into a null-prototype object (Number() on it throws): was a 500.
      name: 'faceIndex[a] (a nested field) → 422',
      send: async () => ({
        method: 'POST',
        path: '/api/faces',
        ...(await multipart([
          ['faceIndex[a]', '1'],
          ['photo', { data: photo, filename: 'a.jpg' }],
        ])),
      }),
      status: 422,
      code: 'FACE_INDEX_OUT_OF_RANGE',
    },

    // ---- admin -------------------------------------------------------------------------------------
    { name: 'admin list without a token → 401', send: () => ({ path: '/api/admin/stories' }), status: 401, code: 'UNAUTHORIZED' },
    {
      name: 'admin list with a wrong token → 403',
      send: () => ({ path: '/api/admin/stories', headers: { authorization: 'Bearer wrong-token-wrong-token-0000' } }),
      status: 403,
      code: 'FORBIDDEN',
    },
    {
      name: 'admin list with the token as Basic auth → 401',
      send: () => ({ path: '/api/admin/stories', headers: { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString('base64')}` } }),
      status: 401,
    },
    {
      name: 'admin list with a token prefix → 403',
      send: () => ({ path: '/api/admin/stories', headers: { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}` } }),
      status: 403,
    },
    {
      name: 'admin list with a 8 kB token → 403',
      send: () => ({ path: '/api/admin/stories', headers: { authorization: `Bearer ${'t'.repeat(8000)}` } }),
      status: 403,
    },
    { name: 'admin story without a token → 401', send: () => ({ path: '/api/admin/stories/tale' }), status: 401 },
    {
      name: 'admin samples with a wrong token → 403',
      send: () => ({ path: '/api/admin/stories/tale/samples', headers: { authorization: 'Bearer wrong-token-wrong-token-0000' } }),
      status: 403,
    },
    {
      name: 'admin upload without a token → 401',
      send: async () => ({
        method: 'POST',
        path: '/api/admin/stories',
        ...(await multipart([
          ['storyId', 'evil'],
          ['video', { data: photo.subarray(0, 4000), filename: 'v.mp4' }],
          ['masks', { data: Buffer.from('{}'), filename: 'm.json' }],
        ])),
      }),
      status: 401,
    },
    {
      name: 'admin upload with a wrong token → 403',
      send: async () => {
        const m = await multipart([
          ['storyId', 'evil'],
          ['video', { data: photo.subarray(0, 4000), filename: 'v.mp4' }],
          ['masks', { data: Buffer.from('{}'), filename: 'm.json' }],
        ]);
        return { method: 'POST', path: '/api/admin/stories', headers: { ...m.headers, authorization: 'Bearer wrong-token-wrong-token-0000' }, body: m.body };
      },
      status: 403,
    },
    {
      name: 'admin upload with a storyId "../../x" → 400',
      send: async () => {
        const m = await multipart([
          ['storyId', '../../x'],
          ['video', { data: photo.subarray(0, 4000), filename: 'v.mp4' }],
          ['masks', { data: Buffer.from('{}'), filename: 'm.json' }],
        ]);
        return { method: 'POST', path: '/api/admin/stories', headers: { ...m.headers, authorization: `Bearer ${ADMIN_TOKEN}` }, body: m.body };
      },
      status: 400,
      code: 'INVALID_STORY_ID',
    },
    {
      name: 'admin upload with three files → 400',
      send: async () => {
        const m = await multipart([
          ['video', { data: photo.subarray(0, 4000), filename: 'v.mp4' }],
          ['video', { data: photo.subarray(0, 4000), filename: 'w.mp4' }],
          ['masks', { data: Buffer.from('{}'), filename: 'm.json' }],
        ]);
        return { method: 'POST', path: '/api/admin/stories', headers: { ...m.headers, authorization: `Bearer ${ADMIN_TOKEN}` }, body: m.body };
      },
      status: 400,
    },
    // Nested multipart fields become null-prototype objects: String()/.slice() on them was a 500.
    ...(['storyId[a]', 'title[a]', 'style[a]'] as const).map((nested): Case => ({
      name: `admin upload with ${nested} (a nested field) → 400`,
      send: async () => {
        const fields: [string, string][] =
          nested === 'storyId[a]'
            ? [[nested, 'x']]
            : [
                ['storyId', 'zz-hostile'],
                [nested, 'x'],
              ];
        const m = await multipart([
          ...fields,
          ['video', { data: photo.subarray(0, 4000), filename: 'v.mp4' }],
          ['masks', { data: Buffer.from('{}'), filename: 'm.json' }],
        ]);
        return { method: 'POST', path: '/api/admin/stories', headers: { ...m.headers, authorization: `Bearer ${ADMIN_TOKEN}` }, body: m.body };
      },
      status: 400,
    })),

    // ---- methods and URLs ------------------------------------------------------------------------
    { name: 'PUT /api/renders → 404', send: () => ({ ...json({ storyId: 'tale' }), method: 'PUT' }), status: 404 },
    {
      name: 'PATCH /api/faces/:id → 404',
      send: () => ({ method: 'PATCH', path: `/api/faces/${faceId}`, headers: { 'content-type': 'application/json' }, body: '{"status":"ready"}' }),
      status: 404,
    },
    { name: 'DELETE /api/stories/tale → 404', send: () => ({ method: 'DELETE', path: '/api/stories/tale' }), status: 404 },
    { name: 'PROPFIND /api/faces → 404', send: () => ({ method: 'PROPFIND', path: '/api/faces' }), status: 404 },
    { name: 'TRACE /api/health → 4xx', send: () => ({ method: 'TRACE', path: '/api/health' }) },
    { name: 'an unknown method FOO → 400 from the HTTP parser', send: () => ({ method: 'FOO', path: '/api/renders' }), raw: true },
    { name: 'a URL of 8 kB → 404', send: () => ({ path: `/api/renders/${'a'.repeat(8000)}` }), status: 404 },
    { name: 'a URL of 20 kB → 431 from the HTTP parser', send: () => ({ path: `/api/faces/${'a'.repeat(20_000)}` }), raw: true },
    { name: 'a URL of 100 kB → 431 from the HTTP parser', send: () => ({ path: `/api/stories/${'%2e'.repeat(33_000)}` }), raw: true },
    { name: 'a query string of 10 kB on a render → 404', send: () => ({ path: `/api/renders/${'..%2F'.repeat(10)}?${'q=1&'.repeat(2500)}` }), status: 404 },
    { name: 'an unknown route under /api → 404', send: () => ({ path: '/api/../../etc/passwd' }), status: 404 },
    {
      name: 'an encoded traversal outside /api → 404 (Express answers, not the app)',
      send: () => ({ path: '/%2e%2e/%2e%2e/etc/passwd' }),
      status: 404,
      raw: true,
    },
  ];
  for (const c of cases) test(c.name, c.todo ? { todo: c.todo } : {}, () => runCase(c));

  test('a hostile file name is ignored: stored under a random id, nothing outside it', async () => {
    const before = await snapshot();
    const m = await multipart([['photo', { data: photo, filename: '../../../../../tmp/talecast-evil.jpg' }]]);
    const reply = await raw(port, { method: 'POST', path: '/api/faces', ...m });
    assert.equal(reply.status, 201, reply.text);
    const id = JSON.parse(reply.text).id as string;
    assert.match(id, /^[A-Za-z0-9_-]{22}$/);
    const added = (await snapshot()).filter((p) => !before.includes(p));
    assert.ok(added.length > 0 && added.every((p) => p.startsWith(`uploads/${id}/`)), `only uploads/${id}/…: ${added.join(', ')}`);
    assert.ok(!(await listTree(dir.path)).some((p) => p.includes('evil')), 'no file named after the upload');
    await assert.rejects(fs.access(path.join(os.tmpdir(), 'talecast-evil.jpg')));
    assert.equal((await raw(port, { method: 'DELETE', path: `/api/faces/${id}` })).status, 200);
    assert.deepEqual(await snapshot(), before);
  });

  // ---- HLS names against a finished render -------------------------------------------------------
  test('HLS names outside the render → 4xx; the render itself still plays', async () => {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const s = JSON.parse((await raw(port, { path: `/api/renders/${renderId}` })).text);
      if (s.status === 'done') break;
      assert.ok(['queued', 'rendering'].includes(s.status) && Date.now() < deadline, `render status ${s.status}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    renderDone = true;
    const hls = (name: string) => `/api/renders/${renderId}/hls/${name}`;
    const names = [
      '../video.mp4',
      '..%2Fvideo.mp4',
      '..%252Fvideo.mp4',
      '%2e%2e%2fvideo.mp4',
      '..%5Cvideo.mp4',
      '..\\video.mp4',
      'seg-0000.ts/../..',
      'seg-0000.ts%2F..%2F..',
      'seg-0000.ts%2F..%2F..%2Fvideo.mp4',
      'index.m3u8%00.ts',
      'seg-0000.ts%00',
      'seg-99999.ts',
      'seg-9999.ts',
      'seg--001.ts',
      'seg-0000.mp4',
      '.index.m3u8',
      'index.m3u8.tmp',
      '%2Fetc%2Fpasswd',
      `..%2F..%2F..%2Fuploads%2F${faceId}%2Fface.png`,
    ];
    for (const name of names) await runCase({ name: `GET hls/${name}`, send: () => ({ path: hls(name) }) });
    await runCase({ name: 'GET hls with the segment path doubled', send: () => ({ path: `${hls('seg-0000.ts')}/seg-0000.ts` }), status: 404 });

    const playlist = await raw(port, { path: hls('index.m3u8') });
    assert.equal(playlist.status, 200);
    assert.match(playlist.text, /#EXT-X-ENDLIST/);
    const first = playlist.text.split('\n').find((l) => l.endsWith('.ts'))!;
    const seg = await raw(port, { path: hls(first) });
    assert.equal(seg.status, 200);
    assert.equal(seg.headers['content-type'], 'video/mp2t');
    const video = await raw(port, { path: `/api/renders/${renderId}/video.mp4`, headers: { range: 'bytes=0-99' } });
    assert.equal(video.status, 206);
  });

  // Was a 404 RENDER_NOT_FOUND labelled video/mp4.
  test('a range beyond the end of the video → 416 with Content-Range and a JSON body', async () => {
    await runCase({
      name: 'range past the end',
      send: () => ({ path: `/api/renders/${renderId}/video.mp4`, headers: { range: 'bytes=999999999-' } }),
      status: 416,
    });
    const reply = await raw(port, { path: `/api/renders/${renderId}/video.mp4`, headers: { range: 'bytes=999999999-' } });
    assert.match(String(reply.headers['content-range']), /^bytes \*\/\d+$/);
    assert.equal(reply.headers['content-disposition'], undefined);
  });

  // Was a 200 event stream carrying one `failed` event.
  test('events of a well-formed but unknown render id → 404', async () => {
    await runCase({ name: 'events of an unknown render', send: () => ({ path: '/api/renders/AAAAAAAAAAAAAAAAAAAAAA/events' }), status: 404 });
  });

  test('after all of it: the server is healthy and the story and the face are intact', async () => {
    assert.equal((await raw(port, { path: '/api/health' })).status, 200);
    assert.equal(JSON.parse((await raw(port, { path: '/api/stories/tale' })).text).status, 'ready');
    assert.equal(JSON.parse((await raw(port, { path: `/api/faces/${faceId}` })).text).status, 'ready');
    const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
    assert.equal((await raw(port, { path: '/api/admin/stories/zz-hostile', headers: admin })).status, 404, 'no story was begun by a refused admin upload');
    assert.equal((await raw(port, { path: '/api/admin/stories/evil', headers: admin })).status, 404);
    assert.equal(api!.child.exitCode, null, 'the server process is still running');
  });
});
