// What an edit of an AAC track in place needs to know of it: the codec, profile, rate, channels
// and bit rate of its first audio stream, and the timestamp of its first packet (negative by the
// encoder's priming, which an MP4 edit list hides). One ffprobe call reading two packets.
import { execFile } from 'node:child_process';
import { NotMediaError } from './media-probe';

export interface AudioStart {
  codec: string;
  /** e.g. "LC" for AAC-LC. */
  profile: string | null;
  sampleRate: number;
  channels: number;
  bitRate: number | null;
  /** The first packet's timestamp in samples (−1024 for ffmpeg's AAC encoder). */
  firstPts: number;
}

export function audioStartArgs(file: string): string[] {
  return [
    '-v',
    'error',
    '-select_streams',
    'a:0',
    '-read_intervals',
    '%+#2',
    '-show_entries',
    'stream=codec_name,profile,sample_rate,channels,bit_rate,time_base:packet=pts',
    '-of',
    'json',
    file,
  ];
}

/** ffprobe's JSON of `audioStartArgs` → the first packet's time in samples and the stream's parameters. */
export function toAudioStart(data: {
  streams?: { codec_name?: string; profile?: string; sample_rate?: string; channels?: number; bit_rate?: string; time_base?: string }[];
  packets?: { pts?: number }[];
}): AudioStart | null {
  const s = data.streams?.[0];
  const pts = data.packets?.[0]?.pts;
  if (!s?.codec_name || typeof pts !== 'number') return null;
  const sampleRate = Number(s.sample_rate);
  const [num, den] = (s.time_base ?? '').split('/').map(Number);
  if (!(sampleRate > 0) || !(num > 0) || !(den > 0)) return null;
  const bitRate = Number(s.bit_rate);
  return {
    codec: s.codec_name,
    profile: s.profile ?? null,
    sampleRate,
    channels: Number(s.channels) || 0,
    bitRate: bitRate > 0 ? bitRate : null,
    firstPts: Math.round((pts * num * sampleRate) / den),
  };
}

export function probeAudioStart(ffprobePath: string, file: string): Promise<AudioStart | null> {
  return new Promise((resolve, reject) => {
    execFile(ffprobePath, audioStartArgs(file), { maxBuffer: 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) return reject(new NotMediaError(`Not a readable media file: ${(stderr || err.message).trim().split('\n').pop()}`));
      try {
        resolve(toAudioStart(JSON.parse(stdout)));
      } catch (e) {
        reject(e);
      }
    });
  });
}
