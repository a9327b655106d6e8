// A worker killed with SIGKILL in the middle of a render: the other worker takes the render over
// once the heartbeat goes stale (TALECAST_RENDER_STALE=3s) and completes it — rendered once, no
// half-written file left, a whole video.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ApiProcess, createTestDatabase, TestDatabase, tempDir } from '@talecast/testing';
import {
  assertValidVideo,
  countEvents,
  leftoverTmpFiles,
  log,
  precomputeStory,
  renderRows,
  requestRender,
  sleep,
  startRole,
  stopAll,
  uploadFace,
  waitForRender,
  waitForRenders,
  workerName,
} from './load-support';

describe('a worker dies mid-render', async () => {
  const dir = await tempDir('talecast-load-kill-');
  let db: TestDatabase;
  let api: ApiProcess | undefined;
  const workers: ApiProcess[] = [];
  let seconds = 5;

  before(async () => {
    db = await createTestDatabase(true);
    const env = { TALECAST_DATA_DIR: dir.path, DATABASE_URL: db.url, TALECAST_RENDER_STALE: '3s' };
    seconds = (await precomputeStory(env)).seconds;
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

  test('kill -9 the worker rendering: the other completes it, once, valid, no .tmp left', { timeout: 10 * 60_000 }, async () => {
    const faceId = await uploadFace(api!.url, 3);
    const created = await requestRender(api!.url, [faceId]);
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.id as string;

    // Which worker took it: the `worker` column (hostname:pid).
    const rendering = await waitForRender(api!.url, id, (s) => s.status === 'rendering', 120_000, 50);
    let owner: string | null = null;
    for (let i = 0; i < 100 && !owner; i++) {
      owner = (await renderRows(db.url)).find((r) => r.id === id)?.worker ?? null;
      if (!owner) await sleep(50);
    }
    const victim = workers.find((w) => workerName(w) === owner);
    assert.ok(victim, `the render's worker ${owner} is one of ours`);
    const survivor = workers.find((w) => w !== victim)!;
    // Let it get into its segments (some done, others half written), then kill it outright.
    const before = await waitForRender(api!.url, id, (s) => s.status !== 'rendering' || (s.segmentsDone ?? 0) >= 1, 120_000, 50);
    assert.equal(before.status, 'rendering', `still rendering when killed (${before.segmentsDone}/${before.segmentsTotal} segments; was ${rendering.status})`);
    const killedAt = Date.now();
    await victim!.stop('SIGKILL');
    log(`killed worker ${owner} at ${before.segmentsDone}/${before.segmentsTotal} segments`);

    const [final] = (await waitForRenders(api!.url, [id], 300_000)).values();
    assert.equal(final.status, 'done', `${final.status}: ${final.error}`);
    assert.equal(countEvents(final, 'rendered'), 1, `rendered exactly once: ${final.events.map((e) => e.event).join(',')}`);
    const row = (await renderRows(db.url)).find((r) => r.id === id)!;
    assert.equal(row.worker, workerName(survivor), 'completed by the surviving worker');
    assert.ok(row.attempts >= 2, `taken over (attempts ${row.attempts})`);
    assert.deepEqual(await leftoverTmpFiles(path.join(dir.path, 'generated', id)), [], 'no half-written files');
    await assertValidVideo(dir.path, id, seconds);
    log(`worker-dies: taken over and completed ${((Date.now() - killedAt) / 1000).toFixed(1)} s after the kill (attempts ${row.attempts})`);

    // The survivor keeps working: a new render goes through as well.
    const next = await requestRender(api!.url, [await uploadFace(api!.url, 4)]);
    assert.equal(next.status, 202);
    const [after] = (await waitForRenders(api!.url, [next.body.id!], 300_000)).values();
    assert.equal(after.status, 'done');
    assert.equal(countEvents(after, 'rendered'), 1);
  });
});
