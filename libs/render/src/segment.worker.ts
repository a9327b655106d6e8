// piscina worker: renders a run of adjacent segments with ONE decoder and ONE encoder. Streams the
// segments' frames out of an ffmpeg decoder (yuv420p), composites each frame in place as it
// arrives, and streams it into an ffmpeg encoder with the story's encoder settings; the encoder
// forces a keyframe at every segment start and writes one file per segment (segment muxer), and
// reports each finished file, which is passed on to the engine at once (progress, HLS, resume).
// A bounded number of frames in flight; back-pressure end to end. Stops between frames when the
// shared cancel flag is raised. Never touches other segments.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { prepareFace, FrameCompositor, PreparedFace, FrameTarget } from '@talecast/compositor';
import { decodeSegmentArgs, decodeSegmentListArgs, encodeSegmentRunArgs, startFfmpeg } from '@talecast/video';
import { SegmentDone, SegmentResult, SegmentTask } from './segment-task';

const prepared = new Map<string, PreparedFace>();
/** Frames allowed to wait for the encoder (about 1.4 MB each at 720p). */
const FRAMES_AHEAD = 6;
const compositor = new FrameCompositor();

export class RenderCancelled extends Error {
  constructor() {
    super('render cancelled');
    this.name = 'RenderCancelled';
  }
}

function preparedFace(task: SegmentTask, index: number): PreparedFace {
  const f = task.faces[index];
  const key = `${f.key}:${task.style}:${task.matrix}:${task.range}`;
  let p = prepared.get(key);
  if (!p) {
    p = prepareFace({ rgba: f.rgba, size: f.size, landmarks: f.landmarks, matrix: task.matrix, range: task.range, style: task.style });
    if (prepared.size > 16) prepared.clear();
    prepared.set(key, p);
  }
  return p;
}

export default async function renderRun(task: SegmentTask): Promise<SegmentResult> {
  const started = performance.now();
  const { width, height, segments } = task;
  if (segments.length === 0) throw new Error('empty segment run');
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const ySize = width * height;
  const cSize = cw * ch;
  const frameBytes = ySize + 2 * cSize;
  const totalFrames = segments.reduce((n, s) => n + s.frameCount, 0);
  const first = segments[0].segmentIndex;
  const runPrefix = `run-${String(first).padStart(4, '0')}-`;
  let listFile: string | null = null;
  if (segments.length > 1) {
    listFile = path.join(task.outputDir, `run-${String(first).padStart(4, '0')}.concat.tmp`);
    await fs.writeFile(listFile, segments.map((s) => `file '${s.input.replace(/'/g, `'\\''`)}'`).join('\n') + '\n');
  }
  const decoder = startFfmpeg(task.ffmpeg, listFile ? decodeSegmentListArgs(listFile, task.fpsModeOption) : decodeSegmentArgs(segments[0].input), { stdout: true });
  const encoder = startFfmpeg(task.ffmpeg, encodeSegmentRunArgs({
    width, height, fpsNum: task.fpsNum, fpsDen: task.fpsDen, encoder: task.encoder, matrix: task.matrix, range: task.range,
    // Files are numbered within the run (its segments need not be adjacent); the engine renames them.
    segmentFrames: segments.map((s) => s.frameCount), startNumber: 0, pattern: path.join(task.outputDir, `${runPrefix}%04d.mp4.tmp`),
  }), { stdin: true, stdout: true });
  // Prepare the run's faces while the two ffmpeg processes start (instead of on the first frame,
  // which would stall the pipeline for the preparation: ~0.3 s per face).
  try {
    for (let i = 0; i < task.faces.length; i++) preparedFace(task, i);
  } catch (err) {
    decoder.child.kill('SIGKILL');
    encoder.child.kill('SIGKILL');
    if (listFile) await fs.rm(listFile, { force: true });
    throw err;
  }
  const stdin = encoder.child.stdin!;
  const stdout = decoder.child.stdout!;
  stdin.on('error', () => undefined); // surfaced through encoder.done
  let compositeMs = 0;
  let composited = 0;
  let firstFrameMs: number | undefined;
  /** Time the decoder was held back because the encoder had FRAMES_AHEAD frames waiting. */
  let encoderWaitMs = 0;
  let frames = 0;
  // Position in the run: segment `seg`, frame `k` of it.
  let seg = 0;
  let k = 0;
  const target: FrameTarget = { landmarks: new Float32Array(136), colour: { mean: [0, 0, 0], std: [0, 0, 0], weight: 1 }, yaw: 0, mouthOpen: 0, occluders: [] };
  // Frame buffers are reused once the encoder pipe has taken them (no allocation per frame).
  const free: Buffer[] = [];
  const take = () => free.pop() ?? Buffer.allocUnsafeSlow(frameBytes);
  const give = (b: Buffer) => {
    if (free.length < FRAMES_AHEAD + 2) free.push(b);
  };
  let pending = take();
  let filled = 0;
  const done: SegmentDone[] = [];

  const processFrame = (buf: Buffer) => {
    if (Atomics.load(task.cancel, 0) !== 0) throw new RenderCancelled();
    firstFrameMs ??= performance.now() - started;
    if (seg >= segments.length) throw new Error(`segments ${first}..: the decoder gave more than the ${totalFrames} frames expected`);
    const frame = {
      y: { data: new Uint8Array(buf.buffer, buf.byteOffset, ySize), width, height, stride: width },
      u: { data: new Uint8Array(buf.buffer, buf.byteOffset + ySize, cSize), width: cw, height: ch, stride: cw },
      v: { data: new Uint8Array(buf.buffer, buf.byteOffset + ySize + cSize, cSize), width: cw, height: ch, stride: cw },
    };
    const t0 = performance.now();
    for (const track of segments[seg].tracks) {
      if (k >= track.faceIndex.length) continue;
      const faceIndex = track.faceIndex[k];
      if (faceIndex < 0) continue;
      target.landmarks = track.landmarks.subarray(k * 136, k * 136 + 136);
      const c = track.colour.subarray(k * 6, k * 6 + 6);
      target.colour.mean[0] = c[0]; target.colour.mean[1] = c[1]; target.colour.mean[2] = c[2];
      target.colour.std[0] = c[3]; target.colour.std[1] = c[4]; target.colour.std[2] = c[5];
      target.yaw = track.yaw[k];
      target.mouthOpen = track.mouthOpen[k];
      target.occluders = track.occluders[k] ?? [];
      compositor.composite(frame, preparedFace(task, faceIndex), target, { blend: task.blend });
      composited++;
    }
    compositeMs += performance.now() - t0;
    frames++;
    if (++k === segments[seg].frameCount) {
      seg++;
      k = 0;
    }
  };

  try {
    await new Promise<void>((resolve, reject) => {
      let failed = false;
      const fail = (err: unknown) => {
        if (failed) return;
        failed = true;
        stdout.destroy();
        decoder.child.kill('SIGKILL');
        encoder.child.kill('SIGKILL');
        reject(err);
      };
      decoder.done.catch(fail);
      encoder.done.catch(fail);
      // The encoder names each segment file on stdout once its trailer is written.
      let lines = '';
      const encoderOut = encoder.child.stdout!;
      encoderOut.setEncoding('utf8');
      encoderOut.on('data', (text: string) => {
        lines += text;
        let nl: number;
        while ((nl = lines.indexOf('\n')) >= 0) {
          const name = path.basename(lines.slice(0, nl).trim());
          lines = lines.slice(nl + 1);
          if (!name) continue;
          const s = segments[done.length];
          const expected = `${runPrefix}${String(done.length).padStart(4, '0')}.mp4.tmp`;
          if (!s || name !== expected) return fail(new Error(`segments ${first}..: the encoder wrote ${name}, expected ${s ? expected : 'no more files'}`));
          const d: SegmentDone = { segmentIndex: s.segmentIndex, file: path.join(task.outputDir, name) };
          done.push(d);
          task.port?.postMessage(d);
        }
      });
      stdout.on('data', (chunk: Buffer) => {
        let offset = 0;
        try {
          while (offset < chunk.length) {
            const n = Math.min(frameBytes - filled, chunk.length - offset);
            chunk.copy(pending, filled, offset, offset + n);
            filled += n;
            offset += n;
            if (filled === frameBytes) {
              processFrame(pending);
              const buf = pending;
              stdin.write(buf, () => give(buf));
              pending = take();
              filled = 0;
              // Let the decoder run a few frames ahead of the encoder (so both work at once), but
              // never more than FRAMES_AHEAD frames: memory stays flat however long the run.
              if (stdin.writableLength >= FRAMES_AHEAD * frameBytes && !stdout.isPaused()) {
                stdout.pause();
                const pausedAt = performance.now();
                stdin.once('drain', () => {
                  encoderWaitMs += performance.now() - pausedAt;
                  stdout.resume();
                });
              }
            }
          }
        } catch (err) {
          fail(err);
        }
      });
      stdout.once('end', () => {
        if (failed) return;
        stdin.end();
        Promise.all([decoder.done, encoder.done]).then(() => resolve(), fail);
      });
    });
  } catch (err) {
    decoder.child.kill('SIGKILL');
    encoder.child.kill('SIGKILL');
    throw err;
  } finally {
    if (listFile) await fs.rm(listFile, { force: true });
  }
  if (frames !== totalFrames || seg !== segments.length) throw new Error(`segments ${first}..${segments.at(-1)!.segmentIndex}: decoded ${frames} frames, expected ${totalFrames}`);
  if (done.length !== segments.length) throw new Error(`segments ${first}..: the encoder finished ${done.length} of ${segments.length} files`);
  return { segments: done, frames, compositedFrames: composited, compositeMs, wallMs: performance.now() - started, firstFrameMs: firstFrameMs ?? 0, encoderWaitMs };
}
