// Load: 50 concurrent uploads of real photos, then 20 concurrent render requests, against one
// `api` process and two workers. Every request is answered — 2xx, or 503/429 with Retry-After
// (clients retry uploads as told) — the api stays up with bounded memory (RSS from /proc), and
// the accepted renders all complete. Prints upload latency (p50/p95) and render throughput.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiProcess, createTestDatabase, TestDatabase, tempDir } from '@talecast/testing';
import {
  assertValidVideo,
  countEvents,
  log,
  percentile,
  precomputeStory,
  requestRender,
  rssMb,
  samplePhoto,
  sampleRss,
  scaled,
  sleep,
  startRole,
  stopAll,
  Timed,
  timedFetch,
  uploadPhoto,
  waitForRenders,
  ApiBody,
} from './load-support';

const UPLOADS = scaled(50, 8);
const RENDERS = scaled(20, 4);
/** Queued + running renders accepted before 503: a few of the burst are turned away. */
const MAX_QUEUED = Math.max(2, RENDERS - Math.ceil(RENDERS / 5));
/** Bounds on the api process's resident memory. */
const RSS_PEAK_LIMIT_MB = 2048;
const RSS_GROWTH_LIMIT_MB = 1024;

describe('load: concurrent uploads and render requests', async () => {
  const dir = await tempDir('talecast-load-throughput-');
  let db: TestDatabase;
  let api: ApiProcess | undefined;
  const workers: ApiProcess[] = [];
  let seconds = 5;
  let acceptedInBurst = -1;

  before(async () => {
    db = await createTestDatabase(true);
    const env = { TALECAST_DATA_DIR: dir.path, DATABASE_URL: db.url, TALECAST_RENDER_STALE: '3s', TALECAST_MAX_QUEUED_RENDERS: String(MAX_QUEUED) };
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

  test(`${UPLOADS} concurrent uploads, then ${RENDERS} concurrent renders: all answered, api up, memory bounded`, { timeout: 30 * 60_000 }, async () => {
    const url = api!.url;
    const pid = api!.child.pid!;
    // Warm: one upload first, so the baseline includes the loaded face models.
    const warm = await uploadPhoto(url, await samplePhoto(0));
    assert.equal(warm.status, 201, JSON.stringify(warm.body));
    const baseline = (await rssMb(pid))!;
    const rss = sampleRss(pid);

    // ---- uploads: all at once; a 503/429 is retried after its Retry-After, as a client should ----
    const attempts: Timed<ApiBody>[] = [];
    const uploadsStarted = performance.now();
    const endToEnd: number[] = [];
    // Meanwhile, a status request every 250 ms: how long does a cheap request wait behind the uploads?
    const healthMs: number[] = [];
    let uploading = true;
    const prober = (async () => {
      while (uploading) {
        const h = await timedFetch(`${url}/api/health`, {}, 60_000).catch(() => undefined);
        if (h) healthMs.push(h.ms);
        await sleep(250);
      }
    })();
    const faceIds = await Promise.all(
      Array.from({ length: UPLOADS }, async (_, i) => {
        const started = performance.now();
        const deadline = Date.now() + 600_000;
        for (;;) {
          const r = await uploadPhoto(url, await samplePhoto(i), 300_000);
          attempts.push(r);
          if (r.status === 201) {
            endToEnd.push(performance.now() - started);
            return r.body.id as string;
          }
          assert.ok([429, 503].includes(r.status), `upload ${i}: ${r.status} ${JSON.stringify(r.body)}`);
          assert.ok(Number(r.retryAfter) > 0, `upload ${i}: ${r.status} without Retry-After`);
          assert.ok(Date.now() < deadline, `upload ${i} not accepted within 10 minutes`);
          await sleep(Number(r.retryAfter) * 1000 * (0.5 + Math.random()));
        }
      }),
    );
    uploading = false;
    await prober;
    const uploadWall = (performance.now() - uploadsStarted) / 1000;
    const served = attempts.filter((a) => a.status === 201).map((a) => a.ms);
    const refused = attempts.filter((a) => a.status !== 201);
    assert.equal(new Set(faceIds).size, UPLOADS);
    assert.equal(api!.child.exitCode, null, 'the api is still up after the uploads');
    const afterUploads = (await rssMb(pid))!;

    // ---- renders: all at once, each with a different face ----
    const rendersStarted = Date.now();
    const created = await Promise.all(faceIds.slice(0, RENDERS).map((id) => requestRender(url, [id])));
    for (const c of created) {
      assert.ok(
        c.status === 202 || (c.status === 503 && Number(c.retryAfter) > 0) || (c.status === 429 && Number(c.retryAfter) > 0),
        `render request: ${c.status} ${JSON.stringify(c.body)} retry-after ${c.retryAfter}`,
      );
    }
    const accepted = created.filter((c) => c.status === 202).map((c) => c.body.id as string);
    acceptedInBurst = accepted.length;
    assert.ok(accepted.length >= Math.min(RENDERS, MAX_QUEUED) - 1, `accepted ${accepted.length} of ${RENDERS} (queue bound ${MAX_QUEUED})`);
    const finished = await waitForRenders(url, accepted, 120_000 + accepted.length * 60_000);
    const renderWall = (Date.now() - rendersStarted) / 1000;
    for (const [id, s] of finished) {
      assert.equal(s.status, 'done', `${id}: ${s.status} ${s.error}`);
      assert.equal(countEvents(s, 'rendered'), 1, `${id} rendered exactly once`);
    }
    for (const id of accepted) await assertValidVideo(dir.path, id, seconds);

    const mem = rss.stop();
    const health = await fetch(`${url}/api/health`);
    assert.equal(health.status, 200, 'the api still answers');
    assert.equal(api!.child.exitCode, null, 'the api process is up');

    const ms = (v: number) => `${Math.round(v)} ms`;
    log(
      `uploads: ${UPLOADS} concurrent in ${uploadWall.toFixed(1)} s; ${refused.length} answers were 503/429 with Retry-After (${refused.filter((r) => r.status === 503).length} × 503, ${refused.filter((r) => r.status === 429).length} × 429)`,
    );
    log(`upload latency (served, per request): p50 ${ms(percentile(served, 50))}, p95 ${ms(percentile(served, 95))}, max ${ms(Math.max(...served))}`);
    log(`upload latency (first try to accepted, with retries): p50 ${ms(percentile(endToEnd, 50))}, p95 ${ms(percentile(endToEnd, 95))}`);
    log(
      `GET /api/health during the uploads: p50 ${ms(percentile(healthMs, 50))}, p95 ${ms(percentile(healthMs, 95))}, max ${ms(Math.max(...healthMs))} (${healthMs.length} probes)`,
    );
    log(
      `render requests: ${RENDERS} concurrent, ${accepted.length} accepted (202), ${RENDERS - accepted.length} × 503 Retry-After ${created.find((c) => c.status === 503)?.retryAfter ?? '-'} (queue bound ${MAX_QUEUED})`,
    );
    log(
      `render throughput (2 workers): ${accepted.length} videos of ${seconds} s in ${renderWall.toFixed(1)} s — ${((accepted.length / renderWall) * 60).toFixed(2)} videos/min, ${((accepted.length * seconds) / renderWall).toFixed(2)} s of video per second`,
    );
    log(
      `api RSS: baseline ${baseline.toFixed(0)} MB, after uploads ${afterUploads.toFixed(0)} MB, peak ${mem.peak.toFixed(0)} MB, end ${mem.last.toFixed(0)} MB (${mem.count} samples)`,
    );
    assert.ok(mem.peak < RSS_PEAK_LIMIT_MB, `api RSS peak ${mem.peak.toFixed(0)} MB < ${RSS_PEAK_LIMIT_MB} MB`);
    assert.ok(mem.peak - baseline < RSS_GROWTH_LIMIT_MB, `api RSS growth ${(mem.peak - baseline).toFixed(0)} MB < ${RSS_GROWTH_LIMIT_MB} MB`);
  });

  test('the queue bound (TALECAST_MAX_QUEUED_RENDERS) holds under a burst of requests', () => {
    assert.ok(acceptedInBurst >= 0, 'the load test ran');
    assert.ok(acceptedInBurst <= MAX_QUEUED, `${acceptedInBurst} renders accepted at once with a bound of ${MAX_QUEUED}`);
  });
});
