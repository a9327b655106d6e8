// `npm run bench`: one run, side by side, on generated stories (60 s, hero in ~60% of frames):
//   precompute speed; render wall time, multiple of real time, first playable HLS segment, peak
//   memory; the floor (bare ffmpeg decode+encode of exactly the face segments, same settings,
//   same parallelism); the naive pipeline (one process: decode every frame → composite → encode
//   every frame); peak memory for a 60 s and a 240 s story; face upload latency; click to first
//   frame in real Chromium on the parents' page against the real API process (click-to-first-frame.ts);
//   what the child's voice adds to the render (with vs without a recorded line, voice-budget.ts).
// Writes bench/results.json and prints a table. Options: --seconds 60 --long 240 (0 = skip),
// --click-runs 3 (0 = skip), --click-only (precompute or --reuse, then only the click runs),
// --voice-pairs 3 (0 = skip), --voice-only (precompute or --reuse, then only the voice pairs),
// --cli-runs 2 (0 = skip; each: cold, then handed to a server the bench starts), --cli-only (only the whole
// `cli render` processes; needs the story from an earlier run).
import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@talecast/config';
import { CoreModule } from '@talecast/core';
import { FaceAnalysisService, samplePhotoDirectory } from '@talecast/face';
import { generateStoryFixture, generateTale } from '@talecast/fixtures';
import { FfmpegService, runFfmpeg, encodeSegmentRunArgs, encodeSegmentArgs, startFfmpeg } from '@talecast/video';
import { LifecycleModule } from '@talecast/lifecycle';
import { QueueModule } from '@talecast/queue';
import { PrecomputeModule, PrecomputeService } from '@talecast/precompute';
import { FaceUploadService } from '@talecast/face-upload';
import {
  RenderModule,
  RenderService,
  RenderWorker,
  loadStory,
  chooseFaces,
  segmentTracks,
  closeRenderPool,
  renderPool,
  warmRenderPool,
  HeroPreviewService,
  planRunSizes,
  DEFAULT_MAX_RUN_FRAMES,
  QUICK_START_SECONDS,
  renderEncoderThreads,
} from '@talecast/render';
import { StorageCore } from '@talecast/storage';
import { FrameCompositor, prepareFace } from '@talecast/compositor';
import { Database } from '@talecast/persistence';
import { DataSource } from 'typeorm';
import { CpuUsage, PeakMemory } from './process-memory';
import { clickToFirstFrame } from './click-to-first-frame';
import { voiceBudget } from './voice-budget';
import { CliRenderRun, cliRenderRuns, CliWrapperFigures, cliWrapperRuns, startRenderServer } from './cli-render';

const { values: opts } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    long: { type: 'string', default: '240' },
    /** Reuse a story precomputed by an earlier bench run (faster iteration; the precompute figure is then that run's). */
    reuse: { type: 'boolean', default: false },
    /** Skip the naive pipeline (faster iteration). */
    'skip-naive': { type: 'boolean', default: false },
    /** Print the render's timeline. */
    trace: { type: 'boolean', default: false },
    /** Parents' page runs timed from the click to the first frame (0 = skip). */
    'click-runs': { type: 'string', default: '3' },
    /** Seconds of the animated tale ("The Golden Key", 1280x720 30 fps) whose precompute is timed (0 = skip). */
    tale: { type: 'string', default: '60' },
    /** Only the animated tale's precompute (--tale seconds): no upload, story, render or click runs. */
    'tale-only': { type: 'boolean', default: false },
    /** Only the click-to-first-frame runs (after the precompute, or --reuse). */
    'click-only': { type: 'boolean', default: false },
    /** Renders of the main story without and with a recorded line, alternately (0 = skip). */
    'voice-pairs': { type: 'string', default: '3' },
    /** Only the voice pairs (after the precompute, or --reuse). */
    'voice-only': { type: 'boolean', default: false },
    /** Whole `cli render` processes of the main story after the bench's own runs, each beside its engine time: cold, then handed to a running server (0 = skip). */
    'cli-runs': { type: 'string', default: '2' },
    /** Only the CLI render runs (the main story precomputed by an earlier bench run in this data folder). */
    'cli-only': { type: 'boolean', default: false },
  },
});

async function main() {
  const config = loadConfig();
  if (opts['cli-only']) {
    printCliRender(await cliRows());
    return;
  }
  const app = await NestFactory.createApplicationContext(
    { module: class Bench {}, imports: [CoreModule.forRoot(config), LifecycleModule, QueueModule, PrecomputeModule, RenderModule] },
    { logger: ['error', 'warn'] },
  );
  const results: Record<string, unknown> = { date: new Date().toISOString(), machine: { cores: os.availableParallelism(), node: process.version } };
  try {
    // The segment threads start (and warm up) now, as the API's worker starts them at boot, not inside the timed render.
    renderPool(config.renderThreads);
    const ff = await app.get(FfmpegService).locate();
    const detector = await app.get(FaceAnalysisService).detector();
    results.ffmpeg = ff.version;
    results.faceBackend = detector.backend;
    const storage = app.get(StorageCore);

    if (opts['click-only']) {
      const fixture = await generateStoryFixture(detector, {
        outDir: path.join(config.roots.base, 'fixtures', `tale-a-${opts.seconds}s`),
        seconds: Number(opts.seconds),
        variant: 'a',
      });
      const storyId = `bench-${opts.seconds}s`;
      const reused =
        opts.reuse &&
        (await fs.access(path.join(storage.storyDir(storyId), 'bench-precompute.json')).then(
          () => true,
          () => false,
        ));
      if (!reused) await app.get(PrecomputeService).run({ storyId, video: fixture.video, masks: fixture.masks, title: `Bench ${opts.seconds}s` });
      results.clickToFirstFrame = await clickRunsFor(Number(opts.seconds));
      return;
    }

    // Face upload latency (1920x1280 JPEG), p50 of 7 after one warm-up.
    const uploads = app.get(FaceUploadService);
    const photo = await fs.readFile(path.join(samplePhotoDirectory(), 'sample1.jpg'));
    const latencies: number[] = [];
    let faceId = '';
    for (let i = 0; i < (opts['tale-only'] ? 0 : 8); i++) {
      const t = performance.now();
      const r = await uploads.ingest(photo);
      if (i > 0) latencies.push(performance.now() - t);
      if (i === 0) faceId = r.id;
      else await uploads.remove(r.id);
    }
    latencies.sort((a, b) => a - b);
    if (latencies.length > 0) {
      results.upload = { p50Ms: Math.round(latencies[Math.floor(latencies.length / 2)]), maxMs: Math.round(latencies.at(-1)!) };
      console.log(`upload p50 ${(results.upload as { p50Ms: number }).p50Ms} ms`);
    }

    const precomputeStory = async (seconds: number) => {
      const fixture = await generateStoryFixture(detector, { outDir: path.join(config.roots.base, 'fixtures', `tale-a-${seconds}s`), seconds, variant: 'a' });
      const storyId = `bench-${seconds}s`;
      const reused = opts.reuse
        ? await fs.readFile(path.join(storage.storyDir(storyId), 'bench-precompute.json'), 'utf8').then(
            (t) => JSON.parse(t),
            () => null,
          )
        : null;
      const pre = reused ?? (await app.get(PrecomputeService).run({ storyId, video: fixture.video, masks: fixture.masks, title: `Bench ${seconds}s` }));
      if (!reused)
        await fs.writeFile(
          path.join(storage.storyDir(storyId), 'bench-precompute.json'),
          JSON.stringify({ seconds: pre.seconds, speed: pre.speed, timings: pre.timings }),
        );
      console.log(`precompute ${seconds}s: ${pre.seconds.toFixed(1)} s = ${pre.speed.toFixed(2)}x real time${reused ? ' (reused from an earlier run)' : ''}`);
      return { storyId, pre };
    };

    const clickRuns = clickRunsFor;
    async function clickRunsFor(seconds: number) {
      const runs = await clickToFirstFrame({
        databaseUrl: app.get(Database).url,
        dataDir: config.roots.base,
        storyId: `bench-${seconds}s`,
        runs: Number(opts['click-runs']),
        dataSource: app.get(DataSource),
      });
      for (const [i, r] of runs.entries()) {
        console.log(`click to first frame, run ${i + 1}: ${(r.totalMs / 1000).toFixed(2)} s via ${r.engine}`);
        for (const [step, ms] of r.steps) console.log(`  ${(ms / 1000).toFixed(2).padStart(6)} s  ${step}`);
      }
      const totals = runs.map((r) => r.totalMs).sort((a, b) => a - b);
      return {
        medianSeconds: round(totals[Math.floor(totals.length / 2)] / 1000),
        runsSeconds: runs.map((r) => round(r.totalMs / 1000)),
        engine: runs[0]?.engine,
        steps: runs.map((r) => r.steps),
      };
    }

    const runStory = async (seconds: number, detailed: boolean) => {
      const { storyId, pre } = await precomputeStory(seconds);
      return measureRender(storyId, `${seconds}s`, pre, detailed, path.join(config.roots.base, 'fixtures', `tale-a-${seconds}s`, 'story.mp4'));
    };

    /** The render of a precomputed story with the uploaded face as its hero; `detailed`: also its floor (and the naive render of `naiveSource`). */
    async function measureRender(storyId: string, label: string, pre: Precomputed, detailed: boolean, naiveSource: string | null) {
      // As in the API, the segment threads are up before the parent's preview and render: the
      // previous render closed the pool, and its restart (threads, modules, warm-up) was timed
      // inside the next story's render — after the tale, the 60 s story's first frame came at
      // 2.4 s instead of 0.5 s and node used 7.2 CPU-s instead of 3.6.
      await warmRenderPool(config.renderThreads);
      const { render } = await app.get(RenderService).create({ storyId, faces: { hero: [faceId] } }, { enqueue: false });
      // The parents' page shows the preview still right after the upload, before the click: the
      // render then takes the face that preview prepared (as in the API). Not timed.
      await app.get(HeroPreviewService).preview(storyId, faceId);
      const memory = new PeakMemory().start();
      const cpu = new CpuUsage().start();
      const t0 = performance.now();
      const traceLines: string[] = [];
      const outcome = (await app
        .get(RenderWorker)
        .process(render.id, undefined, opts.trace ? (ms, e) => traceLines.push(`${(ms / 1000).toFixed(2).padStart(6)} s  ${e}`) : undefined))!;
      const renderMs = performance.now() - t0;
      const peak = memory.stop();
      const renderCpu = cpu.stop();
      await closeRenderPool();
      const out: Record<string, unknown> = {
        precompute: { seconds: round(pre.seconds), speed: round(pre.speed), timings: pre.timings },
        render: {
          seconds: round(renderMs / 1000),
          speed: round(outcome.durationSeconds / (renderMs / 1000)),
          firstHlsSeconds: round((outcome.timings.firstHlsMs ?? 0) / 1000),
          peakMemoryMB: Math.round(peak / 1048576),
          bytes: outcome.bytes,
          preset: config.encoder.renderPreset,
          compositeSeconds: round(outcome.timings.compositeMs / 1000),
          compositeCpuSeconds: round(outcome.timings.compositeCpuMs / 1000),
          cpu: renderCpu,
          segments: outcome.segments,
          composited: outcome.renderedSegments,
          copied: outcome.reusedSegments,
        },
      };
      console.log(
        `render ${label}: ${(renderMs / 1000).toFixed(1)} s = ${(out.render as { speed: number }).speed}x real time, peak ${Math.round(peak / 1048576)} MB`,
      );
      if (traceLines.length) console.log(traceLines.sort().join('\n')); // in time order (some steps are reported after the fact)
      if (detailed) {
        const { manifest, frames } = await loadStory(storage, storyId);
        const faceSegs = manifest.segments.filter((s) => s.hasFace);
        const faceFrames = faceSegs.reduce((n, s) => n + s.end - s.start, 0);
        // Floor: bare ffmpeg decode + encode of exactly the face segments, same settings, same
        // parallelism and the same work split as the render (one ffmpeg per run of segments, runs
        // planned the same way, one file per segment with a keyframe at each start) — the render
        // minus Node, the pipes and the compositing.
        const tmp = storage.stateDir('bench');
        await fs.mkdir(tmp, { recursive: true });
        const runSizes = planRunSizes(
          faceSegs.map((s) => s.end - s.start),
          faceSegs.length ? faceSegs[0].start / manifest.video.fps : Infinity,
          { lanes: config.renderThreads, maxRunFrames: DEFAULT_MAX_RUN_FRAMES, quickStartSeconds: QUICK_START_SECONDS },
        );
        const runs: (typeof faceSegs)[] = [];
        for (let i = 0, r = 0; r < runSizes.length; i += runSizes[r++]) runs.push(faceSegs.slice(i, i + runSizes[r]));
        const floorCpu = new CpuUsage().start();
        const f0 = performance.now();
        const queue = [...runs];
        await Promise.all(
          Array.from({ length: config.renderThreads }, async (_, lane) => {
            for (let run = queue.shift(); run; run = queue.shift()) {
              const list = path.join(tmp, `floor-${lane}.txt`);
              await fs.writeFile(list, run.map((s) => `file '${path.join(storage.storyDir(storyId), s.file)}'`).join('\n') + '\n');
              // The render's encoder arguments, with the decoder of the segment files (one thread, as
              // the render's decoder) in the same process instead of the pipe.
              await runFfmpeg(
                ff.ffmpeg,
                encodeSegmentRunArgs({
                  width: manifest.video.width,
                  height: manifest.video.height,
                  fpsNum: manifest.video.fpsNum,
                  fpsDen: manifest.video.fpsDen,
                  encoder: {
                    ...config.encoder,
                    preset: config.encoder.renderPreset,
                    threads: renderEncoderThreads(config.encoder.threads, config.renderThreads),
                  },
                  matrix: manifest.video.matrix,
                  range: manifest.video.range,
                  segmentFrames: run.map((s) => s.end - s.start),
                  startNumber: run[0].index,
                  pattern: path.join(tmp, 'floor-%04d.mp4'),
                  input: ['-threads', '1', '-f', 'concat', '-safe', '0', '-i', list],
                  reportFiles: false,
                  inputFpsMode: ff.fpsModeOption,
                }),
              );
            }
          }),
        );
        const floorMs = performance.now() - f0;
        const floorCpuUsed = floorCpu.stop();
        // Naive: one process, every frame decoded, composited where the hero is, encoded.
        const runNaive = async () => {
          const face = await uploads.load(faceId);
          const prepared = prepareFace({
            rgba: face.rgba,
            size: face.size,
            landmarks: face.landmarks,
            matrix: manifest.video.matrix,
            range: manifest.video.range,
            style: manifest.story.style,
          });
          const choices = chooseFaces(frames, [{ role: 'hero', candidates: [{ expressionScores: face.expressionScores, yaw: face.yaw }], faceListIndex: [0] }]);
          const n0 = performance.now();
          const compositor = new FrameCompositor();
          const { width, height } = manifest.video;
          const ySize = width * height,
            cSize = (width >> 1) * (height >> 1),
            frameBytes = ySize + 2 * cSize;
          const dec = startFfmpeg(ff.ffmpeg, ['-hide_banner', '-loglevel', 'error', '-i', naiveSource!, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'], {
            stdout: true,
          });
          const enc = startFfmpeg(
            ff.ffmpeg,
            encodeSegmentArgs({
              width,
              height,
              fpsNum: manifest.video.fpsNum,
              fpsDen: manifest.video.fpsDen,
              out: path.join(tmp, 'naive.mp4'),
              encoder: config.encoder,
              matrix: manifest.video.matrix,
              range: manifest.video.range,
            }),
            { stdin: true },
          );
          let buf = Buffer.allocUnsafe(frameBytes),
            filled = 0,
            index = 0;
          const tracks = manifest.segments.map((s) => ({ s, t: segmentTracks(manifest, frames, s, choices) }));
          await new Promise<void>((resolve, reject) => {
            dec.child.stdout!.on('data', (chunk: Buffer) => {
              let off = 0;
              while (off < chunk.length) {
                const n = Math.min(frameBytes - filled, chunk.length - off);
                chunk.copy(buf, filled, off, off + n);
                filled += n;
                off += n;
                if (filled === frameBytes) {
                  const seg = tracks.find((x) => index >= x.s.start && index < x.s.end)!;
                  const k = index - seg.s.start;
                  for (const tr of seg.t) {
                    if (tr.faceIndex[k] < 0) continue;
                    const c = tr.colour.subarray(k * 6, k * 6 + 6);
                    compositor.composite(
                      {
                        y: { data: new Uint8Array(buf.buffer, buf.byteOffset, ySize), width, height, stride: width },
                        u: { data: new Uint8Array(buf.buffer, buf.byteOffset + ySize, cSize), width: width >> 1, height: height >> 1, stride: width >> 1 },
                        v: {
                          data: new Uint8Array(buf.buffer, buf.byteOffset + ySize + cSize, cSize),
                          width: width >> 1,
                          height: height >> 1,
                          stride: width >> 1,
                        },
                      },
                      prepared,
                      {
                        landmarks: tr.landmarks.subarray(k * 136, k * 136 + 136),
                        colour: { mean: [c[0], c[1], c[2]], std: [c[3], c[4], c[5]], weight: 1 },
                        yaw: tr.yaw[k],
                        mouthOpen: tr.mouthOpen[k],
                        occluders: tr.occluders[k],
                      },
                    );
                  }
                  if (!enc.child.stdin!.write(buf)) {
                    dec.child.stdout!.pause();
                    enc.child.stdin!.once('drain', () => dec.child.stdout!.resume());
                  }
                  buf = Buffer.allocUnsafe(frameBytes);
                  filled = 0;
                  index++;
                }
              }
            });
            dec.child.stdout!.once('end', () => {
              enc.child.stdin!.end();
              Promise.all([dec.done, enc.done]).then(() => resolve(), reject);
            });
            dec.done.catch(reject);
          });
          return performance.now() - n0;
        };
        const naiveMs = opts['skip-naive'] || !naiveSource ? NaN : await runNaive();
        await fs.rm(tmp, { recursive: true, force: true });
        out.floor = { seconds: round(floorMs / 1000), faceSegments: faceSegs.length, faceFrames, runs: runSizes, cpu: floorCpuUsed };
        out.naive = { seconds: round(naiveMs / 1000) };
        out.ratios = {
          renderOverFloor: round(renderMs / floorMs),
          naiveOverRender: round(naiveMs / renderMs),
          // CPU against CPU: the compositing threads' own CPU time over the floor's (decoder and encoder).
          compositeShareOfFloor: round(outcome.timings.compositeCpuMs / 1000 / floorCpuUsed.ours),
        };
        console.log(`floor ${(floorMs / 1000).toFixed(1)} s, naive ${(naiveMs / 1000).toFixed(1)} s`);
        console.log(
          `CPU seconds (ours / other processes / idle): render ${renderCpu.ours} / ${renderCpu.others} / ${renderCpu.idle}, floor ${floorCpuUsed.ours} / ${floorCpuUsed.others} / ${floorCpuUsed.idle}`,
        );
        console.log(`render CPU by process: ${JSON.stringify(renderCpu.byKind)}; floor: ${JSON.stringify(floorCpuUsed.byKind)}`);
        console.log(`render page faults by process: ${JSON.stringify(renderCpu.faultsByKind)}; floor: ${JSON.stringify(floorCpuUsed.faultsByKind)}`);
      }
      return out;
    }

    // Real (animated) footage: the precompute on the generated fairy tale, not a photo fixture.
    const taleSeconds = Number(opts.tale);
    if (taleSeconds > 0) {
      const tale = await generateTale({
        outDir: path.join(config.roots.base, 'fixtures', `golden-key-1280x720-${taleSeconds}s`),
        seconds: taleSeconds,
        width: 1280,
        height: 720,
        fps: 30,
      });
      const taleId = `bench-tale-${taleSeconds}s`;
      const recorded = path.join(storage.storyDir(taleId), 'bench-precompute.json');
      const reused: (Precomputed & { cpu: unknown }) | null =
        opts.reuse && !opts['tale-only']
          ? await fs.readFile(recorded, 'utf8').then(
              (t) => JSON.parse(t),
              () => null,
            )
          : null;
      const cpu = new CpuUsage().start();
      const pre =
        reused ??
        (await app.get(PrecomputeService).run({ storyId: taleId, video: tale.video, masks: tale.masks, title: `Bench tale ${taleSeconds}s`, style: 'toon' }));
      results.talePrecompute = { seconds: round(pre.seconds), speed: round(pre.speed), timings: pre.timings, cpu: reused ? reused.cpu : cpu.stop() };
      if (!reused) await fs.writeFile(recorded, JSON.stringify(results.talePrecompute));
      console.log(
        `precompute of the animated tale (${taleSeconds} s, 1280x720): ${pre.seconds.toFixed(1)} s = ${pre.speed.toFixed(2)}x real time${reused ? ' (reused from an earlier run)' : ''}`,
      );
      if (opts['tale-only']) console.log(JSON.stringify({ timings: pre.timings, cpu: (results.talePrecompute as { cpu: unknown }).cpu }));
      // The drawn story's render: its compositing (filled face, the story's light, eyes) costs more per
      // frame than the photo story's, so its share of the floor is measured on it too.
      if (!opts['tale-only']) results.taleRender = await measureRender(taleId, `tale ${taleSeconds}s`, pre, true, null);
    }
    if (opts['tale-only']) return;

    const main = Number(opts.seconds);
    const voiceRuns = async () => {
      const { storyId } = await precomputeStory(main);
      const o = {
        storyId,
        storySeconds: main,
        faceId,
        pairs: Number(opts['voice-pairs']),
        workDir: path.join(storage.stateDir('bench'), 'voice'),
        renderThreads: config.renderThreads,
      };
      results.voiceBudget = await voiceBudget(app, o);
    };
    if (opts['voice-only']) await voiceRuns();
    else {
      results[`story${main}s`] = await runStory(main, true);
      if (Number(opts['click-runs']) > 0) results.clickToFirstFrame = await clickRuns(main);
      if (Number(opts['voice-pairs']) > 0) await voiceRuns();
    }
    const long = opts['voice-only'] ? 0 : Number(opts.long);
    if (long > 0) {
      results[`story${long}s`] = await runStory(long, false);
      const a = (results[`story${main}s`] as StoryFigures).render.peakMemoryMB;
      const b = (results[`story${long}s`] as StoryFigures).render.peakMemoryMB;
      results.memoryGrowth = { [`${main}s`]: a, [`${long}s`]: b, growth: round(b / a - 1) };
    }
  } finally {
    await app.close();
  }
  // After the bench's database is closed: each CLI process starts the embedded Postgres itself, as a person's or a script's does.
  if (Number(opts['cli-runs']) > 0 && !opts['tale-only'] && !opts['click-only'] && !opts['voice-only']) results.cliRender = await cliRows();
  await fs.mkdir(path.join(process.cwd(), 'bench'), { recursive: true });
  await fs.writeFile(path.join(process.cwd(), 'bench', 'results.json'), JSON.stringify(results, null, 2));
  if (opts['voice-only']) printVoiceBudget(results as BenchResults);
  else if (opts['tale-only']) return;
  else if (opts['click-only'])
    console.log(
      `\nclick to first frame (parents' page, Chromium): median ${(results.clickToFirstFrame as { medianSeconds: number }).medianSeconds} s   target ≤ 3 s`,
    );
  else printTable(results as BenchResults);
}

/**
 * The CLI's whole `render` process vs its engine time, on the main story (bench/cli-render.ts):
 * cold (in its own process), then handed to a server the bench starts on its data folder.
 */
async function cliRows(): Promise<CliRenderFigures> {
  const runs = Math.max(1, Number(opts['cli-runs']));
  const common = { storyId: `bench-${opts.seconds}s`, face: path.join(samplePhotoDirectory(), 'sample1.jpg'), runs, env: process.env };
  const cold = await cliRenderRuns({ ...common, mode: 'cold' });
  const server = await startRenderServer(process.env);
  let handed: CliRenderMeans;
  try {
    handed = cliMeans(await cliRenderRuns({ ...common, mode: 'handed' }));
  } finally {
    await server.stop();
  }
  const wrapper = await cliWrapperRuns({ runs: 5, env: process.env, repo: path.join(__dirname, '..', '..') });
  return { cold: cliMeans(cold), handed, wrapper };
}

function cliMeans(runs: CliRenderRun[]): CliRenderMeans {
  const mean = (f: (r: CliRenderRun) => number) => round(runs.reduce((a, r) => a + f(r), 0) / runs.length);
  return {
    runs,
    wholeSeconds: mean((r) => r.wholeSeconds),
    engineSeconds: mean((r) => r.engineSeconds),
    outsideSeconds: mean((r) => r.wholeSeconds - r.engineSeconds),
  };
}

interface CliRenderMeans {
  runs: CliRenderRun[];
  wholeSeconds: number;
  engineSeconds: number;
  outsideSeconds: number;
}

interface CliRenderFigures {
  cold: CliRenderMeans;
  handed: CliRenderMeans;
  wrapper?: CliWrapperFigures;
}

function cliRenderText(c: CliRenderMeans | undefined): string {
  return c ? `${c.wholeSeconds} s whole for ${c.engineSeconds} s engine: ${c.outsideSeconds} s outside (mean of ${c.runs.length})` : 'skipped';
}

const CLI_COLD_ROW = 'cli render, cold (own process)';
const CLI_HANDED_ROW = 'cli render, handed to server';
const CLI_WRAPPER_ROW = 'npm run cli adds (--help)';

function cliWrapperText(w: CliWrapperFigures | undefined): string {
  return w ? `${w.addedSeconds} s (${w.npmSeconds} s vs node main.js ${w.directSeconds} s, median of ${w.runs.length})` : 'skipped';
}

function printCliRender(c: CliRenderFigures): void {
  console.log(`
${CLI_COLD_ROW.padEnd(30)} ${cliRenderText(c.cold).padEnd(44)} ${JSON.stringify(c.cold.runs)}
${CLI_HANDED_ROW.padEnd(30)} ${cliRenderText(c.handed).padEnd(44)} ${JSON.stringify(c.handed.runs)}
${CLI_WRAPPER_ROW.padEnd(30)} ${cliWrapperText(c.wrapper).padEnd(44)} npm's start and the build's up-to-date check`);
}

/** The figures printTable reads (results.json holds more). */
/** A story's precompute figures (run now or read back with --reuse). */
interface Precomputed {
  seconds: number;
  speed: number;
  timings: unknown;
}

interface StoryFigures {
  floor?: unknown;
  precompute: { speed: number };
  render: { speed: number; seconds: number; firstHlsSeconds: number; peakMemoryMB: number };
  ratios: { renderOverFloor: number; naiveOverRender: number; compositeShareOfFloor: number };
}

interface BenchResults {
  machine: { cores: number };
  ffmpeg: string;
  faceBackend: string;
  upload: { p50Ms: number };
  memoryGrowth?: { growth: number };
  talePrecompute?: { speed: number; seconds: number };
  taleRender?: StoryFigures;
  clickToFirstFrame?: { medianSeconds: number; runsSeconds: number[]; engine: string };
  voiceBudget?: { addedSeconds: number; addedCpuSeconds: number; withoutSeconds: number[]; withSeconds: number[] };
  cliRender?: CliRenderFigures;
  [story: string]: unknown;
}

function voiceBudgetText(r: BenchResults): string {
  const v = r.voiceBudget;
  return v
    ? `+${v.addedSeconds} s wall, +${v.addedCpuSeconds} s CPU (with ${JSON.stringify(v.withSeconds)} vs without ${JSON.stringify(v.withoutSeconds)})`
    : 'skipped';
}

function printVoiceBudget(r: BenchResults): void {
  console.log(`\n${'child’s voice: added render time'.padEnd(30)} ${voiceBudgetText(r).padEnd(44)} target ≤ 1 s`);
}

function printTable(r: BenchResults): void {
  const main = Object.keys(r).find((k) => /^story\d+s$/.test(k) && (r[k] as StoryFigures).floor)!;
  const m = r[main] as StoryFigures;
  const rows: [string, string, string][] = [
    ['precompute speed (fixture)', `${m.precompute.speed}x real time`, 'target ≥ 1.5x'],
    [
      'precompute speed (animated tale)',
      r.talePrecompute ? `${r.talePrecompute.speed}x real time (${r.talePrecompute.seconds} s)` : 'skipped',
      'target ≥ 1.5x',
    ],
    ['render speed', `${m.render.speed}x real time (${m.render.seconds} s)`, 'target ≥ 10x'],
    ['render / floor', `${m.ratios.renderOverFloor}`, 'target ≤ 1.3'],
    ['naive / render', `${m.ratios.naiveOverRender}`, 'target ≥ 2'],
    ['first HLS segment', `${m.render.firstHlsSeconds} s`, 'target ≤ 3 s'],
    [
      'click to first frame (Chromium)',
      r.clickToFirstFrame
        ? `${r.clickToFirstFrame.medianSeconds} s median of ${JSON.stringify(r.clickToFirstFrame.runsSeconds)} via ${r.clickToFirstFrame.engine}`
        : 'skipped',
      'target ≤ 3 s',
    ],
    ['compositing share of floor', `${Math.round(m.ratios.compositeShareOfFloor * 100)}% (CPU)`, 'target ≤ 15%'],
    [
      'compositing share (animated tale)',
      r.taleRender ? `${Math.round(r.taleRender.ratios.compositeShareOfFloor * 100)}% (CPU), render ${r.taleRender.render.speed}x real time` : 'skipped',
      'target ≤ 15%',
    ],
    ['peak memory (render)', `${m.render.peakMemoryMB} MB`, ''],
    ['memory growth', r.memoryGrowth ? `${Math.round(r.memoryGrowth.growth * 100)}% (${JSON.stringify(r.memoryGrowth)})` : 'skipped', 'target ≤ 15%'],
    ['upload p50 (1920x1280)', `${r.upload.p50Ms} ms`, 'target < 1500 ms'],
    ['child’s voice: added render time', voiceBudgetText(r), 'target ≤ 1 s'],
    [CLI_COLD_ROW, cliRenderText(r.cliRender?.cold), 'issue 19 item 5: little outside the engine'],
    [CLI_HANDED_ROW, cliRenderText(r.cliRender?.handed), 'a running server (role all/worker) takes it'],
    [CLI_WRAPPER_ROW, cliWrapperText(r.cliRender?.wrapper), "npm's start and the build's up-to-date check"],
  ];
  const render = m.render as StoryFigures['render'] & { bytes?: number; preset?: string };
  console.log(
    `\n${main} on ${r.machine.cores} cores, ffmpeg ${r.ffmpeg}, faces on ${r.faceBackend}, render preset ${render.preset}, video ${((render.bytes ?? 0) / 1e6).toFixed(1)} MB`,
  );
  for (const [a, b, c] of rows) console.log(`${a.padEnd(30)} ${b.padEnd(44)} ${c}`);
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
