import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tsStartTimes } from './mpegts';

function packet(pid: number, pusi: boolean, payload: number[]): number[] {
  const p = [0x47, (pusi ? 0x40 : 0) | (pid >> 8), pid & 0xff, 0x10, ...payload];
  while (p.length < 188) p.push(0xff);
  return p;
}
function section(tableId: number, body: number[]): number[] {
  const length = body.length + 5 + 4; // header after length + CRC
  return [0, tableId, 0xb0 | (length >> 8), length & 0xff, 0, 1, 0xc1, 0, 0, ...body, 0, 0, 0, 0];
}
function pts(seconds: number): number[] {
  const v = Math.round(seconds * 90000);
  const hi = Math.floor(v / 2 ** 30);
  const lo = v % 2 ** 30;
  return [0x21 | (hi << 1), (lo >> 22) & 0xff, (((lo >> 15) & 0x7f) << 1) | 1, (lo >> 7) & 0xff, ((lo & 0x7f) << 1) | 1];
}
function pes(streamId: number, seconds: number): number[] {
  return [0, 0, 1, streamId, 0, 0, 0x80, 0x80, 5, ...pts(seconds), 9, 9, 9];
}

test('tsStartTimes reads the first video and audio PTS through PAT and PMT', () => {
  const pat = packet(0, true, section(0x00, [0, 1, 0xf0, 0x00])); // program 1 → PMT PID 0x1000
  const pmt = packet(0x1000, true, section(0x02, [0xe1, 0x00, 0xf0, 0x00, 0x1b, 0xe1, 0x00, 0xf0, 0x00, 0x0f, 0xe1, 0x01, 0xf0, 0x00]));
  const audio = packet(0x101, true, pes(0xc0, 13.378667));
  const video = packet(0x100, true, pes(0xe0, 13.4));
  const more = packet(0x100, false, [1, 2, 3]);
  const ts = Uint8Array.from([...pat, ...pmt, ...audio, ...more, ...video]);
  const t = tsStartTimes(ts);
  assert.ok(Math.abs(t.video! - 13.4) < 1e-4);
  assert.ok(Math.abs(t.audio! - 13.378667) < 1e-4);
  // A PTS above 2^32 ticks (over 13 h) keeps its top bits.
  const late = tsStartTimes(Uint8Array.from([...pat, ...pmt, ...packet(0x100, true, pes(0xe0, 50000))]));
  assert.ok(Math.abs(late.video! - 50000) < 1e-4);
  assert.equal(late.audio, null);
  assert.deepEqual(tsStartTimes(Uint8Array.from([1, 2, 3])), { video: null, audio: null });
});
