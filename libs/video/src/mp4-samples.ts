// Minimal MP4 reading: the samples of a file's one H.264 video track (where each lies in the
// file, its decode and presentation time, whether it is a keyframe) and the parameter sets of its
// avcC. Enough to repackage a rendered segment (our own encoder's MP4) as an HLS piece without
// starting ffmpeg. Anything outside that shape (a second video track, several edits, other codecs)
// is refused with an error, and the caller falls back to ffmpeg.

export interface Mp4VideoSample {
  /** Byte offset of the sample in the file, and its size. */
  offset: number;
  size: number;
  /** Decode and composition time in `timescale` units, from the track's start (before the edit). */
  dts: number;
  cts: number;
  /** Decode duration (stts). */
  duration: number;
  key: boolean;
}

export interface Mp4VideoTrack {
  timescale: number;
  /** Media time the presentation starts at (the edit list's shift over the B-frame delay; 0 without one). */
  editMediaTime: number;
  /** Bytes of each NAL unit's length prefix in the samples (avcC lengthSizeMinusOne + 1). */
  nalLengthSize: number;
  sps: Uint8Array[];
  pps: Uint8Array[];
  samples: Mp4VideoSample[];
}

export interface Box {
  type: string;
  /** Offset of the box's payload (after its header) and its end. */
  start: number;
  end: number;
}

export function u32(b: Uint8Array, p: number): number {
  return ((b[p] << 24) >>> 0) + (b[p + 1] << 16) + (b[p + 2] << 8) + b[p + 3];
}

export function u64(b: Uint8Array, p: number): number {
  return u32(b, p) * 4294967296 + u32(b, p + 4);
}

/** The boxes inside [start, end). */
export function boxes(b: Uint8Array, start: number, end: number): Box[] {
  const out: Box[] = [];
  let p = start;
  while (p + 8 <= end) {
    let size = u32(b, p);
    const type = String.fromCharCode(b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
    let header = 8;
    if (size === 1) {
      size = u64(b, p + 8);
      header = 16;
    } else if (size === 0) size = end - p;
    if (size < header || p + size > end) throw new Error(`mp4: box ${type} at ${p} overruns its parent`);
    out.push({ type, start: p + header, end: p + size });
    p += size;
  }
  return out;
}

export function child(b: Uint8Array, parent: Box, type: string): Box | undefined {
  return boxes(b, parent.start, parent.end).find((x) => x.type === type);
}

export function need(box: Box | undefined, what: string): Box {
  if (!box) throw new Error(`mp4: no ${what}`);
  return box;
}

/** The video track's samples and parameter sets of an MP4 file held in memory. */
export function readMp4VideoTrack(b: Uint8Array): Mp4VideoTrack {
  const moov = need(
    boxes(b, 0, b.length).find((x) => x.type === 'moov'),
    'moov',
  );
  const videoTracks = boxes(b, moov.start, moov.end)
    .filter((x) => x.type === 'trak')
    .filter((trak) => {
      const hdlr = need(child(b, need(child(b, trak, 'mdia'), 'mdia'), 'hdlr'), 'hdlr');
      return String.fromCharCode(...b.subarray(hdlr.start + 8, hdlr.start + 12)) === 'vide';
    });
  if (videoTracks.length !== 1) throw new Error(`mp4: ${videoTracks.length} video tracks`);
  const trak = videoTracks[0];
  const mdia = need(child(b, trak, 'mdia'), 'mdia');
  const mdhd = need(child(b, mdia, 'mdhd'), 'mdhd');
  const timescale = b[mdhd.start] === 1 ? u32(b, mdhd.start + 20) : u32(b, mdhd.start + 12);
  const stbl = need(child(b, need(child(b, mdia, 'minf'), 'minf'), 'stbl'), 'stbl');
  const editMediaTime = readEdit(b, child(b, trak, 'edts'));
  const { nalLengthSize, sps, pps } = readAvcC(b, need(child(b, stbl, 'stsd'), 'stsd'));
  const samples = readSampleTable(b, stbl);
  return { timescale, editMediaTime, nalLengthSize, sps, pps, samples };
}

/** The one edit's media time (0 without an edit list); empty edits or several edits are refused. */
export function readEdit(b: Uint8Array, edts: Box | undefined): number {
  if (!edts) return 0;
  const elst = child(b, edts, 'elst');
  if (!elst) return 0;
  const v1 = b[elst.start] === 1;
  const count = u32(b, elst.start + 4);
  if (count !== 1) throw new Error(`mp4: ${count} edits`);
  const p = elst.start + 8;
  const mediaTime = v1 ? u64(b, p + 8) : u32(b, p + 4);
  const rate = u32(b, p + (v1 ? 16 : 8));
  if (mediaTime > 0x7fffffff || rate !== 0x10000) throw new Error('mp4: an empty or non-unit-rate edit');
  return mediaTime;
}

function readAvcC(b: Uint8Array, stsd: Box): { nalLengthSize: number; sps: Uint8Array[]; pps: Uint8Array[] } {
  if (u32(b, stsd.start + 4) !== 1) throw new Error('mp4: several sample descriptions');
  const [entry] = boxes(b, stsd.start + 8, stsd.end);
  if (!entry || entry.type !== 'avc1') throw new Error(`mp4: video is ${entry?.type ?? 'none'}, not avc1`);
  // A visual sample entry: 78 bytes of fields, then its boxes.
  const avcC = need(
    boxes(b, entry.start + 78, entry.end).find((x) => x.type === 'avcC'),
    'avcC',
  );
  let p = avcC.start + 4;
  const nalLengthSize = (b[p] & 3) + 1;
  p++;
  const sets = (count: number): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let i = 0; i < count; i++) {
      const len = (b[p] << 8) | b[p + 1];
      out.push(b.subarray(p + 2, p + 2 + len));
      p += 2 + len;
    }
    return out;
  };
  const sps = sets(b[p++] & 0x1f);
  const pps = sets(b[p++]);
  if (p > avcC.end || sps.length === 0 || pps.length === 0) throw new Error('mp4: bad avcC');
  return { nalLengthSize, sps, pps };
}

export function readSampleTable(b: Uint8Array, stbl: Box): Mp4VideoSample[] {
  // Sizes.
  const stsz = need(child(b, stbl, 'stsz'), 'stsz');
  const fixed = u32(b, stsz.start + 4);
  const count = u32(b, stsz.start + 8);
  const sizes = Array.from({ length: count }, (_, i) => (fixed ? fixed : u32(b, stsz.start + 12 + 4 * i)));
  // Offsets: chunks, and how many samples each holds.
  const stco = child(b, stbl, 'stco');
  const co64 = child(b, stbl, 'co64');
  const chunkTable = need(stco ?? co64, 'stco');
  const chunks = Array.from({ length: u32(b, chunkTable.start + 4) }, (_, i) =>
    stco ? u32(b, chunkTable.start + 8 + 4 * i) : u64(b, chunkTable.start + 8 + 8 * i),
  );
  const stsc = need(child(b, stbl, 'stsc'), 'stsc');
  const runs = Array.from({ length: u32(b, stsc.start + 4) }, (_, i) => ({
    firstChunk: u32(b, stsc.start + 8 + 12 * i) - 1,
    perChunk: u32(b, stsc.start + 12 + 12 * i),
  }));
  const offsets: number[] = [];
  for (let r = 0; r < runs.length; r++) {
    const last = r + 1 < runs.length ? runs[r + 1].firstChunk : chunks.length;
    for (let c = runs[r].firstChunk; c < last; c++) {
      let at = chunks[c];
      for (let s = 0; s < runs[r].perChunk && offsets.length < count; s++) {
        offsets.push(at);
        at += sizes[offsets.length - 1];
      }
    }
  }
  if (offsets.length !== count) throw new Error(`mp4: chunks place ${offsets.length} of ${count} samples`);
  // Decode times (stts), composition offsets (ctts, signed in version 1), keyframes (stss; none: all).
  const durations = expandRuns(b, need(child(b, stbl, 'stts'), 'stts'), count, false);
  const dts: number[] = [];
  for (let i = 0, at = 0; i < count; at += durations[i++]) dts.push(at);
  const ctts = child(b, stbl, 'ctts');
  const offsetsCts = ctts ? expandRuns(b, ctts, count, b[ctts.start] === 1) : new Array<number>(count).fill(0);
  const stss = child(b, stbl, 'stss');
  const keys = new Set<number>();
  if (stss) for (let i = 0, n = u32(b, stss.start + 4); i < n; i++) keys.add(u32(b, stss.start + 8 + 4 * i) - 1);
  return sizes.map((size, i) => ({
    offset: offsets[i],
    size,
    dts: dts[i],
    cts: dts[i] + offsetsCts[i],
    duration: durations[i],
    key: stss ? keys.has(i) : true,
  }));
}

/** A (count, value) run table (stts, ctts) as one value per sample. */
function expandRuns(b: Uint8Array, box: Box, count: number, signed: boolean): number[] {
  const out: number[] = [];
  for (let i = 0, n = u32(b, box.start + 4); i < n; i++) {
    const repeat = u32(b, box.start + 8 + 8 * i);
    const raw = u32(b, box.start + 12 + 8 * i);
    const value = signed ? raw | 0 : raw;
    for (let k = 0; k < repeat && out.length < count; k++) out.push(value);
  }
  if (out.length !== count) throw new Error(`mp4: a time table covers ${out.length} of ${count} samples`);
  return out;
}
