// Support for the load tests (`npm run test:load`, never part of `npm test`): real API and worker
// processes on loopback, real photos, real renders. Everything here is bounded in time.
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { samplePhotoDirectory } from '@talecast/face';
import { locateFfmpeg } from '@talecast/video';
import { ApiProcess, CLI_MAIN, runNode, sharedFixture, startApi } from '@talecast/testing';

const run = promisify(execFile);

/** How many renders the scale-out test requests (12 by default; e.g. 4 on a small CI machine). */
export const LOAD_SCALE = Math.max(2, Math.floor(Number(process.env.TALECAST_LOAD_SCALE ?? 12)) || 12);
/** The default scale the other counts are given for. */
export const scaled = (atDefault: number, minimum: number) => Math.max(minimum, Math.round((atDefault * LOAD_SCALE) / 12));

export const SAMPLES = ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg', 'sample5.jpg', 'sample6.jpg'];
const photoCache = new Map<string, Buffer>();
export async function samplePhoto(i: number): Promise<{ name: string; data: Buffer }> {
  const name = SAMPLES[i % SAMPLES.length];
  if (!photoCache.has(name)) photoCache.set(name, await fs.readFile(path.join(samplePhotoDirectory(), name)));
  return { name, data: photoCache.get(name)! };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function log(line: string): void {
  process.stdout.write(`# ${line}\n`);
}

/** The 5-second story every load test renders, analysed once into this data dir and database. */
export async function precomputeStory(env: Record<string, string>, storyId = 'tale') {
  const fixture = await sharedFixture(5, 'a');
  const pre = await runNode(
    CLI_MAIN,
    ['precompute', '--story', storyId, '--video', fixture.video, '--masks', fixture.masks, '--title', 'The Tale'],
    env,
    600_000,
  );
  assert.equal(pre.code, 0, pre.output);
  return fixture;
}

/** An API (`api`) or worker (`worker`) process; a worker answers `ready` with no URL. */
export async function startRole(role: 'api' | 'worker' | 'all', env: Record<string, string>): Promise<ApiProcess> {
  return startApi({ ...env, TALECAST_ROLE: role }, 180_000);
}

/** `hostname:pid`, as the render row's `worker` column names a worker. */
export function workerName(p: ApiProcess): string {
  return `${os.hostname()}:${p.child.pid}`.slice(0, 64);
}

/** A JSON answer of the API as the tests read it (what a field holds is checked by the test). */
export interface ApiBody {
  id?: string;
  status?: string;
  error?: { code?: string; message?: string };
  database?: { ok?: boolean };
  [field: string]: unknown;
}

export interface Timed<T> {
  status: number;
  body: T;
  ms: number;
  retryAfter: string | null;
}

export async function timedFetch<T = ApiBody>(url: string, init: RequestInit = {}, timeoutMs = 120_000): Promise<Timed<T>> {
  const started = performance.now();
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body: body as T, ms: performance.now() - started, retryAfter: res.headers.get('retry-after') };
}

export async function uploadPhoto(apiUrl: string, photo: { name: string; data: Buffer }, timeoutMs = 120_000): Promise<Timed<ApiBody>> {
  const form = new FormData();
  form.append('photo', new Blob([new Uint8Array(photo.data)]), photo.name);
  return timedFetch(`${apiUrl}/api/faces`, { method: 'POST', body: form }, timeoutMs);
}

/** Uploads until it succeeds, honouring 503/429 Retry-After (as a polite client does). */
export async function uploadFace(apiUrl: string, i: number): Promise<string> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const r = await uploadPhoto(apiUrl, await samplePhoto(i));
    if (r.status === 201) return r.body.id!;
    assert.ok([429, 503].includes(r.status) && Date.now() < deadline, `upload ${i}: ${r.status} ${JSON.stringify(r.body)}`);
    await sleep(Number(r.retryAfter ?? 1) * 1000);
  }
}

export async function requestRender(apiUrl: string, faceIds: string[], storyId = 'tale', timeoutMs = 60_000) {
  return timedFetch(
    `${apiUrl}/api/renders`,
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ storyId, faces: { hero: faceIds } }) },
    timeoutMs,
  );
}

export interface RenderStatus {
  id: string;
  status: string;
  events: { event: string; details?: Record<string, unknown> }[];
  segmentsDone?: number;
  segmentsTotal?: number;
  error?: unknown;
  [k: string]: unknown;
}

export async function renderStatus(apiUrl: string, id: string): Promise<RenderStatus> {
  const r = await timedFetch<RenderStatus>(`${apiUrl}/api/renders/${id}`, {}, 30_000);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

const FINAL = ['done', 'failed', 'deleted', 'purged', 'expired', 'cancelled'];

/** Polls until every render is final; returns their last status and when each finished. */
export async function waitForRenders(apiUrl: string, ids: string[], timeoutMs: number): Promise<Map<string, RenderStatus & { finishedAfterMs: number }>> {
  const started = Date.now();
  const out = new Map<string, RenderStatus & { finishedAfterMs: number }>();
  while (out.size < ids.length) {
    for (const id of ids) {
      if (out.has(id)) continue;
      const s = await renderStatus(apiUrl, id).catch(() => undefined); // a transient error is retried
      if (s && FINAL.includes(s.status)) out.set(id, { ...s, finishedAfterMs: Date.now() - started });
    }
    if (out.size === ids.length) break;
    if (Date.now() - started > timeoutMs) {
      const pending = ids.filter((id) => !out.has(id));
      assert.fail(
        `${pending.length} of ${ids.length} renders not finished after ${Math.round(timeoutMs / 1000)} s: ${pending.map((p) => p.slice(0, 6)).join(', ')}`,
      );
    }
    await sleep(1000);
  }
  return out;
}

/** Polls one render until `predicate` holds. */
export async function waitForRender(
  apiUrl: string,
  id: string,
  predicate: (s: RenderStatus) => boolean,
  timeoutMs: number,
  pollMs = 100,
): Promise<RenderStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await renderStatus(apiUrl, id);
    if (predicate(s)) return s;
    assert.ok(Date.now() < deadline, `render ${id} still ${s.status} after ${timeoutMs} ms`);
    assert.ok(!['failed', 'deleted', 'purged', 'expired', 'cancelled'].includes(s.status), `render ${id} ${s.status}: ${s.error}`);
    await sleep(pollMs);
  }
}

export function countEvents(s: RenderStatus, name: string): number {
  return s.events.filter((e) => e.event === name).length;
}

export async function probeVideo(file: string): Promise<{ duration: number; streams: string[] }> {
  const { ffprobe } = await locateFfmpeg();
  const probe = JSON.parse((await run(ffprobe, ['-v', 'error', '-show_entries', 'stream=codec_type:format=duration', '-of', 'json', file])).stdout);
  return { duration: Number(probe.format.duration), streams: probe.streams.map((s: { codec_type: string }) => s.codec_type).sort() };
}

/** Asserts the rendered MP4 is whole: audio + video, the story's duration. */
export async function assertValidVideo(dataDir: string, renderId: string, seconds: number): Promise<void> {
  const file = path.join(dataDir, 'generated', renderId, 'video.mp4');
  const p = await probeVideo(file);
  assert.deepEqual(p.streams, ['audio', 'video'], `${renderId}: streams`);
  assert.ok(Math.abs(p.duration - seconds) < 0.25, `${renderId}: duration ${p.duration} vs ${seconds}`);
}

export async function leftoverTmpFiles(dir: string): Promise<string[]> {
  const all = await fs.readdir(dir, { recursive: true }).catch(() => [] as string[]);
  return all.map(String).filter((f) => f.endsWith('.tmp') || f.includes('.tmp-'));
}

export async function renderRows(databaseUrl: string): Promise<{ id: string; worker: string | null; attempts: number; status: string }[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(`SELECT id, worker, attempts, status FROM render ORDER BY "createdAt"`)).rows;
  } finally {
    await client.end();
  }
}

/** Resident memory of a process in MB, from /proc (undefined once it has gone). */
export async function rssMb(pid: number): Promise<number | undefined> {
  try {
    const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1]);
    return Number.isFinite(kb) ? kb / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; reports the peak. */
export function sampleRss(pid: number, everyMs = 200) {
  const samples: number[] = [];
  const timer = setInterval(() => void rssMb(pid).then((mb) => mb !== undefined && samples.push(mb)), everyMs);
  timer.unref(); // a failing test must not keep its file running
  return {
    samples,
    stop: () => {
      clearInterval(timer);
      return { peak: Math.max(...samples), last: samples.at(-1) ?? NaN, count: samples.length };
    },
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** Stops every process given, in parallel, ignoring those already gone. */
export async function stopAll(processes: (ApiProcess | undefined)[]): Promise<void> {
  await Promise.all(processes.map(async (p) => p?.stop().catch(() => undefined)));
}
