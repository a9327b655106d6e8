// The render pipeline through the real server: a precomputed story, a real face, the queue, the
// workers, SSE progress, the MP4 with ranges, HLS, delete; bad requests; and a server killed
// with SIGKILL in the middle of a render, whose render completes after a restart.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { samplePhotoDirectory } from '@talecast/face';
import { locateFfmpeg } from '@talecast/video';
import { ApiProcess, CLI_MAIN, createTestDatabase, runNode, sharedFixture, startApi, TestDatabase, tempDir } from '@talecast/testing';

const run = promisify(execFile);

async function json(res: Response) {
  return { status: res.status, body: await res.json() };
}

async function uploadFace(api: ApiProcess, sample = 'sample1.jpg'): Promise<string> {
  const form = new FormData();
  form.append('photo', new Blob([new Uint8Array(await fs.readFile(path.join(samplePhotoDirectory(), sample)))]), sample);
  const r = await json(await fetch(`${api.url}/api/faces`, { method: 'POST', body: form }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

async function requestRender(api: ApiProcess, body: unknown) {
  return json(await fetch(`${api.url}/api/renders`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
}

/** Reads server-sent events until `done`/`failed`; returns the event names and the last data. */
async function followEvents(url: string, timeoutMs = 120_000): Promise<{ names: string[]; last: unknown }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  assert.equal(res.headers.get('content-type')?.split(';')[0], 'text/event-stream');
  const names: string[] = [];
  let last: unknown;
  let buffer = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const name = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = /^data: (.*)$/m.exec(block)?.[1];
      names.push(name);
      if (data) last = JSON.parse(data);
      if (name === 'done' || name === 'failed') return { names, last };
    }
  }
  return { names, last };
}

describe('renders over HTTP', async () => {
  const dir = await tempDir();
  let db: TestDatabase;
  let api: ApiProcess;
  let env: Record<string, string>;
  const fixture = await sharedFixture(5, 'a');

  before(async () => {
    db = await createTestDatabase(false);
    env = { TALECAST_DATA_DIR: dir.path, DATABASE_URL: db.url, TALECAST_RENDER_STALE: '3s' };
    const pre = await runNode(
      CLI_MAIN,
      ['precompute', '--story', 'tale', '--video', fixture.video, '--masks', fixture.masks, '--title', 'The Tale'],
      env,
      300_000,
    );
    assert.equal(pre.code, 0, pre.output);
    api = await startApi(env);
  });
  after(async () => {
    await api?.stop();
    await db?.drop();
    await dir.cleanup();
  });

  test('a render: 202, progress events, MP4 with ranges, HLS, lifecycle, delete', async () => {
    const faceId = await uploadFace(api);
    const created = await requestRender(api, { storyId: 'tale', faces: { hero: [faceId] } });
    assert.equal(created.status, 202, JSON.stringify(created.body));
    assert.match(created.body.id, /^[A-Za-z0-9_-]{22}$/);
    const again = await requestRender(api, { storyId: 'tale', faces: { hero: [faceId] } });
    assert.equal(again.body.id, created.body.id, 'the same request twice quickly is one render');

    const { names, last } = await followEvents(`${api.url}${created.body.eventsUrl}`);
    assert.equal(names.at(-1), 'done', JSON.stringify(last));
    assert.ok(names.filter((n) => n === 'progress').length >= 1);
    const status = (await json(await fetch(`${api.url}/api/renders/${created.body.id}`))).body;
    assert.equal(status.status, 'done');
    assert.equal(status.progress, 1);
    assert.equal(status.segmentsDone, status.segmentsTotal);
    assert.ok(status.expiresAt);
    assert.deepEqual(
      status.events.map((e: { event: string }) => e.event),
      ['queued', 'rendering', 'rendered'],
    );

    const head = await fetch(`${api.url}${status.videoUrl}`, { headers: { range: 'bytes=0-99' } });
    assert.equal(head.status, 206);
    assert.equal(head.headers.get('content-type'), 'video/mp4');
    assert.equal((await head.arrayBuffer()).byteLength, 100);
    const full = Buffer.from(await (await fetch(`${api.url}${status.videoUrl}?download=1`)).arrayBuffer());
    const file = path.join(dir.path, 'out.mp4');
    await fs.writeFile(file, full);
    const { ffprobe } = await locateFfmpeg();
    const probe = JSON.parse((await run(ffprobe, ['-v', 'error', '-show_entries', 'stream=codec_type,nb_frames:format=duration', '-of', 'json', file])).stdout);
    assert.deepEqual(probe.streams.map((s: { codec_type: string }) => s.codec_type).sort(), ['audio', 'video']);
    assert.ok(Math.abs(Number(probe.format.duration) - fixture.seconds) < 0.2, `duration ${probe.format.duration}`);
    assert.equal(Number(probe.streams.find((s: { codec_type: string }) => s.codec_type === 'video').nb_frames), fixture.frameCount);
    // The frames are evenly spaced where composited and copied segments meet: no gap, no overlap
    // (a player at the story's frame rate shows exactly the story's frames), video as long as the audio.
    const frames: { pts_time: string }[] = JSON.parse(
      (await run(ffprobe, ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'frame=pts_time', '-of', 'json', file], { maxBuffer: 64 * 1024 * 1024 }))
        .stdout,
    ).frames;
    const pts = frames.map((f) => Number(f.pts_time));
    const step = fixture.seconds / fixture.frameCount;
    const uneven = pts
      .slice(1)
      .map((t, i) => [i + 1, t - pts[i]])
      .filter(([, d]) => Math.abs(d - step) > step / 4);
    assert.deepEqual(uneven, [], 'frame spacing');
    assert.ok(Math.abs(pts[0]) < 1e-6, `first frame at ${pts[0]} s`);
    assert.equal(pts.length, fixture.frameCount);

    const playlist = await (await fetch(`${api.url}${status.hlsUrl}`)).text();
    assert.match(playlist, /#EXT-X-ENDLIST/);
    const segments = playlist.split('\n').filter((l) => l.endsWith('.ts'));
    assert.equal(segments.length, status.segmentsTotal);
    const ts = await fetch(`${api.url}/api/renders/${created.body.id}/hls/${segments[0]}`);
    assert.equal(ts.headers.get('content-type'), 'video/mp2t');
    assert.equal((await fetch(`${api.url}/api/renders/${created.body.id}/hls/..%2Fvideo.mp4`)).status, 404);

    // Each request from byte 0 (the range 0-99 and the full download) is a download in the lifecycle log.
    const downloaded = (await json(await fetch(`${api.url}/api/renders/${created.body.id}`))).body;
    assert.equal(downloaded.events.filter((e: { event: string }) => e.event === 'downloaded').length, 2);

    const del = await fetch(`${api.url}/api/renders/${created.body.id}`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    await assert.rejects(fs.access(path.join(dir.path, 'generated', created.body.id)));
    // Deleted means gone: every URL of the render is a 404 (issue 16).
    assert.equal((await fetch(`${api.url}/api/renders/${created.body.id}`)).status, 404);
    assert.equal((await fetch(`${api.url}${status.videoUrl}`)).status, 404);
  });

  test('bad requests: unknown story 404, story not ready 409, missing face 422, malformed 400/404', async () => {
    const faceId = await uploadFace(api, 'sample3.jpg');
    assert.equal((await requestRender(api, { storyId: 'no-such-story', faces: { hero: [faceId] } })).status, 404);
    const client = new Client({ connectionString: db.url });
    await client.connect();
    await client.query(`INSERT INTO story (id, title, status) VALUES ('unready', 'Unready', 'precomputing')`);
    await client.end();
    const unready = await requestRender(api, { storyId: 'unready', faces: { hero: [faceId] } });
    assert.equal(unready.status, 409);
    assert.equal(unready.body.error.code, 'STORY_NOT_READY');
    const missing = await requestRender(api, { storyId: 'tale', faces: { hero: ['AAAAAAAAAAAAAAAAAAAAAA'] } });
    assert.equal(missing.status, 422);
    assert.equal(missing.body.error.code, 'FACE_MISSING');
    await fetch(`${api.url}/api/faces/${faceId}`, { method: 'DELETE' });
    const expired = await requestRender(api, { storyId: 'tale', faces: { hero: [faceId] } });
    assert.equal(expired.status, 422);
    assert.equal(expired.body.error.code, 'FACE_EXPIRED');
    assert.equal((await requestRender(api, { storyId: 'tale' })).status, 400);
    assert.equal((await requestRender(api, { storyId: 'tale', faces: { villain: [faceId] } })).status, 400);
    assert.equal((await fetch(`${api.url}/api/renders/not-an-id`)).status, 404);
    assert.equal((await fetch(`${api.url}/api/renders/AAAAAAAAAAAAAAAAAAAAAA`)).status, 404);
  });

  test('DELETE during a render stops it and removes its files', async () => {
    const faceId = await uploadFace(api, 'sample6.jpg');
    const created = await requestRender(api, { storyId: 'tale', faces: { hero: [faceId] } });
    assert.equal(created.status, 202);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = (await json(await fetch(`${api.url}/api/renders/${created.body.id}`))).body;
      if (s.status === 'rendering') break;
      assert.ok(s.status === 'queued' && Date.now() < deadline, `status ${s.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const del = await fetch(`${api.url}/api/renders/${created.body.id}`, { method: 'DELETE' });
    assert.equal(del.status, 200);
    await new Promise((r) => setTimeout(r, 4000)); // the worker notices between frames
    await assert.rejects(fs.access(path.join(dir.path, 'generated', created.body.id)), 'no files left');
    assert.equal((await fetch(`${api.url}/api/renders/${created.body.id}`)).status, 404);
  });

  test('a server killed mid-render: after a restart the render completes, once, valid', async () => {
    const faceId = await uploadFace(api, 'sample4.jpg');
    const created = await requestRender(api, { storyId: 'tale', faces: { hero: [faceId] } });
    assert.equal(created.status, 202);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const s = (await json(await fetch(`${api.url}/api/renders/${created.body.id}`))).body;
      if (s.status === 'rendering') break;
      assert.ok(s.status === 'queued' && Date.now() < deadline, `status ${s.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // The render's ffmpeg processes (started by the segment threads' launchers, children of the
    // API process) go with it, and so do the launchers.
    let orphans: number[] = [];
    while ((orphans = await descendantsOf(api.child.pid!, 'ffmpeg')).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(orphans.length > 0, 'the render had started ffmpeg before the kill');
    const launchers = await descendantsOf(api.child.pid!, 'perl');
    await api.stop('SIGKILL');
    const goneBy = Date.now() + 5000;
    while ([...orphans, ...launchers].some(isRunning) && Date.now() < goneBy) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(orphans.filter(isRunning), [], 'no ffmpeg outlives the killed server');
    assert.deepEqual(launchers.filter(isRunning), [], 'no launcher outlives the killed server');
    api = await startApi(env);
    const { names, last } = await followEvents(`${api.url}/api/renders/${created.body.id}/events`, 180_000);
    assert.equal(names.at(-1), 'done', JSON.stringify(last));
    const status = (await json(await fetch(`${api.url}/api/renders/${created.body.id}`))).body;
    assert.deepEqual(
      status.events.map((e: { event: string }) => e.event),
      ['queued', 'rendering', 'rendered'],
      'rendered exactly once',
    );
    const file = path.join(dir.path, 'generated', created.body.id, 'video.mp4');
    const { ffprobe } = await locateFfmpeg();
    const probe = JSON.parse((await run(ffprobe, ['-v', 'error', '-show_entries', 'stream=codec_type,nb_frames:format=duration', '-of', 'json', file])).stdout);
    assert.equal(probe.streams.length, 2);
    assert.ok(Math.abs(Number(probe.format.duration) - fixture.seconds) < 0.2);
    const leftovers = (await fs.readdir(path.join(dir.path, 'generated', created.body.id), { recursive: true })).filter((f) => String(f).endsWith('.tmp'));
    assert.deepEqual(leftovers, [], 'no half-written files');
  });
});

/** The running processes named `comm` among the descendants of `pid` (from /proc). */
async function descendantsOf(pid: number, comm: string): Promise<number[]> {
  const procs: { pid: number; comm: string; state: string; ppid: number }[] = [];
  for (const entry of await fs.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await fs.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const m = /^(\d+) \((.*)\) (\S) (\d+)/.exec(stat);
    if (m) procs.push({ pid: Number(m[1]), comm: m[2], state: m[3], ppid: Number(m[4]) });
  }
  const tree = new Set([pid]);
  for (let size = 0; tree.size !== size;) {
    size = tree.size;
    for (const p of procs) if (tree.has(p.ppid)) tree.add(p.pid);
  }
  return procs.filter((p) => p.pid !== pid && tree.has(p.pid) && p.comm === comm && p.state !== 'Z').map((p) => p.pid);
}

/** Alive and not a zombie (an orphan's zombie waits for init, which may not reap it in a container). */
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}
