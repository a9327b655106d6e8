// The child's voice with real ffmpeg (rubberband, afftdn, sidechaincompress) and espeak-ng:
// a reading is fitted to its slot at the dialogue's loudness, unusable recordings are refused
// with their reason, and the mix replaces the role's voice inside the slots only.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { TalecastError } from '@talecast/core';
import { locateFfmpeg, probeMedia, runFfmpeg, startFfmpeg } from '@talecast/video';
import { fitRecording, mixStoryAudio, runToSamples, VOICE_RATE, analyseRecording } from '@talecast/voice';
import { makeVoicedAudio, tempDir } from '@talecast/testing';

/** Integrated loudness as ffmpeg's own ebur128 filter measures it (independent of libs/voice). */
async function ebur128(ffmpeg: string, file: string): Promise<number> {
  const run = startFfmpeg(ffmpeg, ['-hide_banner', '-nostats', '-nostdin', '-i', file, '-af', 'ebur128', '-f', 'null', '-']);
  let err = '';
  run.child.stderr!.on('data', (c: string) => (err += c));
  await run.done;
  const m = /Integrated loudness:\s*\n\s*I:\s*(-?[\d.]+) LUFS/.exec(err);
  assert.ok(m, err.slice(-500));
  return Number(m[1]);
}

/** The left channel (every source here has the same signal in both), float at 48 kHz: no downmix gain. */
function left(ffmpeg: string, file: string): Promise<Float32Array> {
  return runToSamples(ffmpeg, [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-i',
    file,
    '-af',
    `pan=mono|c0=c0,aformat=sample_fmts=flt:sample_rates=${VOICE_RATE}`,
    '-f',
    'f32le',
    'pipe:1',
  ]);
}

function maxDifference(a: Float32Array, b: Float32Array, from: number, to: number): number {
  let max = 0;
  for (let i = at(from); i < at(to); i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

function rms(s: Float32Array, from = 0, to = s.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += s[i] * s[i];
  return Math.sqrt(sum / Math.max(1, to - from));
}
const db = (ratio: number) => 20 * Math.log10(ratio);
const at = (seconds: number) => Math.round(seconds * VOICE_RATE);

/** Energy of a − b (− c) over [from, to) seconds. */
function residual(a: Float32Array, b: Float32Array, from: number, to: number, c?: Float32Array, cOffset = 0): number {
  let sum = 0;
  for (let i = at(from); i < at(to); i++) {
    const v = a[i] - b[i] - (c ? (c[i - cOffset] ?? 0) : 0);
    sum += v * v;
  }
  return Math.sqrt(sum / (at(to) - at(from)));
}

describe('voice: fitting and mixing', async () => {
  const { ffmpeg, ffprobe } = await locateFfmpeg();
  const dir = await tempDir('talecast-voice-');
  after(() => dir.cleanup());
  const file = (name: string) => path.join(dir.path, name);
  const slot = { from: 3.2, to: 6.0 };

  before(async () => {
    // The child: 3.5 s of reading (raised pitch); the story: music (two tones, stereo) + the hero's
    // original voice in the slot; the stem is that voice alone.
    const audio = await makeVoicedAudio(dir.path, { seconds: 10, slot, childSpeechSeconds: 3.5 });
    assert.deepEqual(audio, { music: file('music.wav'), stem: file('stem.wav'), story: file('story.m4a'), child: file('child.wav') });
  });

  test('a 3.5 s reading fitted to a 2.8 s slot is 2.8 s ± 20 ms at the target loudness ± 1 LU, and fills the slot', async () => {
    const fitted = await fitRecording({ ffmpeg, input: file('child.wav'), slotSeconds: 2.8, targetLufs: -18 });
    await fs.writeFile(file('fitted.wav'), fitted.wav);
    const info = await probeMedia(ffprobe, file('fitted.wav'));
    assert.ok(Math.abs(info.durationSeconds - 2.8) <= 0.02, `duration ${info.durationSeconds}`);
    assert.ok(fitted.tempo > 1.2 && fitted.tempo < 1.35, `tempo ${fitted.tempo}`);
    const loudness = await ebur128(ffmpeg, file('fitted.wav'));
    assert.ok(Math.abs(loudness + 18) <= 1, `loudness ${loudness}`);
    // The speech was stretched into the slot, not cut off or left short.
    const a = analyseRecording(fitted.samples, VOICE_RATE);
    assert.ok(a.voiceStart < 0.1 && a.voiceEnd > 2.7, `voice ${a.voiceStart}..${a.voiceEnd}`);
  });

  test('silence, non-audio, clipped, too long, and a reading far too long for the slot are refused with their reason', async () => {
    await runFfmpeg(ffmpeg, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'anoisesrc=color=pink:amplitude=0.001:duration=3',
      file('silence.wav'),
    ]);
    await fs.writeFile(file('photo.webm'), Buffer.from('<html>not audio at all</html>'));
    await runFfmpeg(ffmpeg, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=300:duration=3',
      '-af',
      'volume=20,alimiter=limit=1:level=false,volume=1',
      '-c:a',
      'pcm_s16le',
      file('clipped.wav'),
    ]);
    await runFfmpeg(ffmpeg, [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=300:duration=31',
      '-af',
      'volume=0.3',
      '-c:a',
      'libopus',
      file('long.ogg'),
    ]);
    const reason = async (input: string, slotSeconds = 2.8) => {
      try {
        await fitRecording({ ffmpeg, input: file(input), slotSeconds, targetLufs: -18 });
        return 'accepted';
      } catch (err) {
        assert.ok(err instanceof TalecastError, String(err));
        assert.equal(err.status, 422);
        return err.code;
      }
    };
    assert.equal(await reason('silence.wav'), 'ONLY_SILENCE');
    assert.equal(await reason('photo.webm'), 'NOT_AUDIO');
    assert.equal(await reason('clipped.wav'), 'RECORDING_CLIPPED');
    assert.equal(await reason('long.ogg'), 'RECORDING_TOO_LONG');
    assert.equal(await reason('child.wav', 2.0), 'READ_FASTER');
    assert.equal(await reason('child.wav', 6.0), 'READ_SLOWER');
  });

  test("with a stem: inside the slot the hero's voice is replaced by the child's, outside the story is unchanged", async () => {
    const fitted = await fitRecording({ ffmpeg, input: file('child.wav'), slotSeconds: slot.to - slot.from, targetLufs: -20 });
    await fs.writeFile(file('line.wav'), fitted.wav);
    const plan = {
      story: file('story.m4a'),
      channels: 2,
      stems: [{ role: 'hero', file: file('stem.wav') }],
      lines: [{ file: file('line.wav'), role: 'hero', ...slot }],
    };
    assert.deepEqual(await mixStoryAudio({ ffmpeg, ffprobe }, { ...plan, out: file('mix.m4a') }), { spliced: true });
    assert.deepEqual(await mixStoryAudio({ ffmpeg, ffprobe }, { ...plan, out: file('mix-whole.m4a') }, { whole: true }), { spliced: false });
    const [story, mix, whole, music] = await Promise.all(['story.m4a', 'mix.m4a', 'mix-whole.m4a', 'music.wav'].map((f) => left(ffmpeg, file(f))));
    for (const m of [mix, whole]) {
      assert.ok(Math.abs(m.length - story.length) < 2048, `${m.length} vs ${story.length}`);
      const storyLevel = rms(story);
      // Outside the slot: only the AAC re-encoding differs.
      const before = residual(m, story, 0, slot.from - 0.01);
      const afterSlot = residual(m, story, slot.to + 0.01, 9.9);
      assert.ok(db(before / storyLevel) < -30 && db(afterSlot / storyLevel) < -30, `outside: ${db(before / storyLevel)}, ${db(afterSlot / storyLevel)} dB`);
      // Inside: mix ≈ music + the child's line; the hero's voice is gone.
      const inside = residual(m, music, slot.from + 0.05, slot.to - 0.05, fitted.samples, at(slot.from));
      const heroVoice = residual(story, music, slot.from + 0.05, slot.to - 0.05);
      assert.ok(db(inside / heroVoice) < -15, `left of the hero's voice: ${db(inside / heroVoice)} dB`);
    }
    // Mixed in place: the story's own frames before the re-encoded stretch (sample for sample) and
    // after it (its decoding there differs less than the whole mix's re-encoding does: −57 vs −50 dB).
    assert.equal(maxDifference(mix, story, 0, slot.from - 0.15), 0, 'before the stretch the story is untouched');
    const after = (m: Float32Array) => db(residual(m, story, slot.to + 0.2, 9.9) / rms(story));
    assert.ok(after(mix) < -50 && after(mix) < after(whole), `after the stretch: ${after(mix)} dB in place, ${after(whole)} dB whole`);
    // ...and in the stretch, the same mix as the whole story's, but for the AAC encoding (seams included).
    assert.ok(
      db(residual(mix, whole, slot.from - 0.2, slot.to + 0.2) / rms(story)) < -30,
      `in place vs whole: ${db(residual(mix, whole, slot.from - 0.2, slot.to + 0.2) / rms(story))} dB`,
    );
  });

  test("without a stem: the story is ducked under the child's line, unchanged before it and after the release", async () => {
    await mixStoryAudio(
      { ffmpeg, ffprobe },
      {
        story: file('story.m4a'),
        channels: 2,
        stems: [],
        lines: [{ file: file('line.wav'), role: 'hero', ...slot }],
        out: file('ducked.m4a'),
      },
    );
    const [story, mix, line] = await Promise.all(['story.m4a', 'ducked.m4a', 'line.wav'].map((f) => left(ffmpeg, file(f))));
    const storyLevel = rms(story);
    assert.ok(db(residual(mix, story, 0, slot.from - 0.01) / storyLevel) < -30);
    assert.ok(db(residual(mix, story, slot.to + 1.5, 9.9) / storyLevel) < -30);
    // Inside: what is left once the child's line is taken away is the story, at least 6 dB down.
    const remaining = residual(mix, new Float32Array(mix.length), slot.from + 0.3, slot.to - 0.1, line, at(slot.from));
    const original = rms(story, at(slot.from + 0.3), at(slot.to - 0.1));
    assert.ok(db(remaining / original) < -6, `ducked by ${db(remaining / original)} dB`);
  });
});
