// Purge against a real PostgreSQL (this file's own database, the real migrations) and
// real files in a temporary data folder: what expired is removed exactly once, files first; what
// did not expire, what is in use, what lies outside the roots and what is younger than the grace
// period is never touched; every removal is in the lifecycle log. The scheduled tick only enqueues
// a singleton `purge` job; a worker's handler runs it.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource, Repository } from 'typeorm';
import { loadConfig } from '@talecast/config';
import { CoreModule } from '@talecast/core';
import { LifecycleModule, LifecycleService } from '@talecast/lifecycle';
import { advisoryLock, FACE_REPOSITORY, FaceEntity, RENDER_REPOSITORY, RenderEntity, RenderStatus } from '@talecast/persistence';
import { newId, StorageCore } from '@talecast/storage';
import { FaceUploadModule, FaceUploadService } from '@talecast/face-upload';
import {
  PURGE_JOB_KEY,
  PURGE_LOCK,
  PURGE_TICK_LOCK,
  PurgeJobs,
  PurgeModule,
  PurgeReport,
  PurgeScheduler,
  PurgeService,
  PurgeServiceModule,
  removeRootEntry,
} from '@talecast/purge';
import { QueueModule } from '@talecast/queue';
import { RenderModule, RenderWorker } from '@talecast/render';
import { PrecomputeJobs, PrecomputeJobsModule } from '@talecast/precompute';
import { createTestDatabase, REPO_ROOT, tempDir } from '@talecast/testing';

const FACE_BYTES = 1000 + 234;
const RENDER_BYTES = 3000 + 100;
const HOUR = 3600;

describe('purge', async () => {
  const db = await createTestDatabase();
  const contexts: INestApplicationContext[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await db.drop();
    for (const c of cleanups) await c();
  });

  /** A fresh data folder with the two purge roots (each with its .gitkeep) and a story root. */
  async function dataDir(): Promise<string> {
    const dir = await tempDir('talecast-purge-');
    cleanups.push(dir.cleanup);
    for (const r of ['uploads', 'generated', 'precomputed']) await fs.mkdir(path.join(dir.path, r));
    for (const r of ['uploads', 'generated']) await fs.writeFile(path.join(dir.path, r, '.gitkeep'), '');
    return dir.path;
  }

  /** The Nest context the CLI builds, on this file's database and the given data folder. */
  async function open(dir: string, env: Record<string, string> = {}, modules: unknown[] = [PurgeServiceModule]) {
    const config = loadConfig({ DATABASE_URL: db.url, TALECAST_DATA_DIR: dir, TALECAST_FACE_BACKEND: 'wasm', TALECAST_LOG_LEVEL: 'warn', ...env });
    const app = await NestFactory.createApplicationContext(
      { module: class PurgeTestApp {}, imports: [CoreModule.forRoot(config), LifecycleModule, ...(modules as never[])] },
      { logger: ['error'] },
    );
    contexts.push(app);
    return {
      dir,
      app,
      purge: app.get(PurgeService),
      faces: app.get<Repository<FaceEntity>>(FACE_REPOSITORY),
      renders: app.get<Repository<RenderEntity>>(RENDER_REPOSITORY),
      storage: app.get(StorageCore),
      ds: app.get(DataSource),
      lifecycle: app.get(LifecycleService),
    };
  }
  type World = Awaited<ReturnType<typeof open>>;

  const at = (secondsFromNow: number) => new Date(Date.now() + secondsFromNow * 1000);

  async function plantFace(w: World, expiresIn: number, status: FaceEntity['status'] = 'ready'): Promise<string> {
    const id = newId();
    await fs.mkdir(w.storage.faceDir(id));
    await fs.writeFile(w.storage.faceFile(id, 'aligned.png'), Buffer.alloc(1000, 1));
    await fs.writeFile(w.storage.faceFile(id, 'face.json'), Buffer.alloc(234, 2));
    await w.faces.insert({ id, status, summary: {}, bytes: FACE_BYTES, expiresAt: at(expiresIn) });
    return id;
  }

  async function plantRender(w: World, status: RenderStatus, o: { expiresIn?: number | null; finishedAgo?: number; faces?: string[] } = {}): Promise<string> {
    const id = newId();
    await fs.mkdir(w.storage.renderFile(id, 'hls'), { recursive: true });
    await fs.writeFile(w.storage.renderFile(id, 'video.mp4'), Buffer.alloc(3000, 3));
    await fs.writeFile(w.storage.renderFile(id, 'hls', 'index.m3u8'), Buffer.alloc(100, 4));
    await w.renders.insert({
      id,
      storyId: 'tale',
      faces: { hero: o.faces ?? [newId()] },
      requestKey: id,
      status,
      childName: 'Mina',
      expiresAt: o.expiresIn === undefined || o.expiresIn === null ? null : at(o.expiresIn),
      finishedAt: o.finishedAgo === undefined ? null : at(-o.finishedAgo),
    });
    return id;
  }

  async function events(w: World, subjectId: string, afterId = 0): Promise<{ subjectKind: string; event: string; details: Record<string, unknown> }[]> {
    return w.ds.query(`SELECT "subjectKind", event, details FROM lifecycle_event WHERE "subjectId" = $1 AND id > $2 ORDER BY at, id`, [subjectId, afterId]);
  }
  async function lastEventId(w: World): Promise<number> {
    const [{ n }] = await w.ds.query(`SELECT coalesce(max(id), 0)::int AS n FROM lifecycle_event`);
    return n;
  }
  async function exists(p: string): Promise<boolean> {
    return fs.lstat(p).then(
      () => true,
      () => false,
    );
  }
  /** Makes an entry and everything under it look `seconds` old (links themselves, not targets). */
  async function age(p: string, seconds: number): Promise<void> {
    const st = await fs.lstat(p);
    if (st.isDirectory()) for (const n of await fs.readdir(p)) await age(path.join(p, n), seconds);
    const t = new Date(Date.now() - seconds * 1000);
    await fs.lutimes(p, t, t);
  }
  const ids = (r: PurgeReport) => r.purged.map((p) => p.id);
  /** The part of a report about these subjects (the database is shared by the tests of this file). */
  const about = (r: PurgeReport, mine: string[]) => ({
    expired: r.expired.filter((id) => mine.includes(id)),
    purged: new Map(r.purged.filter((p) => mine.includes(p.id)).map((p) => [p.id, `${p.kind}:${p.bytes}`])),
    inUse: r.inUse.filter((id) => mine.includes(id)),
  });

  test('expired renders and faces are purged, files first; unexpired, running and in-use ones are untouched', { timeout: 60_000 }, async () => {
    const w = await open(await dataDir());
    const oldFace = await plantFace(w, -1);
    const newFace = await plantFace(w, HOUR);
    const usedFace = await plantFace(w, -1);
    const done = await plantRender(w, 'done', { expiresIn: -1, finishedAgo: 8 * 24 * HOUR });
    const failed = await plantRender(w, 'failed', { expiresIn: -1, finishedAgo: 2 * HOUR });
    const fresh = await plantRender(w, 'done', { expiresIn: 7 * 24 * HOUR, finishedAgo: 60 });
    // Not finished: never purged, whatever their expiresAt says.
    const rendering = await plantRender(w, 'rendering', { expiresIn: -60, faces: [usedFace] });
    const queued = await plantRender(w, 'queued');
    // Finished without an expiresAt (cancelled, or failed outside the worker): the retention of its kind from when it finished.
    const cancelledLongAgo = await plantRender(w, 'cancelled', { finishedAgo: 2 * HOUR });
    const cancelledJustNow = await plantRender(w, 'cancelled', { finishedAgo: 60 });
    const doneNoExpiry = await plantRender(w, 'done', { finishedAgo: 60 });

    const mine = [oldFace, newFace, usedFace, done, failed, fresh, rendering, queued, cancelledLongAgo, cancelledJustNow, doneNoExpiry];
    const report = await w.purge.run();
    assert.equal(report.skipped, false);
    assert.equal(report.dryRun, false);
    assert.deepEqual(report.failed, []);
    const r = about(report, mine);
    assert.deepEqual(new Set(r.expired), new Set([oldFace, done, failed, cancelledLongAgo]));
    assert.deepEqual(
      r.purged,
      new Map([
        [oldFace, `face:${FACE_BYTES}`],
        [done, `render:${RENDER_BYTES}`],
        [failed, `render:${RENDER_BYTES}`],
        [cancelledLongAgo, `render:${RENDER_BYTES}`],
      ]),
    );
    assert.deepEqual(r.inUse, [usedFace]);

    for (const [kind, id, bytes] of [
      ['face', oldFace, FACE_BYTES],
      ['render', done, RENDER_BYTES],
      ['render', failed, RENDER_BYTES],
      ['render', cancelledLongAgo, RENDER_BYTES],
    ] as const) {
      const dir = kind === 'face' ? w.storage.faceDir(id) : w.storage.renderDir(id);
      assert.equal(await exists(dir), false, `${kind} files removed`);
      const row = kind === 'face' ? await w.faces.findOneByOrFail({ id }) : await w.renders.findOneByOrFail({ id });
      assert.equal(row.status, 'purged');
      assert.ok(row.purgedAt instanceof Date);
      if (kind === 'render') assert.equal((row as RenderEntity).childName, null, "the child's name goes when the render expires");
      assert.equal(row.bytes, 0, 'nothing of it is left on disk');
      assert.deepEqual(await events(w, id), [
        { subjectKind: kind, event: 'expired', details: {} },
        { subjectKind: kind, event: 'purged', details: { bytesFreed: bytes } },
      ]);
    }
    for (const [kind, id, status] of [
      ['face', newFace, 'ready'],
      ['face', usedFace, 'ready'],
      ['render', fresh, 'done'],
      ['render', rendering, 'rendering'],
      ['render', queued, 'queued'],
      ['render', cancelledJustNow, 'cancelled'],
      ['render', doneNoExpiry, 'done'],
    ] as const) {
      const dir = kind === 'face' ? w.storage.faceDir(id) : w.storage.renderDir(id);
      assert.equal(await exists(dir), true, `${kind} ${status} keeps its files`);
      const row = kind === 'face' ? await w.faces.findOneByOrFail({ id }) : await w.renders.findOneByOrFail({ id });
      assert.equal(row.status, status);
      if (kind === 'render') assert.equal((row as RenderEntity).childName, 'Mina', 'a live render keeps the name for its title card');
      assert.equal(row.purgedAt, null);
      assert.deepEqual(await events(w, id), []);
    }

    // Once the render using it has finished, the face goes too; nothing is purged twice.
    await w.renders.update({ id: rendering }, { status: 'done', finishedAt: new Date(), expiresAt: at(7 * 24 * HOUR) });
    const again = await w.purge.run();
    assert.deepEqual([...about(again, mine).purged.keys()], [usedFace]);
    assert.equal((await w.faces.findOneByOrFail({ id: usedFace })).status, 'purged');
    assert.equal(about(await w.purge.run(), mine).purged.size, 0);
    assert.equal((await events(w, oldFace)).length, 2);
  });

  test('nothing outside the roots is ever removed: symlinks are removed as links, never followed', { timeout: 60_000 }, async () => {
    const w = await open(await dataDir());
    const outside = path.join(w.dir, 'outside');
    await fs.mkdir(path.join(outside, 'sub'), { recursive: true });
    await fs.writeFile(path.join(outside, 'secret.txt'), 'not ours');
    await fs.writeFile(path.join(outside, 'sub', 'deep.txt'), 'not ours either');
    const story = path.join(w.dir, 'precomputed', 'tale', 'manifest.json');
    await fs.mkdir(path.dirname(story), { recursive: true });
    await fs.writeFile(story, '{}');

    // An expired face whose folder holds links out of the roots, to a file and to a folder.
    const linked = await plantFace(w, -1);
    await fs.symlink(path.join(outside, 'secret.txt'), w.storage.faceFile(linked, 'link-file'));
    await fs.symlink(outside, w.storage.faceFile(linked, 'link-dir'));
    const linkedBytes =
      FACE_BYTES + (await fs.lstat(w.storage.faceFile(linked, 'link-file'))).size + (await fs.lstat(w.storage.faceFile(linked, 'link-dir'))).size;
    // An expired face whose folder itself is a link out of the roots.
    const swapped = newId();
    await fs.symlink(outside, w.storage.faceDir(swapped));
    const swappedBytes = (await fs.lstat(w.storage.faceDir(swapped))).size;
    await w.faces.insert({ id: swapped, status: 'ready', summary: {}, expiresAt: at(-1) });
    // Orphaned links directly under the roots, old enough to go.
    const evil = path.join(w.storage.root('uploads'), 'evil');
    await fs.symlink(outside, evil);
    const evilFile = path.join(w.storage.root('generated'), 'evil-file');
    await fs.symlink(path.join('..', 'outside', 'secret.txt'), evilFile);
    await age(evil, 2 * HOUR);
    await age(evilFile, 2 * HOUR);

    const report = await w.purge.run();
    assert.deepEqual(report.failed, []);
    assert.deepEqual(
      about(report, [linked, swapped]).purged,
      new Map([
        [linked, `face:${linkedBytes}`],
        [swapped, `face:${swappedBytes}`],
      ]),
    );
    assert.deepEqual(report.orphans.map((o) => `${o.root}/${o.name}`).sort(), ['generated/evil-file', 'uploads/evil']);

    assert.equal(await fs.readFile(path.join(outside, 'secret.txt'), 'utf8'), 'not ours');
    assert.equal(await fs.readFile(path.join(outside, 'sub', 'deep.txt'), 'utf8'), 'not ours either');
    assert.equal(await fs.readFile(story, 'utf8'), '{}');
    for (const gone of [w.storage.faceDir(linked), w.storage.faceDir(swapped), evil, evilFile]) assert.equal(await exists(gone), false, gone);
    assert.equal((await w.faces.findOneByOrFail({ id: swapped })).status, 'purged');

    // The removal primitive itself refuses anything that is not an entry directly under its root.
    const uploads = w.storage.root('uploads');
    await assert.rejects(removeRootEntry(uploads, outside), { name: 'PathOutsideRootError' });
    await assert.rejects(removeRootEntry(uploads, path.join(uploads, '..', 'outside')), { name: 'PathOutsideRootError' });
    await assert.rejects(removeRootEntry(uploads, uploads), { name: 'PathOutsideRootError' });
    await assert.rejects(removeRootEntry(uploads, path.join(uploads, 'a', 'b')), { name: 'PathOutsideRootError' });
    assert.equal(await exists(path.join(outside, 'secret.txt')), true);
  });

  test('two purges at once (two processes, one database) purge each subject exactly once; a held lock skips the run', { timeout: 60_000 }, async () => {
    const dir = await dataDir();
    const a = await open(dir);
    const b = await open(dir);
    const subjects: string[] = [];
    for (let i = 0; i < 5; i++) subjects.push(await plantFace(a, -1), await plantRender(a, 'done', { expiresIn: -1 }));

    const reports = await Promise.all([a.purge.run(), b.purge.run(), a.purge.run(), b.purge.run()]);
    const purged = reports.flatMap(ids).filter((id) => subjects.includes(id));
    assert.equal(purged.length, subjects.length, 'each subject is reported purged by exactly one run');
    assert.deepEqual(new Set(purged), new Set(subjects));
    assert.equal(reports.filter((r) => about(r, subjects).purged.size > 0).length, 1, 'one run did all the work, under the lock');
    assert.ok(
      reports.some((r) => r.skipped),
      'a run that came while it held the lock was skipped',
    );
    const [{ n, subjectsLogged }] = await a.ds.query(
      `SELECT count(*)::int AS n, count(DISTINCT "subjectId")::int AS "subjectsLogged" FROM lifecycle_event WHERE event = 'purged' AND "subjectId" = ANY($1)`,
      [subjects],
    );
    assert.equal(n, subjects.length, "one 'purged' event per subject");
    assert.equal(subjectsLogged, subjects.length);
    const [{ expiredEvents }] = await a.ds.query(
      `SELECT count(*)::int AS "expiredEvents" FROM lifecycle_event WHERE event = 'expired' AND "subjectId" = ANY($1)`,
      [subjects],
    );
    assert.equal(expiredEvents, subjects.length);

    // Another process holding the purge lock: this run does nothing at all.
    const late = await plantRender(a, 'failed', { expiresIn: -1 });
    const holder = new Client({ connectionString: db.url });
    await holder.connect();
    try {
      await advisoryLock(holder, PURGE_LOCK);
      const skipped = await a.purge.run();
      assert.equal(skipped.skipped, true);
      assert.deepEqual([skipped.expired, skipped.purged, skipped.orphans], [[], [], []]);
      assert.equal((await a.renders.findOneByOrFail({ id: late })).status, 'failed');
      assert.equal(await exists(a.storage.renderDir(late)), true);
    } finally {
      await holder.end();
    }
    const released = await a.purge.run();
    assert.equal(released.skipped, false);
    assert.deepEqual([...about(released, [late]).purged.keys()], [late]);
  });

  test('a run interrupted after marking expired (files there or already gone) is finished by the next run', { timeout: 60_000 }, async () => {
    const w = await open(await dataDir());
    // Crash after the files were deleted, before the row was marked purged.
    const face = await plantFace(w, -1, 'expired');
    await w.lifecycle.record('face', face, 'expired');
    await fs.rm(w.storage.faceDir(face), { recursive: true });
    // Crash right after the row was marked expired, before any file was deleted.
    const render = await plantRender(w, 'expired', { expiresIn: -1 });
    await w.lifecycle.record('render', render, 'expired');
    // Crash halfway through deleting a render's files.
    const half = await plantRender(w, 'expired', { expiresIn: -1 });
    await w.lifecycle.record('render', half, 'expired');
    await fs.rm(w.storage.renderFile(half, 'video.mp4'));

    const report = await w.purge.run();
    const r = about(report, [face, render, half]);
    assert.deepEqual(r.expired, [], 'already expired: not marked again');
    assert.deepEqual(
      r.purged,
      new Map([
        [face, 'face:0'],
        [render, `render:${RENDER_BYTES}`],
        [half, 'render:100'],
      ]),
    );
    for (const [id, bytes] of [
      [face, 0],
      [render, RENDER_BYTES],
      [half, 100],
    ] as const) {
      assert.deepEqual(
        (await events(w, id)).map((e) => [e.event, e.details]),
        [
          ['expired', {}],
          ['purged', { bytesFreed: bytes }],
        ],
      );
    }
    assert.equal((await w.faces.findOneByOrFail({ id: face })).status, 'purged');
    assert.equal((await w.renders.findOneByOrFail({ id: render })).status, 'purged');
    assert.equal(await exists(w.storage.renderDir(render)), false);
    assert.equal(await exists(w.storage.renderDir(half)), false);
  });

  test('orphans older than the grace period are removed and logged; younger ones, live subjects and .gitkeep stay', { timeout: 60_000 }, async () => {
    const w = await open(await dataDir(), { TALECAST_ORPHAN_GRACE: '1h' });
    const uploads = w.storage.root('uploads');
    const generated = w.storage.root('generated');
    const plant = async (root: string, name: string, bytes: number, dir = false) => {
      const p = path.join(root, name);
      if (dir) {
        await fs.mkdir(p);
        await fs.writeFile(path.join(p, 'data.bin'), Buffer.alloc(bytes));
      } else await fs.writeFile(p, Buffer.alloc(bytes));
      return p;
    };
    const noRowFace = newId();
    const noRowRender = newId();
    const old = [
      await plant(uploads, 'junk-dir', 500, true),
      await plant(uploads, `.incoming-${newId()}`, 300),
      await plant(uploads, `.aligned.png.0123456789ab.tmp`, 200),
      await plant(uploads, noRowFace, 400, true),
      await plant(generated, noRowRender, 600, true),
      await plant(generated, 'stray.tmp', 50),
    ];
    // A render the parent deleted while a (since crashed) worker was still writing into it.
    const deletedRender = await plantRender(w, 'deleted');
    await w.renders.update({ id: deletedRender }, { purgedAt: new Date() });
    old.push(w.storage.renderDir(deletedRender));
    const young = await plant(uploads, 'fresh-dir', 10, true);
    const halfOld = await plant(generated, 'half-old', 10, true);
    const liveFace = await plantFace(w, HOUR);
    const liveRender = await plantRender(w, 'done', { expiresIn: HOUR });
    for (const p of [
      ...old,
      path.join(uploads, '.gitkeep'),
      path.join(generated, '.gitkeep'),
      halfOld,
      w.storage.faceDir(liveFace),
      w.storage.renderDir(liveRender),
    ])
      await age(p, 2 * HOUR);
    await fs.writeFile(path.join(halfOld, 'just-written.bin'), Buffer.alloc(5));
    const since = await lastEventId(w);

    const report = await w.purge.run();
    assert.equal(about(report, [liveFace, liveRender, deletedRender]).purged.size, 0);
    assert.deepEqual(report.failed, []);
    assert.deepEqual(
      report.orphans.map((o) => `${o.root}/${o.name}:${o.bytes}`).sort(),
      [
        `uploads/junk-dir:500`,
        `uploads/${path.basename(old[1])}:300`,
        `uploads/.aligned.png.0123456789ab.tmp:200`,
        `uploads/${noRowFace}:400`,
        `generated/${noRowRender}:600`,
        `generated/stray.tmp:50`,
        `generated/${deletedRender}:${RENDER_BYTES}`,
      ].sort(),
    );
    for (const p of old) assert.equal(await exists(p), false, p);
    for (const p of [
      young,
      halfOld,
      path.join(uploads, '.gitkeep'),
      path.join(generated, '.gitkeep'),
      w.storage.faceDir(liveFace),
      w.storage.renderDir(liveRender),
    ]) {
      assert.equal(await exists(p), true, p);
    }

    const logged: { subjectKind: string; subjectId: string; bytesFreed: number }[] = await w.ds.query(
      `SELECT "subjectKind", "subjectId", (details->>'bytesFreed')::int AS "bytesFreed" FROM lifecycle_event WHERE event = 'orphan-removed' AND id > $1`,
      [since],
    );
    assert.deepEqual(
      logged.map((e) => `${e.subjectKind}:${e.subjectId}:${e.bytesFreed}`).sort(),
      [
        'face:orphan:500',
        'face:orphan:300',
        'face:orphan:200',
        `face:${noRowFace}:400`,
        `render:${noRowRender}:600`,
        'render:orphan:50',
        `render:${deletedRender}:${RENDER_BYTES}`,
      ].sort(),
    );
    assert.deepEqual((await w.purge.run()).orphans, [], 'nothing left to remove');
  });

  test('a dry run changes nothing and reports exactly what the next run removes', { timeout: 60_000 }, async () => {
    const w = await open(await dataDir());
    const face = await plantFace(w, -1);
    const render = await plantRender(w, 'done', { expiresIn: -1 });
    const resumed = await plantRender(w, 'expired', { expiresIn: -1 });
    const orphan = path.join(w.storage.root('generated'), 'leftover.tmp');
    await fs.writeFile(orphan, Buffer.alloc(77));
    await age(orphan, 2 * HOUR);

    const snapshot = async () => ({
      faces: await w.ds.query(`SELECT id, status, "expiresAt", "purgedAt", bytes FROM face ORDER BY id`),
      renders: await w.ds.query(`SELECT id, status, "expiresAt", "purgedAt", bytes FROM render ORDER BY id`),
      events: await lastEventId(w),
      files: await listTree(w.dir),
    });
    const before = await snapshot();
    const dry = await w.purge.run({ dryRun: true });
    assert.deepEqual(await snapshot(), before);
    assert.equal(dry.dryRun, true);
    const mine = [face, render, resumed];
    assert.deepEqual(new Set(about(dry, mine).expired), new Set([face, render]));
    assert.deepEqual(
      about(dry, mine).purged,
      new Map([
        [face, `face:${FACE_BYTES}`],
        [render, `render:${RENDER_BYTES}`],
        [resumed, `render:${RENDER_BYTES}`],
      ]),
    );
    assert.deepEqual(dry.orphans, [{ root: 'generated', name: 'leftover.tmp', bytes: 77 }]);

    const real = await w.purge.run();
    assert.deepEqual(about(real, mine), about(dry, mine));
    assert.deepEqual(real.orphans, dry.orphans);
  });

  // The queue tests run on a database of their own: a worker there sweeps and renders, and must
  // not meet the renders the other tests planted.
  const queueDb = await createTestDatabase();
  cleanups.push(() => queueDb.drop());
  const QUEUE_DB = { DATABASE_URL: queueDb.url };

  /** The purge jobs in the queue, oldest first. */
  async function purgeJobs(w: World): Promise<{ state: string; singletonKey: string | null; output: Record<string, unknown> | null }[]> {
    return w.ds.query(`SELECT state, singleton_key AS "singletonKey", output FROM pgboss.job WHERE name = 'purge' ORDER BY created_on`);
  }

  test(
    'the tick only enqueues: one purge job per tick, ticks of two processes at once queue one, nothing is purged by the tick',
    { timeout: 60_000 },
    async () => {
      const dir = await dataDir();
      // Two processes of the API role (no worker takes jobs); the interval is long, the test ticks by hand.
      const a = await open(dir, { ...QUEUE_DB, TALECAST_PURGE_INTERVAL: '1h' }, [QueueModule, PurgeModule]);
      const b = await open(dir, { ...QUEUE_DB, TALECAST_PURGE_INTERVAL: '1h' }, [QueueModule, PurgeModule]);
      const face = await plantFace(a, -1);
      const [ta, tb] = [a.app.get(PurgeScheduler), b.app.get(PurgeScheduler)];

      const outcomes = await Promise.all([ta.tick(), tb.tick()]);
      assert.equal(outcomes.filter((o) => o === 'enqueued').length, 1, `one tick enqueued (${outcomes.join(', ')})`);
      assert.ok(
        outcomes.every((o) => ['enqueued', 'locked', 'already-queued'].includes(o as string)),
        outcomes.join(', '),
      );
      let jobs = await purgeJobs(a);
      assert.deepEqual(
        jobs.map((j) => [j.state, j.singletonKey]),
        [['created', PURGE_JOB_KEY]],
        'exactly one purge job is queued',
      );

      // Later ticks, one after the other, while that job still waits: nothing more is queued.
      assert.equal(await tb.tick(), 'already-queued');
      assert.equal(await ta.tick(), 'already-queued');
      jobs = await purgeJobs(a);
      assert.equal(jobs.length, 1);

      // Another process holds the tick lock: the tick does not even try.
      const holder = new Client({ connectionString: queueDb.url });
      await holder.connect();
      try {
        await advisoryLock(holder, PURGE_TICK_LOCK);
        assert.equal(await ta.tick(), 'locked');
      } finally {
        await holder.end();
      }

      assert.equal((await a.faces.findOneByOrFail({ id: face })).status, 'ready', 'the tick itself purges nothing');
      assert.equal(await exists(a.storage.faceDir(face)), true);
      await a.app.close();
      await b.app.close();
    },
  );

  test('a worker takes the purge job and its handler purges; a held purge lock ends the job as skipped, not failed', { timeout: 120_000 }, async () => {
    const w = await open(await dataDir(), { ...QUEUE_DB, TALECAST_PURGE_INTERVAL: '1s', TALECAST_ROLE: 'worker' }, [
      QueueModule,
      PrecomputeJobsModule,
      RenderModule,
      PurgeModule,
    ]);
    const render = await plantRender(w, 'failed', { expiresIn: -1 });
    const face = await plantFace(w, -1);
    const doneBefore = (await purgeJobs(w)).filter((j) => j.state === 'completed').length;

    // Another process (a CLI purge, say) holds the purge lock: the job runs and ends as 'skipped'.
    const holder = new Client({ connectionString: queueDb.url });
    await holder.connect();
    let jobs: Awaited<ReturnType<typeof purgeJobs>> = [];
    try {
      await advisoryLock(holder, PURGE_LOCK);
      // What the worker role does at boot (apps/api WorkerRole): every job name gets its handler.
      w.app.get(PrecomputeJobs).register();
      w.app.get(PurgeJobs).register();
      await w.app.get(RenderWorker).start();
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline) {
        jobs = await purgeJobs(w);
        if (jobs.some((j) => j.state === 'completed' && j.output?.status === 'skipped')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.ok(
        jobs.some((j) => j.state === 'completed' && j.output?.status === 'skipped'),
        `a job ended as skipped: ${JSON.stringify(jobs)}`,
      );
      assert.equal((await w.renders.findOneByOrFail({ id: render })).status, 'failed', 'nothing purged under the held lock');
    } finally {
      await holder.end();
    }

    // Lock released: a later tick's job purges both, nobody called run().
    const deadline = Date.now() + 60_000;
    let statuses = '';
    while (Date.now() < deadline) {
      statuses = `${(await w.renders.findOneByOrFail({ id: render })).status},${(await w.faces.findOneByOrFail({ id: face })).status}`;
      if (statuses === 'purged,purged') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(statuses, 'purged,purged', 'purged by the job of a scheduled tick');
    assert.deepEqual(
      (await events(w, face)).map((e) => e.event),
      ['expired', 'purged'],
    );
    assert.equal(await exists(w.storage.renderDir(render)), false);
    assert.equal(await exists(w.storage.faceDir(face)), false);
    for (let i = 0; i < 50; i++) {
      jobs = await purgeJobs(w);
      if (jobs.some((j) => j.state === 'completed' && j.output?.status === 'purged' && Number(j.output.subjects) >= 2)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const purged = jobs.filter((j) => j.state === 'completed' && j.output?.status === 'purged');
    assert.ok(
      purged.some((j) => Number(j.output?.subjects) >= 2 && Number(j.output?.bytes) >= FACE_BYTES + RENDER_BYTES),
      `the purging job's output counts what it removed: ${JSON.stringify(purged)}`,
    );
    assert.ok(jobs.filter((j) => j.state === 'completed').length > doneBefore);
    assert.equal(jobs.filter((j) => j.state === 'failed').length, 0, 'no purge job failed');
    assert.ok(jobs.filter((j) => j.state === 'created').length <= 1, 'never more than one purge job waiting');
    await w.app.close(); // stops the tick and the workers
  });

  test("the lifecycle log shows a render's and its face's whole life in order, from upload to purge", { timeout: 120_000 }, async () => {
    const w = await open(await dataDir(), {}, [PurgeServiceModule, FaceUploadModule]);
    const uploads = w.app.get(FaceUploadService);
    const upload = await uploads.ingest(await fs.readFile(path.join(REPO_ROOT, 'node_modules/@vladmandic/face-api/demo/sample2.jpg')));
    const faceId = upload.id;
    const uploaded = await w.faces.findOneByOrFail({ id: faceId });
    assert.ok(
      Math.abs(uploaded.expiresAt.getTime() - uploaded.createdAt.getTime() - 24 * HOUR * 1000) < 5000,
      'a face expires its retention (24 h) after upload, even if never used',
    );

    // A render of it, driven as the render service and worker do.
    const renderId = newId();
    await w.renders.insert({ id: renderId, storyId: 'tale', faces: { hero: [faceId] }, requestKey: renderId, status: 'queued' });
    await w.lifecycle.record('render', renderId, 'queued', { story: 'tale', faces: 1 });
    await w.renders.update({ id: renderId }, { status: 'rendering', startedAt: new Date() });
    await w.lifecycle.record('render', renderId, 'rendering');
    await uploads.touch(faceId);
    assert.ok((await w.faces.findOneByOrFail({ id: faceId })).expiresAt.getTime() >= uploaded.expiresAt.getTime(), 'use never shortens retention');

    // The face's retention runs out while the render is still running: it is kept.
    await w.faces.update({ id: faceId }, { expiresAt: at(-1) });
    const during = await w.purge.run();
    assert.deepEqual(about(during, [faceId, renderId]), { expired: [], purged: new Map(), inUse: [faceId] });
    assert.equal((await w.faces.findOneByOrFail({ id: faceId })).status, 'ready');
    assert.equal(await exists(w.storage.faceFile(faceId, 'aligned.png')), true);

    await fs.mkdir(w.storage.renderDir(renderId));
    await fs.writeFile(w.storage.renderFile(renderId, 'video.mp4'), Buffer.alloc(4096));
    await w.renders.update({ id: renderId }, { status: 'done', finishedAt: new Date(), expiresAt: at(7 * 24 * HOUR), bytes: 4096 });
    await w.lifecycle.record('render', renderId, 'rendered');
    // Seven days later.
    await w.renders.update({ id: renderId }, { expiresAt: at(-1) });
    const report = await w.purge.run();
    assert.deepEqual(new Set(about(report, [renderId, faceId]).purged.keys()), new Set([renderId, faceId]));

    const renderLife = await w.lifecycle.history('render', renderId);
    assert.deepEqual(
      renderLife.map((e) => e.event),
      ['queued', 'rendering', 'rendered', 'expired', 'purged'],
    );
    assert.deepEqual(renderLife.at(-1)!.details, { bytesFreed: 4096 });
    const faceLife = await w.lifecycle.history('face', faceId);
    assert.deepEqual(
      faceLife.map((e) => e.event),
      ['uploaded', 'expired', 'purged'],
    );
    assert.ok((faceLife.at(-1)!.details.bytesFreed as number) > 0);
    assert.ok(faceLife[0].at <= renderLife[0].at, 'the face was uploaded before the render was queued');
    assert.equal(await exists(w.storage.faceDir(faceId)), false);
    assert.equal(await exists(w.storage.renderDir(renderId)), false);
  });
});

/** Every path under `dir` with its type, size and modification time (links not followed). */
async function listTree(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (p: string) => {
    for (const name of (await fs.readdir(p)).sort()) {
      const c = path.join(p, name);
      const st = await fs.lstat(c);
      out.push(`${path.relative(dir, c)} ${st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : 'f'} ${st.isDirectory() ? 0 : st.size} ${st.mtimeMs}`);
      if (st.isDirectory()) await walk(c);
    }
  };
  await walk(dir);
  return out;
}
