// Where the precompute's analysis ranges start. Pure: frame counts and the masks file in, start
// frames out. The ranges are analysed in a pool of threads; the analysis ends when the busiest
// thread is done, so ranges are cut where the expected work, not the time, is shared equally.
import { MasksFile, roleActiveAt } from './masks-file';

/**
 * Frames per range when the frames are shared out evenly: at most `maxFrames`, as many ranges as a
 * multiple of the pool's threads, of equal length, so that no worker is left alone with the last
 * range while the others idle (a 30 s story in three 10 s ranges on two threads kept one thread
 * idle a third of the analysis).
 */
export function rangeFramesFor(estimatedFrames: number, maxFrames: number, threads: number): number {
  const perThread = Math.max(1, threads);
  const ranges = perThread * Math.max(1, Math.ceil(estimatedFrames / (Math.max(1, maxFrames) * perThread)));
  return Math.max(1, Math.min(maxFrames, Math.ceil(estimatedFrames / ranges)));
}

/**
 * The expected analysis work of frame i, in units of a frame without faces (decoding, converting,
 * cut detection): each role whose regions are active then adds a landmark run, a share of the
 * expression runs, colour and eyes, and its detections — about three frames' worth of work. Seen
 * on the 30 s tale: the even split's four ranges kept the two workers busy 12.8 s and 16.0 s.
 */
export function frameWork(masks: MasksFile, i: number, fps: number): number {
  const t = i / fps;
  const halfFrame = 0.5 / fps;
  let active = 0;
  for (const role of Object.values(masks.roles)) if (roleActiveAt(role, t, halfFrame)) active++;
  return 1 + ROLE_WORK * active;
}
export const ROLE_WORK = 3;

/**
 * The start frames of the analysis ranges: as many ranges as the even split (rangeFramesFor), each
 * holding an equal share of the expected work (frameWork). The first range starts at 0; starts
 * are strictly increasing and below `estimatedFrames`.
 */
export function analysisRangeStarts(estimatedFrames: number, fps: number, maxFrames: number, threads: number, masks: MasksFile): number[] {
  const frames = Math.max(1, estimatedFrames);
  const count = Math.ceil(frames / rangeFramesFor(frames, maxFrames, threads));
  const work = new Float64Array(frames + 1); // work[i] = work of frames [0, i)
  for (let i = 0; i < frames; i++) work[i + 1] = work[i] + frameWork(masks, i, fps);
  const starts = [0];
  let i = 0;
  for (let r = 1; r < count; r++) {
    const share = (work[frames] * r) / count;
    while (i < frames && work[i + 1] <= share) i++;
    // The frame that reaches the share, or the one before when that is nearer to it.
    const start = i + 1 < frames && work[i + 1] - share < share - work[i] ? i + 1 : i;
    if (start > starts[starts.length - 1] && start < frames) starts.push(start);
  }
  return starts;
}
