// Mixing only what changes: the render's audio is the story's own AAC frames, except around each
// recorded line, where the frames are replaced by a new encoding of the mix of that stretch. The
// new frames are encoded on the same 1024-sample grid as the story's (the encoding starts a few
// frames before the first replaced one, on a frame boundary), so at each seam the decoder
// overlaps two encodings of the same signal and the story's audio outside the windows is
// bit-identical. Pure: ADTS frames in, frames out; voice-mixer.ts runs ffmpeg.
import type { MixLine } from './voice-ffmpeg-args';

/** Samples per AAC-LC frame. */
export const AAC_FRAME = 1024;
/** Frames encoded before the first replaced one (the encoder settles on the same signal). */
export const PRE_FRAMES = 2;
/** Frames encoded after the last replaced one (the last kept frame is not the encoder's flush). */
export const POST_FRAMES = 2;

/**
 * The frames of an ADTS stream (7- or 9-byte headers), or null when it is not one AAC-LC frame
 * of 1024 samples per header throughout (then the story is mixed whole instead).
 */
export function adtsFrames(buf: Uint8Array): Uint8Array[] | null {
  const frames: Uint8Array[] = [];
  for (let i = 0; i < buf.length;) {
    if (i + 7 > buf.length || buf[i] !== 0xff || (buf[i + 1] & 0xf6) !== 0xf0) return null;
    const profile = buf[i + 2] >> 6; // 1 = AAC LC
    const length = ((buf[i + 3] & 0x03) << 11) | (buf[i + 4] << 3) | (buf[i + 5] >> 5);
    const blocks = buf[i + 6] & 0x03; // raw data blocks − 1
    if (profile !== 1 || blocks !== 0 || length < 7 || i + length > buf.length) return null;
    frames.push(buf.subarray(i, i + length));
    i += length;
  }
  return frames;
}

export interface SpliceWindow {
  /** Story frames replaced: first..last (inclusive). */
  first: number;
  last: number;
  /** The new encoding's span on the story's timeline, samples [start, end). */
  start: number;
  end: number;
  /** Index, in the new encoding's frames, of the frame that replaces `first`. */
  offset: number;
  lines: MixLine[];
}

export interface SpliceGrid {
  /** The story's first frame's timestamp in samples (minus its priming: −1024 for ffmpeg's encoder). */
  firstPts: number;
  frames: number;
  rate: number;
}

/**
 * The windows to re-encode: per line, its slot widened by `before` and `after(line)` seconds
 * (where the mix may differ from the story), on the frame grid, merged when they come close.
 * Null when a window would be empty (the story is then mixed whole).
 */
export function spliceWindows(lines: MixLine[], grid: SpliceGrid, before: number, after: (line: MixLine) => number): SpliceWindow[] | null {
  const frameOf = (sample: number) => Math.floor((sample - grid.firstPts) / AAC_FRAME);
  // The first frame that starts on the timeline (the ones before hold the encoder's priming).
  const firstOnTimeline = Math.ceil(-grid.firstPts / AAC_FRAME);
  const spans = lines
    .map((l) => ({
      first: Math.max(firstOnTimeline, frameOf(Math.floor((l.from - before) * grid.rate))),
      last: Math.min(grid.frames - 1, frameOf(Math.ceil((l.to + after(l)) * grid.rate) - 1)),
      lines: [l],
    }))
    .sort((a, b) => a.first - b.first);
  const merged: typeof spans = [];
  for (const s of spans) {
    const prev = merged.at(-1);
    if (prev && s.first <= prev.last + PRE_FRAMES + POST_FRAMES + 1) {
      prev.last = Math.max(prev.last, s.last);
      prev.lines.push(...s.lines);
    } else merged.push({ ...s, lines: [...s.lines] });
  }
  const ptsOf = (frame: number) => grid.firstPts + frame * AAC_FRAME;
  const windows: SpliceWindow[] = [];
  for (const s of merged) {
    // The encoding starts PRE_FRAMES before `first` when the timeline allows (never before sample 0).
    let pre = PRE_FRAMES;
    while (pre > 0 && ptsOf(s.first - pre) < 0) pre--;
    if (s.last < s.first) return null;
    const post = Math.min(POST_FRAMES, grid.frames - 1 - s.last);
    windows.push({ first: s.first, last: s.last, start: ptsOf(s.first - pre), end: ptsOf(s.last + post) + AAC_FRAME, offset: pre + 1, lines: s.lines });
  }
  return windows;
}

/**
 * The story's frames with each window's frames taken from its new encoding (`encoded[w]`, whose
 * frame 0 is the encoder's priming): frame `first + k` ← `encoded[w][offset + k]`.
 */
export function spliceFrames(story: Uint8Array[], windows: SpliceWindow[], encoded: Uint8Array[][]): Uint8Array[] {
  const out = [...story];
  windows.forEach((w, i) => {
    const frames = encoded[i];
    if (frames.length < w.offset + (w.last - w.first) + 1) throw new Error(`the window's encoding has ${frames.length} frames, fewer than it replaces`);
    for (let k = 0; k <= w.last - w.first; k++) out[w.first + k] = frames[w.offset + k];
  });
  return out;
}
