// piscina worker: renders a run of segments (in story order, not necessarily adjacent) with ONE
// decoder and ONE encoder. Reads the segments' frames from an ffmpeg decoder (yuv420p), composites
// each frame in place, and writes it to an ffmpeg encoder with the story's encoder settings; the
// encoder forces a keyframe at every segment start and writes one file per segment (segment
// muxer), and reports each finished file, which is passed on to the engine at once (progress, HLS,
// resume). One frame in this thread, the pipes' contents in flight: back-pressure end to end, memory
// flat. Stops between frames when the shared cancel flag is raised. Never touches other segments.
import { closeSync, constants, open as openFd, openSync, promises as fs, readSync, rmSync, writeSync } from 'node:fs';
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { prepareFace, FrameCompositor, PreparedFace, FrameTarget } from '@talecast/compositor';
// The video library's files, not its index: the index brings its Nest service, and @nestjs/common
// costs each thread ~0.4 s of loading that it never uses.
import { concatListText, decoderEnvironment, decodeSegmentListArgs, encodeSegmentRunArgs } from '@talecast/video/ffmpeg-args';
import { FfmpegRun, parentDeathWrapperUsable, startFfmpeg } from '@talecast/video/ffmpeg-process';
import { LARGE_PIPE_BYTES, LaunchedRun, ProcessLauncher } from '@talecast/video/process-launcher';
import { PrepareFaceTask, SegmentDone, SegmentResult, SegmentRoleTrack, SegmentTask } from './segment-task';
import { warmUpCompositor } from './worker-warmup';
import { FACE_REGION, faceRegionParts } from './face-region';
import { blendCardOverlay } from './title-card-overlay';

const prepared = new Map<string, PreparedFace>();
const compositor = new FrameCompositor();
// The thread starts with the worker process (render-pool.ts): warm the compositor up now, check
// the parent-death wrapper (once per thread) and make the first run's FIFOs (a process start
// each costs tens of ms in a large process: paid here and after each run, never while a parent
// waits for the first frame).
warmUpCompositor(compositor);
parentDeathWrapperUsable();
// This thread's processes are started by a small launcher process, not forked from this large one.
let launcher: Promise<ProcessLauncher | null> = ProcessLauncher.start();
let spareFifos: Promise<FifoPair | null> | null = makeSpareFifos();
let spareMade: FifoPair | null = null;
process.on('exit', () => spareMade && rmSync(spareMade.dir, { recursive: true, force: true }));

/** The pool's `threadReady` task: resolves once this thread's warm-up and its first FIFOs are done. */
export async function threadReady(): Promise<true> {
  await launcher;
  await spareFifos;
  return true;
}

export class RenderCancelled extends Error {
  constructor() {
    super('render cancelled');
    this.name = 'RenderCancelled';
  }
}

/**
 * Prepares one face here (the pool's `prepareFace` task): the parent's preview asks for it right
 * after the upload, and on the API's own thread its ~0.5-1 s held up every request meanwhile —
 * the render's POST among them. Kept for this thread's runs too.
 */
export function prepareFaceTask(t: PrepareFaceTask): PreparedFace {
  const key = `${t.key}:${t.style}:${t.matrix}:${t.range}`;
  const p = prepared.get(key) ?? prepareFace({ rgba: t.rgba, size: t.size, landmarks: t.landmarks, matrix: t.matrix, range: t.range, style: t.style });
  if (prepared.size > 16) prepared.clear();
  prepared.set(key, p);
  return p;
}

function preparedFace(task: SegmentTask, index: number): PreparedFace {
  const f = task.faces[index];
  const key = `${f.key}:${task.style}:${task.matrix}:${task.range}`;
  let p = prepared.get(key) ?? task.prepared?.[index] ?? undefined;
  if (!prepared.has(key) && p) prepared.set(key, p);
  if (!p) {
    p = prepareFace({ rgba: f.rgba, size: f.size, landmarks: f.landmarks, matrix: task.matrix, range: task.range, style: task.style });
    if (prepared.size > 16) prepared.clear();
    prepared.set(key, p);
  }
  return p;
}

export default async function renderRun(task: SegmentTask): Promise<SegmentResult> {
  const started = performance.now();
  const steps: [string, number][] = [];
  const step = (name: string) => steps.push([name, Math.round(performance.now() - started)]);
  if (task.segments.length === 0) throw new Error('empty segment run');
  const names = runFileNames(task);
  const pipes = await openRunFolder(task, names);
  step('list and FIFOs ready');
  const procs = startRunProcesses(task, names, pipes, await usableLauncher());
  step('decoder and encoder spawned');
  const done = reportEncodedFiles(task, names, procs);
  const stats: FrameStats = { frames: 0, composited: 0, compositeMs: 0, compositeCpuMs: 0, encoderWaitMs: 0, firstFrameMs: 0 };
  let input: number | null = null;
  let output: number | null = null;
  // Opening a FIFO waits for its other end; a process that exits first is replaced by a
  // momentary opener of that end so the wait ends (and the failure is reported below).
  const opening = Promise.all([openFifo(pipes.fromDecoder, 'r', procs.decoder.done), openFifo(pipes.toEncoder, 'w', procs.encoder.done)]);
  try {
    // Prepare the run's faces while the processes start (the opens complete on their own).
    for (let i = 0; i < task.faces.length; i++) preparedFace(task, i);
    step('faces prepared');
    [input, output] = await opening;
    step('FIFOs opened by both processes');
    // 1 MB pipes instead of Linux's 64 KB: a 1.38 MB 720p frame crossed in ~25-35 reads, each a
    // sleep and a wake-up of both sides. Set once both ends are open (the size lives with the open
    // pipe); the frames flow meanwhile, and a refusal only leaves the default.
    void usableLauncher().then((l) =>
      l?.setPipeSize([pipes.fromDecoder, pipes.toEncoder], LARGE_PIPE_BYTES).then(
        () => step('pipes enlarged'),
        () => step('pipes kept at their size'),
      ),
    );
    await pumpFrames(task, input, output, procs, stats, started);
    step('last frame written');
    closeSync(output);
    output = null;
    await Promise.all([procs.decoder.done, procs.encoder.done]);
    step('encoder exited');
    // With its HLS piece the segment is reported only now: the tee's MP4 may be named before the piece is complete.
    if (task.hlsPiece && !procs.failure) for (const d of done) task.port?.postMessage(d);
    if (procs.failure) throw procs.failure;
  } catch (err) {
    procs.kill();
    // Failed before the FIFOs were taken over: close whatever the pending opens give.
    if (input === null)
      await opening.then(
        ([i, o]) => [i, o].forEach((fd) => closeSync(fd)),
        () => undefined,
      );
    throw err;
  } finally {
    if (input !== null) closeSync(input);
    if (output !== null) closeSync(output);
    await pipes.cleanup();
    spareFifos ??= makeSpareFifos();
  }
  if (done.length !== task.segments.length) throw new Error(`segments ${names.first}..: the encoder finished ${done.length} of ${task.segments.length} files`);
  const { frames, composited, compositeMs, compositeCpuMs, encoderWaitMs, firstFrameMs } = stats;
  steps.push(['first frame read', Math.round(firstFrameMs)]);
  steps.sort((a, b) => a[1] - b[1]);
  return {
    segments: done,
    frames,
    compositedFrames: composited,
    compositeMs,
    compositeCpuMs,
    wallMs: performance.now() - started,
    firstFrameMs,
    encoderWaitMs,
    steps,
  };
}

interface RunFileNames {
  /** Index of the run's first segment (names its files). */
  first: number;
  /** The decoder's concat list. */
  listFile: string;
  /** The encoder's output pattern (files numbered within the run; the engine renames them). */
  pattern: string;
  /** Base name of the run's n-th output file. */
  output: (n: number) => string;
}

function runFileNames(task: SegmentTask): RunFileNames {
  const first = task.segments[0].segmentIndex;
  const runPrefix = `run-${String(first).padStart(4, '0')}-`;
  return {
    first,
    listFile: path.join(task.outputDir, `${runPrefix}concat.tmp`),
    pattern: path.join(task.outputDir, `${runPrefix}%04d.mp4.tmp`),
    output: (n) => `${runPrefix}${String(n).padStart(4, '0')}.mp4.tmp`,
  };
}

interface RunPipes {
  fromDecoder: string;
  toEncoder: string;
  /** Removes the list file and the FIFOs' folder. */
  cleanup: () => Promise<unknown>;
}

/**
 * The decoder's list file and two FIFOs. Frames cross through the FIFOs read and written
 * synchronously by this thread, one whole frame per call straight into one reused buffer: no
 * stream chunks, no allocation, no extra copy (measured: Node streams over the child's stdio cost
 * ~4 ms of CPU per 720p frame, a third of what x264 needs). Reads end at EOF when the decoder
 * exits, writes fail with EPIPE when the encoder exits: a dead process never leaves this thread
 * blocked. The FIFOs live in a private directory of their own, not in the render's: a DELETE
 * removes the render's directory, and a FIFO whose path vanished could no longer be opened to
 * release a pending open (seen as a render that never ended in the e2e suite).
 */
async function openRunFolder(task: SegmentTask, names: RunFileNames): Promise<RunPipes> {
  // The pair made ahead of time (each pair serves one run only), or a new one.
  const fifos = (await spareFifos) ?? (await makeFifoPair());
  spareFifos = null;
  spareMade = null;
  const pipes: RunPipes = {
    fromDecoder: fifos.fromDecoder,
    toEncoder: fifos.toEncoder,
    cleanup: () => Promise.all([fs.rm(names.listFile, { force: true }), fs.rm(fifos.dir, { recursive: true, force: true })]),
  };
  try {
    await fs.writeFile(names.listFile, concatListText(task.segments.map((s) => s.input)));
  } catch (err) {
    await pipes.cleanup();
    throw err;
  }
  return pipes;
}

interface FifoPair {
  /** A private directory holding only the two FIFOs. */
  dir: string;
  fromDecoder: string;
  toEncoder: string;
}

/** The next run's FIFOs, made now (null if that failed: the run then makes its own and reports why). */
function makeSpareFifos(): Promise<FifoPair | null> {
  return makeFifoPair().then(
    (pair) => (spareMade = pair),
    () => null,
  );
}

/** The thread's launcher, started again if it died; null where it cannot run. */
async function usableLauncher(): Promise<ProcessLauncher | null> {
  const l = await launcher;
  if (l && !l.usable) launcher = ProcessLauncher.start();
  return launcher;
}

/** Two FIFOs in a new private directory, made by the launcher (else by one mkfifo process). */
async function makeFifoPair(): Promise<FifoPair> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'talecast-run-'));
  const pair = { dir, fromDecoder: path.join(dir, 'decoded.fifo'), toEncoder: path.join(dir, 'encoder.fifo') };
  try {
    const l = await usableLauncher();
    if (l) await l.makeFifos([pair.fromDecoder, pair.toEncoder]);
    else
      await new Promise<void>((resolve, reject) =>
        execFile('mkfifo', ['-m', '600', pair.fromDecoder, pair.toEncoder], (err, _out, stderr) =>
          err ? reject(new Error(`mkfifo: ${stderr.toString().trim() || err.message}`)) : resolve(),
        ),
      );
  } catch (err) {
    await fs.rm(dir, { recursive: true, force: true });
    throw err;
  }
  return pair;
}

/** A run's ffmpeg, started by the launcher or by this thread. */
interface RunProcess {
  done: Promise<void>;
  kill: () => void;
  onStdout: (listener: (text: string) => void) => void;
}

interface RunProcesses {
  decoder: RunProcess;
  encoder: RunProcess;
  /** The first failure of either process (or of the file reports). */
  failure: unknown;
  kill: () => void;
}

function startRunProcesses(task: SegmentTask, names: RunFileNames, pipes: RunPipes, launcher: ProcessLauncher | null): RunProcesses {
  const start = (args: string[], stdout: boolean, env?: Record<string, string>): RunProcess =>
    launcher
      ? launched(launcher.run(task.ffmpeg, args, { stdout, niceness: task.niceness, env }))
      : forked(startFfmpeg(task.ffmpeg, args, { stdout, env }), task.niceness);
  const decoder = start(decodeSegmentListArgs(names.listFile, task.fpsModeOption, pipes.fromDecoder), false, decoderEnvironment(process.env.GLIBC_TUNABLES));
  const encoder = start(
    encodeSegmentRunArgs({
      width: task.width,
      height: task.height,
      fpsNum: task.fpsNum,
      fpsDen: task.fpsDen,
      encoder: task.encoder,
      matrix: task.matrix,
      range: task.range,
      rawInput: pipes.toEncoder,
      segmentFrames: task.segments.map((s) => s.frameCount),
      startNumber: 0,
      pattern: names.pattern,
      hlsPiece: task.hlsPiece,
      faceRegions: faceRegionParts(task.segments, { width: task.width, height: task.height, ...FACE_REGION }),
    }),
    true,
  );
  const procs: RunProcesses = {
    decoder,
    encoder,
    failure: null,
    kill: () => {
      decoder.kill();
      encoder.kill();
    },
  };
  decoder.done.catch((err) => (procs.failure ??= err));
  encoder.done.catch((err) => (procs.failure ??= err));
  return procs;
}

function launched(run: LaunchedRun): RunProcess {
  return { done: run.done, kill: () => run.kill('SIGKILL'), onStdout: (listener) => run.onStdout(listener) };
}

/** A process this thread started itself (no launcher), at `niceness`. */
function forked(run: FfmpegRun, niceness: number): RunProcess {
  if (niceness > 0) lowerPriority(run, niceness);
  return {
    done: run.done,
    kill: () => run.child.kill('SIGKILL'),
    onStdout: (listener) => {
      run.child.stdout!.setEncoding('utf8');
      run.child.stdout!.on('data', listener);
    },
  };
}

/** Best effort: a process that has already exited, or a system that refuses, keeps its priority. */
function lowerPriority(run: FfmpegRun, niceness: number): void {
  if (run.child.pid === undefined) return;
  try {
    os.setPriority(run.child.pid, niceness);
  } catch {
    // the run is only slower to yield the cores, never wrong
  }
}

/**
 * The encoder names each segment file on stdout once its trailer is written: each is checked
 * against the expected name, added to the returned list and posted to the engine at once.
 */
function reportEncodedFiles(task: SegmentTask, names: RunFileNames, procs: RunProcesses): SegmentDone[] {
  const done: SegmentDone[] = [];
  let lines = '';
  procs.encoder.onStdout((text: string) => {
    lines += text;
    let nl: number;
    while ((nl = lines.indexOf('\n')) >= 0) {
      const name = path.basename(lines.slice(0, nl).trim());
      lines = lines.slice(nl + 1);
      if (!name) continue;
      const s = task.segments[done.length];
      const expected = names.output(done.length);
      if (!s || name !== expected) {
        procs.failure ??= new Error(`segments ${names.first}..: the encoder wrote ${name}, expected ${s ? expected : 'no more files'}`);
        procs.kill();
        return;
      }
      const d: SegmentDone = { segmentIndex: s.segmentIndex, file: path.join(task.outputDir, name) };
      done.push(d);
      if (!task.hlsPiece) task.port?.postMessage(d);
    }
  });
  return done;
}

interface FrameStats {
  frames: number;
  composited: number;
  compositeMs: number;
  compositeCpuMs: number;
  encoderWaitMs: number;
  firstFrameMs: number;
}

/** Every frame of the run: read from the decoder, composited in place, written to the encoder. */
async function pumpFrames(task: SegmentTask, input: number, output: number, procs: RunProcesses, stats: FrameStats, started: number): Promise<void> {
  const { segments } = task;
  const first = segments[0].segmentIndex;
  const totalFrames = segments.reduce((n, s) => n + s.frameCount, 0);
  const { buf, frame } = frameBuffer(task.width, task.height);
  const cpuClock = threadCpuClock();
  const target: FrameTarget = {
    landmarks: new Float32Array(136),
    colour: { mean: [0, 0, 0], std: [0, 0, 0], weight: 1 },
    yaw: 0,
    mouthOpen: 0,
    occluders: [],
    eyes: null,
  };
  try {
    for (const segment of segments) {
      for (let k = 0; k < segment.frameCount; k++) {
        if (procs.failure) throw procs.failure;
        if (Atomics.load(task.cancel, 0) !== 0) throw new RenderCancelled();
        if (!readFull(input, buf)) throw procs.failure ?? new Error(`segments ${first}..: the decoder gave ${stats.frames} frames, expected ${totalFrames}`);
        if (stats.frames === 0) stats.firstFrameMs = performance.now() - started;
        const t0 = performance.now();
        const c0 = cpuClock.ms();
        stats.composited += compositeFrame(task, frame, segment.tracks, k, target);
        if (task.titleCard && segment.card && k < segment.card.length) blendCardOverlay(frame, task.titleCard, segment.card[k]);
        stats.compositeCpuMs += cpuClock.ms() - c0;
        const t1 = performance.now();
        stats.compositeMs += t1 - t0;
        writeFull(output, buf);
        stats.encoderWaitMs += performance.now() - t1;
        stats.frames++;
        // Let this thread's event loop run (the encoder's file reports, process exits).
        if ((stats.frames & 7) === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    // All frames read: the decoder must have nothing more.
    if (readFull(input, buf, true)) throw new Error(`segments ${first}..: the decoder gave more than the ${totalFrames} frames expected`);
  } finally {
    cpuClock.close();
  }
}

/**
 * This thread's CPU time in ms, from the scheduler's per-thread runtime (/proc/thread-self/schedstat,
 * ns; ~6 µs a read through a kept descriptor). Node 20 has no per-thread CPU clock, and
 * `process.cpuUsage` counts every thread. Where the file cannot be read it reads 0: the figure is
 * for the bench, not for the render.
 */
function threadCpuClock(): { ms(): number; close(): void } {
  let fd = -1;
  try {
    fd = openSync('/proc/thread-self/schedstat', 'r');
  } catch {
    return { ms: () => 0, close: () => undefined };
  }
  const text = Buffer.alloc(96);
  return {
    ms: () => {
      const n = readSync(fd, text, 0, text.length, 0);
      return Number(text.toString('latin1', 0, n).split(' ', 1)[0]) / 1e6;
    },
    close: () => closeSync(fd),
  };
}

/** One reused yuv420p frame buffer and its planes. */
function frameBuffer(width: number, height: number) {
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const ySize = width * height;
  const cSize = cw * ch;
  const buf = Buffer.allocUnsafeSlow(ySize + 2 * cSize);
  const frame = {
    y: { data: new Uint8Array(buf.buffer, buf.byteOffset, ySize), width, height, stride: width },
    u: { data: new Uint8Array(buf.buffer, buf.byteOffset + ySize, cSize), width: cw, height: ch, stride: cw },
    v: { data: new Uint8Array(buf.buffer, buf.byteOffset + ySize + cSize, cSize), width: cw, height: ch, stride: cw },
  };
  return { buf, frame };
}

/** The story's eyes on frame k of a track, in one reused object (no allocation per frame). */
const EYES = { open: new Float32Array(2), gaze: new Float32Array(4) };
function eyeState(eyes: Float32Array, k: number): typeof EYES {
  for (let d = 0; d < 2; d++) EYES.open[d] = eyes[k * 6 + d];
  for (let d = 0; d < 4; d++) EYES.gaze[d] = eyes[k * 6 + 2 + d];
  return EYES;
}

/** Inserts the chosen face of every track into frame k of a segment; returns how many were inserted. */
function compositeFrame(task: SegmentTask, frame: ReturnType<typeof frameBuffer>['frame'], tracks: SegmentRoleTrack[], k: number, target: FrameTarget): number {
  let composited = 0;
  for (const track of tracks) {
    if (k >= track.faceIndex.length) continue;
    const faceIndex = track.faceIndex[k];
    if (faceIndex < 0) continue;
    target.landmarks = track.landmarks.subarray(k * 136, k * 136 + 136);
    const c = track.colour.subarray(k * 6, k * 6 + 6);
    target.colour.mean[0] = c[0];
    target.colour.mean[1] = c[1];
    target.colour.mean[2] = c[2];
    target.colour.std[0] = c[3];
    target.colour.std[1] = c[4];
    target.colour.std[2] = c[5];
    target.yaw = track.yaw[k];
    target.mouthOpen = track.mouthOpen[k];
    target.occluders = track.occluders[k] ?? [];
    target.eyes = track.hasEyes?.[k] ? eyeState(track.eyes!, k) : null;
    compositor.composite(frame, preparedFace(task, faceIndex), target, { blend: task.blend });
    composited++;
  }
  return composited;
}

/** Opens a FIFO end without hanging when the process meant for the other end has exited. */
async function openFifo(file: string, mode: 'r' | 'w', peerExited: Promise<void>): Promise<number> {
  const opening = new Promise<number>((resolve, reject) => openFd(file, mode, (err, fd) => (err ? reject(err) : resolve(fd))));
  let settled = false;
  void opening.then(
    () => (settled = true),
    () => (settled = true),
  );
  const unblock = () => {
    if (settled) return;
    try {
      // Open and close the other end at once: the pending open returns.
      closeSync(openSync(file, (mode === 'r' ? constants.O_WRONLY : constants.O_RDONLY) | constants.O_NONBLOCK));
    } catch {
      /* already open or gone */
    }
  };
  peerExited.then(unblock, unblock);
  return opening;
}

/** Reads exactly one frame; false at end of stream (a partial frame is an error). */
function readFull(fd: number, buf: Buffer, probe = false): boolean {
  let got = 0;
  while (got < buf.length) {
    const n = readSync(fd, buf, got, probe ? 1 : buf.length - got, null);
    if (n === 0) {
      if (got === 0) return false;
      throw new Error(`the decoder stopped in the middle of a frame (${got} of ${buf.length} bytes)`);
    }
    got += n;
    if (probe) return true;
  }
  return true;
}

function writeFull(fd: number, buf: Buffer): void {
  let put = 0;
  while (put < buf.length) put += writeSync(fd, buf, put, buf.length - put);
}
