// 16-bit PCM WAV of mono float samples, and back: the fitted line is stored and served this
// way (every browser plays it). Pure.

export function encodeWav(samples: Float32Array, rate: number): Buffer {
  const data = samples.length * 2;
  const buf = Buffer.alloc(44 + data);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + data, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(data, 40);
  for (let i = 0; i < samples.length; i++) buf.writeInt16LE(Math.round(Math.max(-1, Math.min(1, samples[i])) * 32767), 44 + 2 * i);
  return buf;
}

/** Float samples from raw little-endian float32 (what ffmpeg's `-f f32le` writes). */
export function f32leSamples(raw: Buffer): Float32Array {
  const n = Math.floor(raw.length / 4);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = raw.readFloatLE(4 * i);
  return out;
}

/** Mono float samples of a 16-bit PCM mono WAV (chunks such as ffmpeg's LIST are skipped); null for anything else. */
export function decodeWav(buf: Buffer): { samples: Float32Array; rate: number } | null {
  if (buf.length < 44 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') return null;
  let at = 12;
  let rate = 0;
  let fmtOk = false;
  while (at + 8 <= buf.length) {
    const id = buf.toString('ascii', at, at + 4);
    const size = buf.readUInt32LE(at + 4);
    const body = at + 8;
    if (id === 'fmt ' && size >= 16) {
      fmtOk = buf.readUInt16LE(body) === 1 && buf.readUInt16LE(body + 2) === 1 && buf.readUInt16LE(body + 14) === 16;
      rate = buf.readUInt32LE(body + 4);
    } else if (id === 'data') {
      if (!fmtOk) return null;
      const n = Math.floor(Math.min(size, buf.length - body) / 2);
      const samples = new Float32Array(n);
      for (let i = 0; i < n; i++) samples[i] = buf.readInt16LE(body + 2 * i) / 32767;
      return { samples, rate };
    }
    at = body + size + (size % 2);
  }
  return null;
}
