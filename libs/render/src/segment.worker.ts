// piscina worker: renders one segment. Streams the segment's frames out of an ffmpeg decoder
// (yuv420p), composites each frame in place as it arrives, and streams it into an ffmpeg encoder
// with the story's encoder settings. A bounded number of frames in flight; back-pressure end to end.
// Stops between frames when the shared cancel flag is raised. Never touches other segments.
import { prepareFace, FrameCompositor, PreparedFace, FrameTarget } from '@talecast/compositor';
import { decodeSegmentArgs, encodeSegmentArgs, startFfmpeg } from '@talecast/video';
import { SegmentResult, SegmentTask } from './segment-task';

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

export default async function renderSegment(task: SegmentTask): Promise<SegmentResult> {
  const started = performance.now();
  const { width, height } = task;
  const cw = (width + 1) >> 1;
  const ch = (height + 1) >> 1;
  const ySize = width * height;
  const cSize = cw * ch;
  const frameBytes = ySize + 2 * cSize;
  const decoder = startFfmpeg(task.ffmpeg, decodeSegmentArgs(task.input), { stdout: true });
  const encoder = startFfmpeg(task.ffmpeg, encodeSegmentArgs({ width, height, fpsNum: task.fpsNum, fpsDen: task.fpsDen, out: task.output, encoder: task.encoder, matrix: task.matrix, range: task.range }), { stdin: true });
  const stdin = encoder.child.stdin!;
  const stdout = decoder.child.stdout!;
  stdin.on('error', () => undefined); // surfaced through encoder.done
  let compositeMs = 0;
  let composited = 0;
  let index = 0;
  let pending = Buffer.allocUnsafe(frameBytes);
  let filled = 0;
  const target: FrameTarget = { landmarks: new Float32Array(136), colour: { mean: [0, 0, 0], std: [0, 0, 0], weight: 1 }, yaw: 0, mouthOpen: 0, occluders: [] };

  const processFrame = (buf: Buffer) => {
    if (Atomics.load(task.cancel, 0) !== 0) throw new RenderCancelled();
    const frame = {
      y: { data: new Uint8Array(buf.buffer, buf.byteOffset, ySize), width, height, stride: width },
      u: { data: new Uint8Array(buf.buffer, buf.byteOffset + ySize, cSize), width: cw, height: ch, stride: cw },
      v: { data: new Uint8Array(buf.buffer, buf.byteOffset + ySize + cSize, cSize), width: cw, height: ch, stride: cw },
    };
    const t0 = performance.now();
    for (const track of task.tracks) {
      if (index >= track.faceIndex.length) continue;
      const faceIndex = track.faceIndex[index];
      if (faceIndex < 0) continue;
      target.landmarks = track.landmarks.subarray(index * 136, index * 136 + 136);
      const c = track.colour.subarray(index * 6, index * 6 + 6);
      target.colour.mean[0] = c[0]; target.colour.mean[1] = c[1]; target.colour.mean[2] = c[2];
      target.colour.std[0] = c[3]; target.colour.std[1] = c[4]; target.colour.std[2] = c[5];
      target.yaw = track.yaw[index];
      target.mouthOpen = track.mouthOpen[index];
      target.occluders = track.occluders[index] ?? [];
      compositor.composite(frame, preparedFace(task, faceIndex), target, { blend: task.blend });
      composited++;
    }
    compositeMs += performance.now() - t0;
    index++;
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
              stdin.write(pending);
              pending = Buffer.allocUnsafe(frameBytes);
              filled = 0;
              // Let the decoder run a few frames ahead of the encoder (so both work at once), but
              // never more than FRAMES_AHEAD frames: memory stays flat however long the segment.
              if (stdin.writableLength >= FRAMES_AHEAD * frameBytes && !stdout.isPaused()) {
                stdout.pause();
                stdin.once('drain', () => stdout.resume());
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
  }
  if (index !== task.frameCount) throw new Error(`segment ${task.segmentIndex}: decoded ${index} frames, expected ${task.frameCount}`);
  return { segmentIndex: task.segmentIndex, frames: index, compositedFrames: composited, compositeMs, wallMs: performance.now() - started };
}
