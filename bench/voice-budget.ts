// The child's voice's share of a render (issue 20's budget: "the audio work adds at most 1 s to
// the render of a 60 s story"): the same story rendered with the same face, without and with a
// recorded line, alternately, side by side in one run; the difference of the medians is what the
// audio work (the mix, the voiced HLS pieces, the mouth) adds, in wall time and in the CPU time of
// this process and its children (the wall time moves with the load of other engineers' work). The story is the bench's own
// precomputed story given a hero line and the hero's stem, as `precompute --lines` writes them.
import path from 'node:path';
import { promises as fs } from 'node:fs';
import type { INestApplicationContext } from '@nestjs/common';
import { RenderService, RenderWorker, closeRenderPool, warmRenderPool } from '@talecast/render';
import { StorageCore } from '@talecast/storage';
import { FfmpegService } from '@talecast/video';
import { makeChildReading, makeHeroStem } from '@talecast/testing';
import { publishStoryVoice, RecordingService, StoryLines } from '@talecast/voice';
import { CpuUsage } from './process-memory';

export interface VoiceBudget {
  /** Render wall times, seconds, in the order run (pairs: without, with). */
  withoutSeconds: number[];
  withSeconds: number[];
  /** CPU seconds of this process and its children per render, same order. */
  withoutCpuSeconds: number[];
  withCpuSeconds: number[];
  /** median(with) − median(without), seconds: wall and CPU. */
  addedSeconds: number;
  addedCpuSeconds: number;
  /** CPU seconds of other processes on the machine during all the renders (the load). */
  othersCpuSeconds: number;
  lines: number;
}

export async function voiceBudget(
  app: INestApplicationContext,
  o: { storyId: string; storySeconds: number; faceId: string; pairs: number; workDir: string; renderThreads: number },
): Promise<VoiceBudget> {
  const storage = app.get(StorageCore);
  const ff = await app.get(FfmpegService).locate();
  const { ffmpeg } = ff;
  const slot = { from: Math.min(20, o.storySeconds / 3), to: Math.min(20, o.storySeconds / 3) + 2.4 };
  await fs.mkdir(o.workDir, { recursive: true });
  const stem = path.join(o.workDir, 'hero-dialogue.wav');
  const reading = path.join(o.workDir, 'child-reading.wav');
  await makeHeroStem(ffmpeg, stem, { totalSeconds: o.storySeconds, slot });
  await makeChildReading(ffmpeg, reading, { speechSeconds: 2.5 });
  const lines: StoryLines = {
    version: 1,
    defaultLanguage: 'en',
    stems: { hero: 'hero-dialogue.wav' },
    lines: [{ id: 'hero-1', role: 'hero', from: slot.from, to: slot.to, text: { en: 'I will find the golden key!' } }],
  };
  await publishStoryVoice({ ffmpeg: ff, storage, storyId: o.storyId, lines, stemFiles: { hero: stem } });

  const renders = app.get(RenderService);
  const recordings = app.get(RecordingService);
  const renderOnce = async (voiced: boolean) => {
    // Recorded (fitted) before the render, as a parent's upload is; deleted with the render after.
    const voices = voiced ? { 'hero-1': (await recordings.ingest(o.storyId, 'hero-1', await fs.readFile(reading))).id } : undefined;
    const { render } = await renders.create({ storyId: o.storyId, faces: { hero: [o.faceId] }, voices }, { enqueue: false });
    const cpu = new CpuUsage().start(50);
    const t0 = performance.now();
    await app.get(RenderWorker).process(render.id);
    const seconds = (performance.now() - t0) / 1000;
    const used = cpu.stop();
    await renders.remove(render.id);
    return { seconds: round(seconds), cpu: used.ours, others: used.others };
  };
  const out: VoiceBudget = {
    withoutSeconds: [],
    withSeconds: [],
    withoutCpuSeconds: [],
    withCpuSeconds: [],
    addedSeconds: 0,
    addedCpuSeconds: 0,
    othersCpuSeconds: 0,
    lines: lines.lines.length,
  };
  // As in the API (and the bench's other render rows), the segment threads stay up between
  // renders: closing them after each render timed their restart inside the next one, in both
  // halves of every pair, and widened the spread the difference is read from.
  await warmRenderPool(o.renderThreads);
  await renderOnce(false); // warm-up (caches), not counted
  for (let i = 0; i < o.pairs; i++) {
    const a = await renderOnce(false);
    const b = await renderOnce(true);
    out.withoutSeconds.push(a.seconds);
    out.withSeconds.push(b.seconds);
    out.withoutCpuSeconds.push(a.cpu);
    out.withCpuSeconds.push(b.cpu);
    out.othersCpuSeconds = round(out.othersCpuSeconds + a.others + b.others);
    console.log(`voice budget pair ${i + 1}: without ${a.seconds} s (CPU ${a.cpu} s), with a recorded line ${b.seconds} s (CPU ${b.cpu} s)`);
  }
  await closeRenderPool();
  out.addedSeconds = round(median(out.withSeconds) - median(out.withoutSeconds));
  out.addedCpuSeconds = round(median(out.withCpuSeconds) - median(out.withoutCpuSeconds));
  return out;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
