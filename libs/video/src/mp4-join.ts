// The render's video joined here instead of by ffmpeg's concat demuxer: the segment files'
// samples copied, one after another, with the story's audio track, into one MP4 with its index in
// front (faststart). ffmpeg opened and probed every segment file (31 for a 60 s story: 0.6-0.8
// CPU-s and as long, alone at the end of every render). Same streams as ffmpeg writes them: the
// video samples in order with their decode durations, composition offsets and keyframes, one edit
// over the B-frame delay; the audio track's sample tables, edit and descriptions kept as they are.
// Segments that do not join so (another timescale, codec set-up or B-frame delay) are refused
// with an error: the caller then joins them with ffmpeg.
import { Box, boxes, child, need, readEdit, readSampleTable, u32, u64, Mp4VideoSample } from './mp4-samples';

interface Track {
  file: Uint8Array;
  trak: Box;
  mdia: Box;
  stbl: Box;
  timescale: number;
  editMediaTime: number;
  samples: Mp4VideoSample[];
}

/** Movie time units (ms) of the written file. */
const MOVIE_TIMESCALE = 1000;

/**
 * The joined MP4 as parts to write in order (the header, then slices of the inputs: nothing is
 * copied in memory). `segments`: each a video-only MP4 (one H.264 track); `audio`: an MP4 with one
 * audio track, or null.
 */
export function joinMp4(segments: Uint8Array[], audio: Uint8Array | null): Uint8Array[] {
  if (segments.length === 0) throw new Error('join: no segments');
  const videos = segments.map((s) => readTrack(s, 'vide'));
  const first = videos[0];
  const entry = sampleEntryWithoutBitrate(first);
  for (const [i, v] of videos.entries()) {
    if (v.timescale !== first.timescale || v.editMediaTime !== first.editMediaTime)
      throw new Error(`join: segment ${i} has another timescale or B-frame delay`);
    if (!Buffer.from(sampleEntryWithoutBitrate(v)).equals(entry)) throw new Error(`join: segment ${i} has another codec set-up`);
  }
  const sound = audio ? readTrack(audio, 'soun') : null;
  if (sound && sound.samples.some((s) => s.cts !== s.dts)) throw new Error('join: audio with composition offsets');

  // Layout of the media data: per segment, its video samples, then the audio up to the segment's end.
  const videoSamples = videos.flatMap((v) => v.samples.map((s) => ({ ...s, file: v.file })));
  const videoChunks: { firstSample: number; count: number; offset: number }[] = [];
  const audioChunks: { firstSample: number; count: number; offset: number }[] = [];
  const data: Uint8Array[] = [];
  let dataBytes = 0;
  let audioNext = 0;
  let videoEnd = 0;
  for (const v of videos) {
    videoChunks.push({ firstSample: videoChunks.reduce((n, c) => n + c.count, 0), count: v.samples.length, offset: dataBytes });
    for (const s of v.samples) {
      data.push(v.file.subarray(s.offset, s.offset + s.size));
      dataBytes += s.size;
      videoEnd += s.duration;
    }
    if (!sound) continue;
    const until = (videoEnd / first.timescale) * sound.timescale + sound.editMediaTime;
    const from = audioNext;
    const chunkOffset = dataBytes;
    while (audioNext < sound.samples.length && (v === videos.at(-1) || sound.samples[audioNext].dts < until)) {
      const s = sound.samples[audioNext++];
      data.push(sound.file.subarray(s.offset, s.offset + s.size));
      dataBytes += s.size;
    }
    if (audioNext > from) audioChunks.push({ firstSample: from, count: audioNext - from, offset: chunkOffset });
  }

  const videoDuration = videoSamples.reduce((t, s) => t + s.duration, 0);
  const videoMs = Math.round((videoDuration / first.timescale) * MOVIE_TIMESCALE);
  const soundMs = sound ? trackDurationMs(sound) : 0;
  // 64-bit chunk offsets once the data may pass 4 GB.
  const large = dataBytes > 0xffffffff - 64 * 1048576;
  const build = (mdatStart: number) =>
    box(
      'moov',
      mvhd(Math.max(videoMs, soundMs), sound ? 3 : 2),
      videoTrak(large, first, entry, videoSamples, videoChunks, mdatStart, videoDuration, videoMs),
      ...(sound ? [soundTrak(large, sound, audioChunks, mdatStart)] : []),
    );
  const ftyp = box('ftyp', ascii('isom'), be32(512), ascii('isomiso2avc1mp41'));
  // The index's size does not depend on the offsets it holds (32-bit, or 64-bit throughout).
  const mdatHeader = dataBytes + 8 > 0xffffffff ? concat(be32(1), ascii('mdat'), be64(dataBytes + 16)) : concat(be32(dataBytes + 8), ascii('mdat'));
  const moovSize = build(0).length;
  const moov = build(ftyp.length + moovSize + mdatHeader.length);
  if (moov.length !== moovSize) throw new Error('join: the index changed size');
  return [ftyp, moov, mdatHeader, ...data];
}

function readTrack(file: Uint8Array, handler: 'vide' | 'soun'): Track {
  const moov = need(
    boxes(file, 0, file.length).find((x) => x.type === 'moov'),
    'moov',
  );
  const traks = boxes(file, moov.start, moov.end).filter((x) => x.type === 'trak');
  const found = traks.filter((trak) => {
    const hdlr = need(child(file, need(child(file, trak, 'mdia'), 'mdia'), 'hdlr'), 'hdlr');
    return String.fromCharCode(...file.subarray(hdlr.start + 8, hdlr.start + 12)) === handler;
  });
  if (found.length !== 1 || traks.length !== 1) throw new Error(`join: ${traks.length} tracks, ${found.length} of them ${handler}`);
  const trak = found[0];
  const mdia = need(child(file, trak, 'mdia'), 'mdia');
  const mdhd = need(child(file, mdia, 'mdhd'), 'mdhd');
  const timescale = file[mdhd.start] === 1 ? u32(file, mdhd.start + 20) : u32(file, mdhd.start + 12);
  const stbl = need(child(file, need(child(file, mdia, 'minf'), 'minf'), 'stbl'), 'stbl');
  if (u32(file, need(child(file, stbl, 'stsd'), 'stsd').start + 4) !== 1) throw new Error('join: several sample descriptions');
  return { file, trak, mdia, stbl, timescale, editMediaTime: readEdit(file, child(file, trak, 'edts')), samples: readSampleTable(file, stbl) };
}

/** The track's stsd box with its sample entry's bitrate box (btrt, per file) left out. */
function sampleEntryWithoutBitrate(t: Track): Uint8Array {
  const stsd = need(child(t.file, t.stbl, 'stsd'), 'stsd');
  const [entry] = boxes(t.file, stsd.start + 8, stsd.end);
  const fields = t.file.subarray(entry.start, entry.start + 78);
  const inner = boxes(t.file, entry.start + 78, entry.end)
    .filter((x) => x.type !== 'btrt')
    .map((x) => t.file.subarray(x.start - 8, x.end));
  if (inner.some((x) => u32(x, 0) !== x.length)) throw new Error('join: a large box in the sample entry');
  return fullBox('stsd', 0, 0, be32(1), box(String.fromCharCode(...t.file.subarray(entry.start - 4, entry.start)), fields, ...inner));
}

type Chunk = { firstSample: number; count: number; offset: number };

function videoTrak(
  large: boolean,
  t: Track,
  stsd: Uint8Array,
  samples: Mp4VideoSample[],
  chunks: Chunk[],
  mdatStart: number,
  duration: number,
  durationMs: number,
): Uint8Array {
  const tkhd = need(child(t.file, t.trak, 'tkhd'), 'tkhd');
  const v1 = t.file[tkhd.start] === 1;
  const size = t.file.subarray(tkhd.start + (v1 ? 88 : 76), tkhd.start + (v1 ? 96 : 84)); // width, height (16.16)
  const minf = need(child(t.file, t.mdia, 'minf'), 'minf');
  const offsets = samples.map((s) => s.cts - s.dts);
  const signed = offsets.some((o) => o < 0);
  return box(
    'trak',
    tkhdBox(1, durationMs, 0, size),
    box('edts', fullBox('elst', 0, 0, be32(1), be32(durationMs), be32(t.editMediaTime), be32(0x10000))),
    box(
      'mdia',
      fullBox('mdhd', 0, 0, be32(0), be32(0), be32(t.timescale), be32(duration), Uint8Array.of(0x55, 0xc4, 0, 0)),
      raw(t.file, need(child(t.file, t.mdia, 'hdlr'), 'hdlr')),
      box(
        'minf',
        raw(t.file, need(child(t.file, minf, 'vmhd'), 'vmhd')),
        raw(t.file, need(child(t.file, minf, 'dinf'), 'dinf')),
        box(
          'stbl',
          stsd,
          runTable(
            'stts',
            0,
            samples.map((s) => s.duration),
          ),
          fullBox('stss', 0, 0, be32(samples.filter((s) => s.key).length), be32s(samples.flatMap((s, i) => (s.key ? [i + 1] : [])))),
          runTable('ctts', signed ? 1 : 0, offsets),
          stscBox(chunks),
          fullBox('stsz', 0, 0, be32(0), be32(samples.length), be32s(samples.map((s) => s.size))),
          chunkOffsets(chunks, mdatStart, large),
        ),
      ),
    ),
  );
}

/** The track's duration in its file's movie time, which must be in ms (its edit list is copied). */
function trackDurationMs(t: Track): number {
  const moov = need(
    boxes(t.file, 0, t.file.length).find((x) => x.type === 'moov'),
    'moov',
  );
  const mvhd = need(child(t.file, moov, 'mvhd'), 'mvhd');
  const timescale = t.file[mvhd.start] === 1 ? u32(t.file, mvhd.start + 20) : u32(t.file, mvhd.start + 12);
  if (timescale !== MOVIE_TIMESCALE) throw new Error(`join: the audio file's movie timescale is ${timescale}`);
  const tkhd = need(child(t.file, t.trak, 'tkhd'), 'tkhd');
  return t.file[tkhd.start] === 1 ? u64(t.file, tkhd.start + 28) : u32(t.file, tkhd.start + 20);
}

/** The audio track as it is, but its chunks (stsc, stco) where this file holds them, and track id 2. */
function soundTrak(large: boolean, t: Track, chunks: Chunk[], mdatStart: number): Uint8Array {
  const duration = trackDurationMs(t);
  const minf = need(child(t.file, t.mdia, 'minf'), 'minf');
  const kept = (parent: Box, skip: string[]) =>
    boxes(t.file, parent.start, parent.end)
      .filter((x) => !skip.includes(x.type))
      .map((x) => t.file.subarray(x.start - 8, x.end));
  const stbl = kept(t.stbl, ['stsc', 'stco', 'co64']);
  return box(
    'trak',
    tkhdBox(2, duration, 0x0100, new Uint8Array(8)),
    raw(t.file, need(child(t.file, t.trak, 'edts'), 'edts')),
    box('mdia', ...kept(t.mdia, ['minf']), box('minf', ...kept(minf, ['stbl']), box('stbl', ...stbl, stscBox(chunks), chunkOffsets(chunks, mdatStart, large)))),
  );
}

function mvhd(durationMs: number, nextTrack: number): Uint8Array {
  return fullBox(
    'mvhd',
    0,
    0,
    be32(0),
    be32(0),
    be32(MOVIE_TIMESCALE),
    be32(durationMs),
    be32(0x10000),
    Uint8Array.of(1, 0),
    new Uint8Array(10),
    MATRIX,
    new Uint8Array(24),
    be32(nextTrack),
  );
}

function tkhdBox(id: number, durationMs: number, volume: number, size: Uint8Array): Uint8Array {
  const alternateGroup = volume ? 1 : 0;
  return fullBox(
    'tkhd',
    0,
    3,
    be32(0),
    be32(0),
    be32(id),
    be32(0),
    be32(durationMs),
    new Uint8Array(8),
    Uint8Array.of(0, 0, 0, alternateGroup, volume >> 8, volume & 0xff, 0, 0),
    MATRIX,
    size,
  );
}

const MATRIX = concat(...[0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000].map(be32));

/** stts or ctts: runs of equal values. */
function runTable(type: string, version: number, values: number[]): Uint8Array {
  const runs: number[] = [];
  for (let i = 0; i < values.length;) {
    let n = 1;
    while (i + n < values.length && values[i + n] === values[i]) n++;
    runs.push(n, values[i] >>> 0);
    i += n;
  }
  return fullBox(type, version, 0, be32(runs.length / 2), be32s(runs));
}

function stscBox(chunks: Chunk[]): Uint8Array {
  const runs: number[] = [];
  let last = -1;
  chunks.forEach((c, i) => {
    if (c.count === last) return;
    runs.push(i + 1, c.count, 1);
    last = c.count;
  });
  return fullBox('stsc', 0, 0, be32(runs.length / 3), be32s(runs));
}

function chunkOffsets(chunks: Chunk[], mdatStart: number, large: boolean): Uint8Array {
  return large
    ? fullBox('co64', 0, 0, be32(chunks.length), ...chunks.map((c) => be64(mdatStart + c.offset)))
    : fullBox('stco', 0, 0, be32(chunks.length), be32s(chunks.map((c) => mdatStart + c.offset)));
}

function raw(file: Uint8Array, b: Box): Uint8Array {
  const header = u32(file, b.start - 8) === 1 ? 16 : 8;
  return file.subarray(b.start - header, b.end);
}

function box(type: string, ...parts: Uint8Array[]): Uint8Array {
  const size = parts.reduce((n, p) => n + p.length, 8);
  return concat(be32(size), ascii(type), ...parts);
}

function fullBox(type: string, version: number, flags: number, ...parts: Uint8Array[]): Uint8Array {
  return box(type, Uint8Array.of(version, 0, 0, flags), ...parts);
}

function be32(n: number): Uint8Array {
  return Uint8Array.of((n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** Many big-endian 32-bit values in one buffer. */
function be32s(values: number[]): Uint8Array {
  const b = Buffer.allocUnsafe(values.length * 4);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, i * 4));
  return b;
}

function be64(n: number): Uint8Array {
  return concat(be32(Math.floor(n / 4294967296)), be32(n >>> 0));
}

function ascii(s: string): Uint8Array {
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}
