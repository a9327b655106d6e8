// POST /api/faces against the real server and the real face models: good photos in every common
// form, and every kind of bad input → a clear 4xx with a reason code, nothing left on disk, and
// the server still serving.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sharp } from '@talecast/face/sharp-image';
import zlib from 'node:zlib';
import { samplePhotoDirectory } from '@talecast/face';
import { ApiProcess, createTestDatabase, startApi, TestDatabase, tempDir } from '@talecast/testing';

const SAMPLE = path.join(samplePhotoDirectory(), 'sample2.jpg');

async function post(api: ApiProcess, field: string, body: Buffer, filename = 'photo.jpg', extra: Record<string, string> = {}) {
  const form = new FormData();
  form.append(field, new Blob([new Uint8Array(body)]), filename);
  for (const [k, v] of Object.entries(extra)) form.append(k, v);
  const res = await fetch(`${api.url}/api/faces`, { method: 'POST', body: form });
  return { status: res.status, body: await res.json() };
}

/** A PNG whose header declares width×height but carries almost no data (a decompression bomb). */
function bombPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crcInput = Buffer.concat([Buffer.from(type), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE((zlib as unknown as { crc32(b: Buffer): number }).crc32(crcInput) >>> 0);
    return Buffer.concat([len, Buffer.from(type), data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2; // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.alloc(1000))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('POST /api/faces', async () => {
  const dir = await tempDir();
  let db: TestDatabase;
  let api: ApiProcess;
  const uploads = path.join(dir.path, 'uploads');
  const photo = await fs.readFile(SAMPLE);

  before(async () => {
    db = await createTestDatabase(false);
    api = await startApi({ TALECAST_DATA_DIR: dir.path, DATABASE_URL: db.url, TALECAST_UPLOAD_MAX_BYTES: String(3 * 1024 * 1024), TALECAST_ROLE: 'api' });
  });
  after(async () => {
    if (process.env.TALECAST_TEST_DEBUG) console.log(api?.output());
    await api?.stop();
    await db?.drop();
    await dir.cleanup();
  });

  const stored = async () => (await fs.readdir(uploads).catch(() => [])).filter((n) => n !== '.gitkeep');

  test('a good photo: the largest usable face, all boxes listed, preview, metadata, delete', async () => {
    const r = await post(api, 'photo', photo);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.ok(r.body.faceCount >= 1);
    assert.equal(r.body.faces.length, r.body.faceCount);
    assert.match(r.body.id, /^[A-Za-z0-9_-]{22}$/);
    const preview = await fetch(`${api.url}${r.body.previewUrl}`);
    assert.equal(preview.headers.get('content-type'), 'image/png');
    const meta = await sharp(Buffer.from(await preview.arrayBuffer())).metadata();
    assert.equal(meta.width, 512);
    assert.equal(meta.hasAlpha, true);
    const info = await (await fetch(`${api.url}/api/faces/${r.body.id}`)).json();
    assert.equal(info.status, 'ready');
    assert.deepEqual(
      info.events.map((e: { event: string }) => e.event),
      ['uploaded'],
    );
    assert.ok(!JSON.stringify(info).includes('landmarks'), 'no landmarks in the API');
    const del = await fetch(`${api.url}/api/faces/${r.body.id}`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    assert.deepEqual(await stored(), []);
    assert.equal((await fetch(`${api.url}${r.body.previewUrl}`)).status, 404);
  });

  test('several faces: faceIndex picks another; out of range is refused', async () => {
    const group = await fs.readFile(path.join(samplePhotoDirectory(), 'sample1.jpg'));
    const first = await post(api, 'photo', group);
    assert.equal(first.status, 201);
    assert.ok(first.body.faceCount >= 3);
    const other = await post(api, 'photo', group, 'g.jpg', { faceIndex: '1' });
    assert.equal(other.status, 201);
    assert.equal(other.body.chosenIndex, 1);
    const bad = await post(api, 'photo', group, 'g.jpg', { faceIndex: '9' });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.code, 'FACE_INDEX_OUT_OF_RANGE');
    for (const id of [first.body.id, other.body.id]) await fetch(`${api.url}/api/faces/${id}`, { method: 'DELETE' });
  });

  test('EXIF-rotated, WebP, GIF, CMYK and AVIF photos are handled', async () => {
    const { data, info } = await sharp(photo).resize({ width: 1200 }).raw().toBuffer({ resolveWithObject: true });
    const raw = { raw: { width: info.width, height: info.height, channels: info.channels } } as const;
    const variants: [string, Buffer][] = [
      ['exif-6', await sharp(data, raw).rotate(-90).jpeg().withMetadata({ orientation: 6 }).toBuffer()],
      ['exif-8', await sharp(data, raw).rotate(90).jpeg().withMetadata({ orientation: 8 }).toBuffer()],
      ['webp', await sharp(data, raw).webp().toBuffer()],
      ['gif', await sharp(data, raw).gif().toBuffer()],
      ['cmyk', await sharp(data, raw).toColourspace('cmyk').jpeg().toBuffer()],
      ['avif', await sharp(data, raw).avif({ quality: 70 }).toBuffer()],
    ];
    for (const [name, buf] of variants) {
      const r = await post(api, 'photo', buf, `${name}.img`);
      assert.equal(r.status, 201, `${name}: ${JSON.stringify(r.body)}`);
      assert.ok(Math.abs(r.body.pose.roll) < 25, `${name}: upright after orientation (roll ${r.body.pose.roll})`);
      await fetch(`${api.url}/api/faces/${r.body.id}`, { method: 'DELETE' });
    }
  });

  test('bad input: a clear 4xx with a reason, nothing on disk, the server keeps serving', async () => {
    const landscape = await sharp({ create: { width: 800, height: 500, channels: 3, background: { r: 90, g: 160, b: 220 } } })
      .jpeg()
      .toBuffer();
    const tiny = await sharp(photo).resize({ width: 160 }).jpeg().toBuffer();
    const cases: [string, () => Promise<{ status: number; body: { error?: { code?: string; message: string } } }>, number, string][] = [
      ['empty file', () => post(api, 'photo', Buffer.alloc(0)), 422, 'EMPTY_FILE'],
      ['text named .jpg', () => post(api, 'photo', Buffer.from('hello, this is text'), 'x.jpg'), 422, 'NOT_AN_IMAGE'],
      ['truncated JPEG', () => post(api, 'photo', photo.subarray(0, Math.floor(photo.length / 3))), 422, 'TRUNCATED_IMAGE'],
      ['PNG declaring 30000x30000', () => post(api, 'photo', bombPng(30000, 30000), 'bomb.png'), 422, 'IMAGE_TOO_LARGE'],
      ['over the size limit', () => post(api, 'photo', Buffer.concat([photo, Buffer.alloc(3 * 1024 * 1024)])), 413, 'FILE_TOO_LARGE'],
      ['no face', () => post(api, 'photo', landscape), 422, 'NO_FACE'],
      ['a tiny face', () => post(api, 'photo', tiny), 422, 'FACE_TOO_SMALL'],
      ['wrong field name', () => post(api, 'picture', photo), 400, 'WRONG_FIELD'],
    ];
    for (const [name, send, status, code] of cases) {
      const r = await send();
      assert.equal(r.status, status, `${name}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error?.code, code, name);
      assert.ok(!/\n\s+at |\.ts:\d|\.js:\d/.test(r.body.error!.message), `${name}: no stack in the message`);
      assert.deepEqual(await stored(), [], `${name}: nothing left on disk`);
      assert.equal((await fetch(`${api.url}/api/health`)).status, 200, `${name}: still serving`);
    }
    const json = await fetch(`${api.url}/api/faces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(json.status, 400);
  });

  test('two uploads at once both succeed', async () => {
    const [a, b] = await Promise.all([post(api, 'photo', photo), post(api, 'photo', photo)]);
    assert.equal(a.status, 201);
    assert.equal(b.status, 201);
    assert.notEqual(a.body.id, b.body.id);
    for (const id of [a.body.id, b.body.id]) await fetch(`${api.url}/api/faces/${id}`, { method: 'DELETE' });
  });

  test('malformed ids are 404 before any lookup', async () => {
    for (const id of ['..%2F..%2Fetc', 'abc', 'x'.repeat(22) + '!']) {
      const r = await fetch(`${api.url}/api/faces/${id}`);
      assert.equal(r.status, 404, id);
    }
  });
});

describe('upload rate limit', async () => {
  const dir = await tempDir();
  let db: TestDatabase;
  let api: ApiProcess;
  before(async () => {
    db = await createTestDatabase(false);
    api = await startApi({ TALECAST_DATA_DIR: dir.path, DATABASE_URL: db.url, TALECAST_ROLE: 'api', TALECAST_UPLOADS_PER_MINUTE: '3' });
  });
  after(async () => {
    await api?.stop();
    await db?.drop();
    await dir.cleanup();
  });

  test('beyond the per-client limit: 429 with Retry-After, and render requests are counted apart', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const form = new FormData();
      form.append('photo', new Blob([new Uint8Array(Buffer.from('not an image'))]), 'x.jpg');
      const res = await fetch(`${api.url}/api/faces`, { method: 'POST', body: form });
      statuses.push(res.status);
      if (res.status === 429) {
        retryAfter = res.headers.get('retry-after');
        assert.equal((await res.json()).error.code, 'RATE_LIMITED');
      } else await res.arrayBuffer();
    }
    assert.deepEqual(statuses, [422, 422, 422, 429, 429]);
    assert.ok(Number(retryAfter) > 0);
    const render = await fetch(`${api.url}/api/renders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storyId: 'none', faces: { hero: ['AAAAAAAAAAAAAAAAAAAAAA'] } }),
    });
    assert.equal(render.status, 404, 'the render limit is separate');
  });
});
