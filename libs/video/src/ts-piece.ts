// An HLS piece of a re-rendered segment, written here instead of by an ffmpeg remux (each ffmpeg
// start costs ~0.17 CPU-s on Debian's build before it does anything, and a render muxed its
// pieces in 6-8 such processes). The story's own MPEG-TS piece of the same segment is the
// skeleton: its PAT, PMT, SDT and audio packets are kept byte for byte, in place, and each of its
// video PES packets is replaced by the rendered segment's frame of the same decode position, with
// the same decode time and PCR. The new video is the rendered MP4's samples in Annex B (an access
// unit delimiter first, the parameter sets before keyframes, as ffmpeg's muxer writes them),
// presented from the story piece's first presentation time. A piece whose frames do not line up
// with the story's (another frame count or decode times) is refused: the caller remuxes it.
import { readMp4VideoTrack } from './mp4-samples';
import { tsStreamPids } from './mpegts';

const PACKET = 188;
/** 90 kHz ticks of slack between the story's decode times and the rendered ones. */
const DTS_SLACK = 2;
const AUD = Uint8Array.of(0, 0, 0, 1, 9, 0xf0);
const START_CODE = Uint8Array.of(0, 0, 0, 1);

interface StoryVideoPes {
  dts: number;
  pts: number;
  /** The PCR field's 6 bytes in the PES's first packet, if it has one. */
  pcr: Uint8Array | null;
}

/** The TS piece of `mp4` (a rendered segment) with the audio of `story` (the story's piece of the same segment). */
export function tsPieceFromStory(story: Uint8Array, mp4: Uint8Array): Uint8Array {
  const pids = tsStreamPids(story);
  if (pids.video === null) throw new Error('story piece: no video stream');
  const videoPid = pids.video;
  const storyVideo = storyVideoPes(story, videoPid);
  const track = readMp4VideoTrack(mp4);
  if (track.samples.length !== storyVideo.length) throw new Error(`${track.samples.length} rendered frames, ${storyVideo.length} in the story's piece`);
  // Presentation starts where the story's piece starts; times converted exactly (90 kHz over the track's timescale).
  const start = Math.min(...storyVideo.map((p) => p.pts));
  const ticks = (t: number) => start + Math.round(((t - track.editMediaTime) * 90000) / track.timescale);
  const frames = track.samples.map((s, i) => {
    const dts = ticks(s.dts);
    if (Math.abs(dts - storyVideo[i].dts) > DTS_SLACK) throw new Error(`frame ${i}: decode time ${dts}, the story's ${storyVideo[i].dts}`);
    return { sample: s, pts: ticks(s.cts), dts: storyVideo[i].dts, pcr: storyVideo[i].pcr };
  });

  const out: Uint8Array[] = [];
  const cc = { value: 0 };
  let next = 0;
  for (let off = 0; off + PACKET <= story.length; off += PACKET) {
    const pid = ((story[off + 1] & 0x1f) << 8) | story[off + 2];
    if (pid !== videoPid) {
      out.push(story.subarray(off, off + PACKET));
      continue;
    }
    if ((story[off + 1] & 0x40) === 0) continue; // the rest of a story frame replaced already
    const f = frames[next++];
    const payload = accessUnit(mp4.subarray(f.sample.offset, f.sample.offset + f.sample.size), track);
    out.push(...pesPackets(videoPid, cc, pesHeader(f.pts, f.dts), payload, f.pcr, f.sample.key));
  }
  if (next !== frames.length) throw new Error(`${next} of ${frames.length} frames placed`);
  return Buffer.concat(out);
}

/** Decode time, presentation time and PCR of each video PES of the story's piece, in order. */
function storyVideoPes(ts: Uint8Array, videoPid: number): StoryVideoPes[] {
  const out: StoryVideoPes[] = [];
  for (let off = 0; off + PACKET <= ts.length; off += PACKET) {
    if (ts[off] !== 0x47) throw new Error('story piece: lost packet sync');
    const pid = ((ts[off + 1] & 0x1f) << 8) | ts[off + 2];
    if (pid !== videoPid || (ts[off + 1] & 0x40) === 0) continue;
    const afc = (ts[off + 3] >> 4) & 3;
    let p = off + 4;
    let pcr: Uint8Array | null = null;
    if (afc & 2) {
      const len = ts[p];
      if (len >= 7 && ts[p + 1] & 0x10) pcr = ts.slice(p + 2, p + 8);
      p += 1 + len;
    }
    if (!(afc & 1) || ts[p] !== 0 || ts[p + 1] !== 0 || ts[p + 2] !== 1) throw new Error('story piece: a video unit without a PES header');
    const flags = ts[p + 7];
    if (!(flags & 0x80)) throw new Error('story piece: a video PES without a time');
    const pts = readTime(ts, p + 9);
    const dts = flags & 0x40 ? readTime(ts, p + 14) : pts;
    out.push({ pts, dts, pcr });
  }
  return out;
}

/**
 * One frame in Annex B as ffmpeg's h264_mp4toannexb and MPEG-TS muxer write it: the parameter sets
 * (4-byte start codes) before the first IDR slice of a frame that carries none itself, a 4-byte
 * start code for the frame's first NAL unit and for parameter sets, 3 bytes for the others, and an
 * access unit delimiter in front unless the frame starts with one.
 */
function accessUnit(sample: Uint8Array, track: { nalLengthSize: number; sps: Uint8Array[]; pps: Uint8Array[] }): Uint8Array {
  const parts: Uint8Array[] = [];
  let bytes = 0;
  const put = (nal: Uint8Array, fourByteCode: boolean) => {
    const code = fourByteCode || bytes === 0 ? START_CODE : START_CODE.subarray(1);
    parts.push(code, nal);
    bytes += code.length + nal.length;
  };
  let spsSeen = false;
  let ppsSeen = false;
  let setsPut = false;
  for (let p = 0; p < sample.length;) {
    let len = 0;
    for (let k = 0; k < track.nalLengthSize; k++) len = len * 256 + sample[p + k];
    p += track.nalLengthSize;
    if (len === 0 || p + len > sample.length) throw new Error('rendered frame: a NAL unit overruns its sample');
    const nal = sample.subarray(p, p + len);
    p += len;
    const type = nal[0] & 0x1f;
    if (type === 7) spsSeen = true;
    if (type === 8) ppsSeen = true;
    if (type === 5 && !spsSeen && !ppsSeen && !setsPut) {
      for (const set of [...track.sps, ...track.pps]) put(set, true);
      setsPut = true;
    }
    put(nal, type === 7 || type === 8);
  }
  const startsWithDelimiter = parts.length > 1 && (parts[1][0] & 0x1f) === 9;
  return Buffer.concat(startsWithDelimiter ? parts : [AUD, ...parts]);
}

/** A video PES header as ffmpeg writes it (no length, PTS and DTS, DTS only when it differs). */
function pesHeader(pts: number, dts: number): Uint8Array {
  const both = pts !== dts;
  const h = new Uint8Array(both ? 19 : 14);
  h.set([0, 0, 1, 0xe0, 0, 0, 0x80, both ? 0xc0 : 0x80, both ? 10 : 5]);
  writeTime(h, 9, both ? 3 : 2, pts);
  if (both) writeTime(h, 14, 1, dts);
  return h;
}

/** The PES in TS packets: PCR and random access flag in the first packet, stuffing in the last. */
function pesPackets(pid: number, cc: { value: number }, header: Uint8Array, payload: Uint8Array, pcr: Uint8Array | null, key: boolean): Uint8Array[] {
  const data = Buffer.concat([header, payload]);
  const packets: Uint8Array[] = [];
  for (let at = 0; at < data.length;) {
    const first = at === 0;
    const flags = first ? (key ? 0x40 : 0) | (pcr !== null ? 0x10 : 0) : 0;
    const fields = flags & 0x10 ? 6 : 0;
    // Adaptation field bytes needed for the flags (length byte + flags byte + PCR).
    const minAdaptation = flags ? 2 + fields : 0;
    const room = PACKET - 4 - minAdaptation;
    const take = Math.min(room, data.length - at);
    const adaptation = take < room ? PACKET - 4 - take : minAdaptation; // stuffing fills a short last packet
    const pkt = new Uint8Array(PACKET);
    pkt[0] = 0x47;
    pkt[1] = (first ? 0x40 : 0) | ((pid >> 8) & 0x1f);
    pkt[2] = pid & 0xff;
    pkt[3] = (adaptation ? 0x30 : 0x10) | (cc.value++ & 0x0f);
    if (adaptation) {
      pkt[4] = adaptation - 1;
      if (adaptation > 1) {
        pkt[5] = flags;
        if (flags & 0x10) pkt.set(pcr!, 6);
        pkt.fill(0xff, 6 + fields, 4 + adaptation);
      }
    }
    pkt.set(data.subarray(at, at + take), 4 + adaptation);
    at += take;
    packets.push(pkt);
  }
  return packets;
}

/** A 33-bit PTS/DTS field (5 bytes, with its 4-bit prefix and marker bits). */
function writeTime(b: Uint8Array, p: number, prefix: number, t: number): void {
  const hi = Math.floor(t / 1073741824) & 7; // bits 32..30
  const lo = t % 1073741824;
  b[p] = (prefix << 4) | (hi << 1) | 1;
  b[p + 1] = (lo >> 22) & 0xff;
  b[p + 2] = (((lo >> 15) & 0x7f) << 1) | 1;
  b[p + 3] = (lo >> 7) & 0xff;
  b[p + 4] = ((lo & 0x7f) << 1) | 1;
}

function readTime(b: Uint8Array, p: number): number {
  return ((b[p] >> 1) & 7) * 1073741824 + (b[p + 1] << 22) + ((b[p + 2] >> 1) << 15) + (b[p + 3] << 7) + (b[p + 4] >> 1);
}
