import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { audioStartArgs, toAudioStart } from './audio-start';

describe('where an AAC track starts', () => {
  test('two packets of the first audio stream, with its parameters', () => {
    const args = audioStartArgs('/s/audio.m4a');
    assert.deepEqual(args.slice(args.indexOf('-select_streams'), args.indexOf('-select_streams') + 4), ['-select_streams', 'a:0', '-read_intervals', '%+#2']);
    assert.equal(args.at(-1), '/s/audio.m4a');
  });

  test("the first packet's time in samples: ffmpeg's priming of 1024 in a 1/48000 time base, or another time base", () => {
    const stream = { codec_name: 'aac', profile: 'LC', sample_rate: '48000', channels: 2, bit_rate: '160123', time_base: '1/48000' };
    assert.deepEqual(toAudioStart({ streams: [stream], packets: [{ pts: -1024 }, { pts: 0 }] }), {
      codec: 'aac',
      profile: 'LC',
      sampleRate: 48000,
      channels: 2,
      bitRate: 160123,
      firstPts: -1024,
    });
    assert.equal(toAudioStart({ streams: [{ ...stream, time_base: '1/90000' }], packets: [{ pts: -3960 }] })?.firstPts, -2112);
  });

  test('no audio stream or no packet: null', () => {
    assert.equal(toAudioStart({ streams: [], packets: [] }), null);
    assert.equal(toAudioStart({ streams: [{ codec_name: 'aac', sample_rate: '48000', time_base: '1/48000' }], packets: [] }), null);
  });
});
