// `cli render` and a running Talecast process (issue 19 item 5): the real CLI, the real server
// (role worker, its local socket `<state>/talecast.sock`), the real database. With nothing
// answering — no socket, a dead process's socket file, a process that never says hello — the CLI
// renders in its own process; with a live server it hands the render over and prints the same
// lines. Both paths leave the same rows, files and lifecycle events; the client going away stops
// its render and removes what was made; a server never logs the child's name or the photo's file
// name; a socket file left by a killed server is replaced by the next one, and a second server
// leaves a live server's socket alone; a server that hangs mid-render does not hold the command.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ChildProcess, fork, spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { existsSync, promises as fs } from 'node:fs';
import { Client } from 'pg';
import { ApiProcess, CLI_MAIN, createTestDatabase, REPO_ROOT, runNode, sharedFixture, startApi, TestDatabase, tempDir } from '@talecast/testing';

const SAMPLE_PHOTO = path.join(REPO_ROOT, 'node_modules/@vladmandic/face-api/demo/sample1.jpg');
const HANDED = /^render handed to the running Talecast process \(pid (\d+)\)$/m;
const SUMMARY = /^rendered (\S+): (\d+) frames, .* of video in [\d.]+ s \(/m;

describe('cli render: in its own process, or handed to a running Talecast process', async () => {
  const dir = await tempDir();
  const fixture = await sharedFixture(10, 'a');
  const socketPath = path.join(dir.path, '.data', 'talecast.sock');
  let db: TestDatabase;
  let pg: Client;
  let env: Record<string, string>;
  const servers: ApiProcess[] = [];
  let inProcessEvents: Record<string, string[]> | undefined;

  const render = (args: string[], extra: Record<string, string> = {}) =>
    runNode(CLI_MAIN, ['render', '--story', 'tale', '--face', SAMPLE_PHOTO, ...args], { ...env, ...extra }, 180_000);
  const startServer = async () => {
    const s = await startApi({ ...env, TALECAST_ROLE: 'worker', TALECAST_LOG_LEVEL: 'log' }, 120_000);
    servers.push(s);
    return s;
  };
  const row = async (table: 'render' | 'face', id: string) => (await pg.query(`SELECT * FROM ${table} WHERE id = $1`, [id])).rows[0];
  const events = async (id: string) => (await pg.query(`SELECT event FROM lifecycle_event WHERE "subjectId" = $1 ORDER BY id`, [id])).rows.map((r) => r.event);
  /** The face and render a CLI render stored, by its summary line's video path. */
  const madeBy = async (output: string) => {
    const m = SUMMARY.exec(output);
    assert.ok(m, `a summary line:\n${output}`);
    // The video under generated/<render>/, or (--out) the newest render.
    const renderId = m[1].startsWith(path.join(dir.path, 'generated'))
      ? path.basename(path.dirname(m[1]))
      : (await pg.query(`SELECT id FROM render ORDER BY "createdAt" DESC LIMIT 1`)).rows[0]?.id;
    const r = await row('render', renderId);
    assert.ok(r, 'the render row');
    const faceId: string = r.faces.hero[0];
    return { renderId, faceId, file: m[1], frames: Number(m[2]) };
  };
  const lifecycleOf = async (made: { renderId: string; faceId: string }) => ({ face: await events(made.faceId), render: await events(made.renderId) });

  before(async () => {
    db = await createTestDatabase(false);
    pg = new Client({ connectionString: db.url });
    env = { TALECAST_DATA_DIR: dir.path, DATABASE_URL: db.url };
    const pre = await runNode(
      CLI_MAIN,
      ['precompute', '--story', 'tale', '--video', fixture.video, '--masks', fixture.masks, '--title', 'The Tale'],
      env,
      300_000,
    );
    assert.equal(pre.code, 0, pre.output);
    await pg.connect();
  });

  after(async () => {
    for (const s of servers) await s.stop('SIGKILL').catch(() => undefined);
    await pg?.end();
    await db?.drop();
    await dir.cleanup();
  });

  test("a dead process's socket file: the CLI renders in its own process, with the usual rows and lifecycle", async () => {
    await deadSocketFile(socketPath);
    const r = await render([]);
    assert.equal(r.code, 0, r.output);
    assert.doesNotMatch(r.output, HANDED);
    assert.doesNotMatch(r.output, /rendering in this process/, 'a dead socket is not worth a note');
    assert.match(r.output, /^face sample1\.jpg: 3 face\(s\), using #\d/m);
    const made = await madeBy(r.output);
    assert.ok(existsSync(made.file));
    inProcessEvents = await lifecycleOf(made);
    assert.deepEqual(inProcessEvents, { face: ['uploaded'], render: ['queued', 'rendering', 'rendered'] });
    await fs.rm(socketPath, { force: true });
  });

  test('a process that holds the socket but never says hello: the CLI does not hang, it renders here', async () => {
    const silent = net.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(socketPath, resolve));
    try {
      const started = Date.now();
      const missing = await runNode(CLI_MAIN, ['render', '--story', 'no-such-story', '--face', SAMPLE_PHOTO], env, 60_000);
      assert.match(missing.output, /did not answer; rendering in this process/);
      assert.match(missing.output, /error STORY_NOT_FOUND/);
      assert.equal(missing.code, 65);
      assert.ok(Date.now() - started < 30_000, 'a second of waiting for the hello, then the usual');
    } finally {
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  test('a running server takes the render: same lines, same rows and lifecycle, --out, nothing of the child in its log', async () => {
    const server = await startServer();
    assert.equal((await fs.stat(socketPath)).mode & 0o777, 0o600, 'only the local user may connect');
    const out = path.join(dir.path, 'out', 'mina.mp4');
    const r = await render(['--name', 'Mina', '--out', out]);
    assert.equal(r.code, 0, r.output);
    assert.equal(HANDED.exec(r.output)?.[1], String(server.child.pid), r.output);
    assert.match(r.output, /^face sample1\.jpg: 3 face\(s\), using #\d/m);
    const made = await madeBy(r.output);
    assert.equal(made.file, out, 'the summary names the --out copy');
    const stored = path.join(dir.path, 'generated', made.renderId, 'video.mp4');
    assert.deepEqual(await fs.readFile(out), await fs.readFile(stored));
    assert.equal((await row('render', made.renderId)).childName, 'Mina', 'the title card was asked for');
    assert.deepEqual(await lifecycleOf(made), inProcessEvents ?? { face: ['uploaded'], render: ['queued', 'rendering', 'rendered'] });
    assert.ok((await row('face', made.faceId)).expiresAt.getTime() > Date.now(), 'the face is kept until its expiry, as in-process');
    assert.doesNotMatch(server.output(), /Mina|sample1/, 'no name and no file name in the server log');
  });

  test("the client going away stops its render: the render cancelled, its files and the child's face removed; the server serves on", async () => {
    const server = servers[0];
    const child = fork(CLI_MAIN, ['render', '--story', 'tale', '--face', SAMPLE_PHOTO, '--name', 'Mina'], { env: { ...process.env, ...env }, stdio: 'pipe' });
    let output = '';
    const exited = new Promise((resolve) => child.once('exit', resolve));
    // Killed the moment its photo is stored: the render is being made or has just started.
    const collect = (d: Buffer) => {
      output += d;
      if (/^face sample1\.jpg/m.test(output)) child.kill('SIGKILL');
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    await exited;
    assert.match(output, HANDED);
    assert.match(output, /^face sample1\.jpg/m, output);
    assert.doesNotMatch(output, SUMMARY);
    const face = await waitFor('the stored face', async () => {
      const rows = (await pg.query(`SELECT id, status FROM face ORDER BY "createdAt" DESC LIMIT 1`)).rows;
      return rows[0]?.status === 'deleted' ? rows[0] : undefined;
    });
    const renderRow = await waitFor('the render row', async () => {
      const rows = (await pg.query(`SELECT id, status, "childName" FROM render WHERE faces->'hero' ? $1`, [face.id])).rows;
      return rows[0] && !['queued', 'rendering'].includes(rows[0].status) ? rows[0] : undefined;
    });
    assert.equal(renderRow.status, 'cancelled', JSON.stringify({ renderRow, events: await events(renderRow.id), server: server.output().slice(-1500) }));
    assert.equal(renderRow.childName, null, "the child's name goes with it");
    assert.ok(!existsSync(path.join(dir.path, 'generated', renderRow.id)), 'nothing of the render is left');
    assert.ok(!existsSync(path.join(dir.path, 'uploads', face.id)), 'nothing of the face is left');
    assert.deepEqual(await events(face.id), ['uploaded', 'deleted-by-parent']);
    assert.equal((await events(renderRow.id)).at(-1), 'cancelled');
    // The server serves on, and a refusal comes back with its reason code.
    const missing = await runNode(CLI_MAIN, ['render', '--story', 'no-such-story', '--face', SAMPLE_PHOTO], env, 60_000);
    assert.match(missing.output, HANDED);
    assert.match(missing.output, /error STORY_NOT_FOUND/);
    assert.equal(missing.code, 65);
    assert.doesNotMatch(server.output(), /Mina|sample1|unhandled/i);
  });

  test('a server that stops answering mid-render does not hold the command; resumed, it removes the render', async () => {
    const server = servers[0];
    const child = fork(CLI_MAIN, ['render', '--story', 'tale', '--face', SAMPLE_PHOTO], { env: { ...process.env, ...env }, stdio: 'pipe' });
    let output = '';
    let stoppedAt: number | undefined;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    // The server is stopped (SIGSTOP: alive, silent) the moment the photo is stored.
    const collect = (d: Buffer) => {
      output += d;
      if (stoppedAt === undefined && /^face sample1\.jpg/m.test(output)) {
        server.child.kill('SIGSTOP');
        stoppedAt = Date.now();
      }
    };
    child.stdout!.on('data', collect);
    child.stderr!.on('data', collect);
    let code: number | null;
    try {
      code = await exited;
    } finally {
      server.child.kill('SIGCONT');
    }
    assert.ok(stoppedAt !== undefined, output);
    const waited = Date.now() - stoppedAt;
    assert.equal(code, 1, output);
    assert.match(output, /stopped answering for 20 s; the render was abandoned/);
    assert.ok(waited >= 19_000 && waited < 45_000, `the command gave up after ${waited} ms`);
    const face = await waitFor('the stored face removed', async () => {
      const rows = (await pg.query(`SELECT id, status FROM face ORDER BY "createdAt" DESC LIMIT 1`)).rows;
      return rows[0]?.status === 'deleted' ? rows[0] : undefined;
    });
    const renderRow = await waitFor('the render ended', async () => {
      const rows = (await pg.query(`SELECT id, status FROM render WHERE faces->'hero' ? $1`, [face.id])).rows;
      return rows[0] && !['queued', 'rendering'].includes(rows[0].status) ? rows[0] : undefined;
    });
    assert.equal(renderRow.status, 'cancelled', JSON.stringify({ renderRow, server: server.output().slice(-1500) }));
    assert.ok(!existsSync(path.join(dir.path, 'generated', renderRow.id)));
  });

  test("a second server leaves a live server's socket alone; a killed server's socket file is replaced by the next server", async () => {
    const first = servers[0];
    const second = await startServer();
    assert.match(second.output(), new RegExp(`another Talecast process \\(pid ${first.child.pid}\\) answers on it`));
    const viaFirst = await runNode(CLI_MAIN, ['render', '--story', 'no-such-story', '--face', SAMPLE_PHOTO], env, 60_000);
    assert.equal(HANDED.exec(viaFirst.output)?.[1], String(first.child.pid));
    await first.stop('SIGKILL');
    assert.ok(existsSync(socketPath), "the killed server's socket file is left behind");
    const alone = await runNode(CLI_MAIN, ['render', '--story', 'no-such-story', '--face', SAMPLE_PHOTO], env, 60_000);
    assert.doesNotMatch(alone.output, HANDED, 'nobody answers: rendered (refused) in its own process');
    assert.match(alone.output, /error STORY_NOT_FOUND/);
    await second.stop();
    const third = await startServer();
    const viaThird = await runNode(CLI_MAIN, ['render', '--story', 'no-such-story', '--face', SAMPLE_PHOTO], env, 60_000);
    assert.equal(HANDED.exec(viaThird.output)?.[1], String(third.child.pid), viaThird.output);
    // Another build or other data folders: the CLI renders in its own process.
    const elsewhere = await runNode(
      CLI_MAIN,
      ['render', '--story', 'no-such-story', '--face', SAMPLE_PHOTO],
      { ...env, TALECAST_UPLOADS_DIR: 'other-uploads' },
      60_000,
    );
    assert.match(elsewhere.output, /uses other data folders or another database; rendering in this process/);
    assert.doesNotMatch(elsewhere.output, HANDED);
    await third.stop();
    assert.ok(!existsSync(socketPath), 'a server that stops removes its socket file');
  });
});

/** A unix socket file whose process is gone (killed, so nobody removed it): connecting is refused. */
async function deadSocketFile(socketPath: string): Promise<void> {
  await fs.mkdir(path.dirname(socketPath), { recursive: true });
  const child: ChildProcess = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
  assert.ok(existsSync(socketPath));
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
