// Scale-out: one `api` process and two `worker` processes on one database and one shared data
// dir. N renders requested at once (different uploaded faces) all complete, each is rendered
// exactly once, both workers take part, and every video is whole. A story uploaded to the `api`
// process is precomputed by a worker (the api never analyses video).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { ApiProcess, createTestDatabase, sharedFixture, TestDatabase, tempDir } from '@talecast/testing';
import {
  assertValidVideo,
  countEvents,
  leftoverTmpFiles,
  LOAD_SCALE,
  log,
  precomputeStory,
  renderRows,
  requestRender,
  sleep,
  startRole,
  stopAll,
  timedFetch,
  uploadFace,
  waitForRenders,
  workerName,
  ApiBody,
} from './load-support';

const ADMIN_TOKEN = 'load-admin-token-0123456789abcdef';

describe('scale-out: one api, two workers', async () => {
  const dir = await tempDir('talecast-load-scale-');
  let db: TestDatabase;
  let api: ApiProcess | undefined;
  const workers: ApiProcess[] = [];
  let env: Record<string, string>;
  let seconds = 5;

  before(async () => {
    db = await createTestDatabase(true);
    env = {
      TALECAST_DATA_DIR: dir.path,
      DATABASE_URL: db.url,
      TALECAST_RENDER_STALE: '3s',
      TALECAST_MAX_QUEUED_RENDERS: String(LOAD_SCALE + 10),
      TALECAST_ADMIN_TOKEN: ADMIN_TOKEN,
      TALECAST_LOG_LEVEL: 'log',
    };
    seconds = (await precomputeStory(env)).seconds;
    // All three start at once, as a scaled deployment does.
    const [a, ...w] = await Promise.allSettled([startRole('api', env), startRole('worker', env), startRole('worker', env)]);
    if (a.status === 'fulfilled') api = a.value;
    for (const s of w) if (s.status === 'fulfilled') workers.push(s.value);
    for (const s of [a, ...w]) if (s.status === 'rejected') throw s.reason;
  });
  after(async () => {
    if (process.env.TALECAST_TEST_DEBUG) for (const p of [api, ...workers]) console.log(p?.output());
    await stopAll([api, ...workers]);
    await db?.drop();
    await dir.cleanup();
  });

  test(`${LOAD_SCALE} renders at once: all complete, each exactly once, both workers used, valid videos`, { timeout: 30 * 60_000 }, async () => {
    // Different faces: samples 1–6, several uploads of each (each upload is a new face id).
    const faceIds: string[] = [];
    for (let i = 0; i < LOAD_SCALE; i += 3)
      faceIds.push(...(await Promise.all(Array.from({ length: Math.min(3, LOAD_SCALE - i) }, (_, k) => uploadFace(api!.url, i + k)))));
    assert.equal(new Set(faceIds).size, LOAD_SCALE);

    const started = Date.now();
    const created = await Promise.all(faceIds.map((id) => requestRender(api!.url, [id])));
    for (const c of created) assert.equal(c.status, 202, JSON.stringify(c.body));
    const ids = created.map((c) => c.body.id as string);
    assert.equal(new Set(ids).size, LOAD_SCALE, 'one render per request');

    const finished = await waitForRenders(api!.url, ids, 120_000 + LOAD_SCALE * 60_000);
    const wallSeconds = (Date.now() - started) / 1000;
    for (const [id, s] of finished) {
      assert.equal(s.status, 'done', `${id}: ${s.status} ${s.error}`);
      assert.equal(countEvents(s, 'rendered'), 1, `${id} rendered exactly once: ${s.events.map((e) => e.event).join(',')}`);
      assert.equal(countEvents(s, 'queued'), 1);
    }

    const rows = await renderRows(db.url);
    const names = new Set(workers.map(workerName));
    const byWorker = new Map<string, number>();
    for (const r of rows.filter((r) => ids.includes(r.id))) {
      assert.ok(r.worker && names.has(r.worker), `render ${r.id} done by ${r.worker}, not one of ${[...names].join(', ')}`);
      byWorker.set(r.worker!, (byWorker.get(r.worker!) ?? 0) + 1);
    }
    assert.equal(byWorker.size, 2, `both workers did work: ${JSON.stringify(Object.fromEntries(byWorker))}`);

    for (const id of ids) await assertValidVideo(dir.path, id, seconds);
    assert.deepEqual(await leftoverTmpFiles(`${dir.path}/generated`), [], 'no half-written files');
    log(
      `scale-out: ${LOAD_SCALE} renders of ${seconds} s on 2 workers in ${wallSeconds.toFixed(1)} s — ${((LOAD_SCALE / wallSeconds) * 60).toFixed(2)} videos/min, ${((LOAD_SCALE * seconds) / wallSeconds).toFixed(2)} s of video per second; per worker ${JSON.stringify(Object.fromEntries([...byWorker].map(([k, v]) => [k.split(':')[1], v])))}`,
    );
  });

  test('a story uploaded to the api process is precomputed by a worker', { timeout: 10 * 60_000 }, async () => {
    const fixture = await sharedFixture(5, 'a');
    const form = new FormData();
    form.append('storyId', 'admin-tale');
    form.append('title', 'Uploaded by the admin');
    form.append('video', new Blob([new Uint8Array(await fs.readFile(fixture.video))]), 'story.mp4');
    form.append('masks', new Blob([new Uint8Array(await fs.readFile(fixture.masks))]), 'masks.json');
    const auth = { authorization: `Bearer ${ADMIN_TOKEN}` };
    const started = Date.now();
    const created = await timedFetch(`${api!.url}/api/admin/stories`, { method: 'POST', headers: auth, body: form });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    let story: ApiBody | undefined;
    for (;;) {
      story = (await timedFetch(`${api!.url}/api/admin/stories/admin-tale`, { headers: auth })).body;
      if (story?.status !== 'precomputing') break;
      assert.ok(Date.now() - started < 8 * 60_000, 'the precompute finished in time');
      await sleep(500);
    }
    assert.equal(story?.status, 'ready', JSON.stringify(story));
    const ranIn = [api!, ...workers].filter((p) => p.output().includes('story admin-tale published'));
    assert.equal(ranIn.length, 1, 'exactly one process ran it');
    assert.ok(workers.includes(ranIn[0]), 'a worker ran it, not the api');
    assert.deepEqual(
      (await fs.readdir(`${dir.path}/.data/incoming`)).filter((f) => !f.startsWith('.')),
      [],
      'the uploaded files are gone',
    );
    log(`admin upload → ready via a worker in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
});
