// Minimal MPEG-TS reading: the presentation time of the first video and the first audio PES of a
// piece (streams as listed in its PMT). Enough to line a re-muxed piece up with the story's own
// piece without starting ffprobe.

const PACKET = 188;
const VIDEO_STREAM_TYPES = new Set([0x01, 0x02, 0x10, 0x1b, 0x24]);
const AUDIO_STREAM_TYPES = new Set([0x03, 0x04, 0x0f, 0x11, 0x81]);

export interface TsStartTimes {
  /** Seconds (PTS / 90 kHz) of the first video PES, null when there is none in the bytes read. */
  video: number | null;
  audio: number | null;
}

function pesPts(ts: Uint8Array, p: number): number | null {
  if (ts[p] !== 0 || ts[p + 1] !== 0 || ts[p + 2] !== 1) return null;
  if (((ts[p + 7] >> 6) & 0x2) === 0) return null;
  const b = p + 9;
  return ((ts[b] & 0x0e) * 536870912 + ts[b + 1] * 4194304 + (ts[b + 2] >> 1) * 32768 + ts[b + 3] * 128 + (ts[b + 4] >> 1)) / 90000;
}

/** First video and audio PTS of the (start of an) MPEG-TS file. */
export function tsStartTimes(ts: Uint8Array): TsStartTimes {
  const out: TsStartTimes = { video: null, audio: null };
  let pmtPid = -1;
  let videoPid = -1;
  let audioPid = -1;
  for (let off = 0; off + PACKET <= ts.length; off += PACKET) {
    if (ts[off] !== 0x47) break; // not (or no longer) packet-aligned TS
    const pusi = (ts[off + 1] & 0x40) !== 0;
    const pid = ((ts[off + 1] & 0x1f) << 8) | ts[off + 2];
    const afc = (ts[off + 3] >> 4) & 0x3;
    if (afc === 2 || afc === 0 || !pusi) continue; // no payload, or not the start of a unit
    let p = off + 4;
    if (afc === 3) p += 1 + ts[p];
    const end = off + PACKET;
    if (p >= end) continue;
    if (pid === 0 && pmtPid < 0) {
      p += 1 + ts[p]; // pointer field
      const sectionEnd = Math.min(end, p + 3 + (((ts[p + 1] & 0x0f) << 8) | ts[p + 2]) - 4);
      for (let q = p + 8; q + 4 <= sectionEnd; q += 4) {
        if (((ts[q] << 8) | ts[q + 1]) !== 0) {
          pmtPid = ((ts[q + 2] & 0x1f) << 8) | ts[q + 3];
          break;
        }
      }
    } else if (pid === pmtPid && videoPid < 0 && audioPid < 0) {
      p += 1 + ts[p];
      const sectionEnd = Math.min(end, p + 3 + (((ts[p + 1] & 0x0f) << 8) | ts[p + 2]) - 4);
      const programInfo = ((ts[p + 10] & 0x0f) << 8) | ts[p + 11];
      for (let q = p + 12 + programInfo; q + 5 <= sectionEnd; q += 5 + (((ts[q + 3] & 0x0f) << 8) | ts[q + 4])) {
        const es = ((ts[q + 1] & 0x1f) << 8) | ts[q + 2];
        if (VIDEO_STREAM_TYPES.has(ts[q]) && videoPid < 0) videoPid = es;
        else if (AUDIO_STREAM_TYPES.has(ts[q]) && audioPid < 0) audioPid = es;
      }
    } else if (pid === videoPid && out.video === null) {
      out.video = pesPts(ts, p);
    } else if (pid === audioPid && out.audio === null) {
      out.audio = pesPts(ts, p);
    }
    if (out.video !== null && (out.audio !== null || (audioPid < 0 && pmtPid >= 0 && videoPid >= 0))) break;
  }
  return out;
}

/** The PIDs of the first video and audio streams of the program in an MPEG-TS file (null: none listed). */
export function tsStreamPids(ts: Uint8Array): { video: number | null; audio: number | null } {
  let pmtPid = -1;
  for (let off = 0; off + PACKET <= ts.length; off += PACKET) {
    if (ts[off] !== 0x47) break;
    const pid = ((ts[off + 1] & 0x1f) << 8) | ts[off + 2];
    const afc = (ts[off + 3] >> 4) & 0x3;
    if ((ts[off + 1] & 0x40) === 0 || !(afc & 1)) continue;
    let p = off + 4;
    if (afc === 3) p += 1 + ts[p];
    if (p >= off + PACKET) continue;
    p += 1 + ts[p]; // pointer field
    const sectionEnd = Math.min(off + PACKET, p + 3 + (((ts[p + 1] & 0x0f) << 8) | ts[p + 2]) - 4);
    if (pid === 0 && pmtPid < 0) {
      for (let q = p + 8; q + 4 <= sectionEnd; q += 4)
        if (((ts[q] << 8) | ts[q + 1]) !== 0) {
          pmtPid = ((ts[q + 2] & 0x1f) << 8) | ts[q + 3];
          break;
        }
    } else if (pid === pmtPid) {
      const out: { video: number | null; audio: number | null } = { video: null, audio: null };
      const programInfo = ((ts[p + 10] & 0x0f) << 8) | ts[p + 11];
      for (let q = p + 12 + programInfo; q + 5 <= sectionEnd; q += 5 + (((ts[q + 3] & 0x0f) << 8) | ts[q + 4])) {
        const es = ((ts[q + 1] & 0x1f) << 8) | ts[q + 2];
        if (VIDEO_STREAM_TYPES.has(ts[q]) && out.video === null) out.video = es;
        else if (AUDIO_STREAM_TYPES.has(ts[q]) && out.audio === null) out.audio = es;
      }
      return out;
    }
  }
  return { video: null, audio: null };
}
