import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { adtsCopyArgs, adtsToMp4Args, decodeMonoArgs, fitFilter, slotWeightExpression, voiceMixArgs, voiceMixFilter, windowMixArgs } from './voice-ffmpeg-args';

describe('voice ffmpeg arguments', () => {
  test('decoding: mono float at 48 kHz on stdout, bounded length', () => {
    const a = decodeMonoArgs('/x/in.webm', 30.5);
    assert.deepEqual(a.slice(a.indexOf('-t'), a.indexOf('-t') + 2), ['-t', '30.500']);
    assert.ok(a.includes('f32le') && a.at(-1) === 'pipe:1');
  });

  test('fitting: trim, light denoise, formant-preserving stretch', () => {
    const f = fitFilter({ start: 0.5, end: 4, tempo: 1.25, denoise: true });
    assert.match(f, /atrim=start=0\.5000:end=4\.0000/);
    assert.match(f, /afftdn=nr=10/);
    assert.match(f, /rubberband=tempo=1\.25000:formant=preserved/);
    assert.doesNotMatch(fitFilter({ start: 0, end: 1, tempo: 1, denoise: false }), /rubberband|afftdn/);
  });

  test('slot weight: ramps inside each slot', () => {
    assert.equal(slotWeightExpression([{ from: 1, to: 2 }], 0.05), 'clip((t-1.0000)/0.0500,0,1)*clip((2.0000-t)/0.0500,0,1)');
    assert.equal(slotWeightExpression([], 0.05), '0');
  });

  test('with a stem: the stem is subtracted in the slots and the lines delayed to their slots', () => {
    const g = voiceMixFilter({
      story: 's.m4a',
      channels: 2,
      stems: [{ role: 'hero', file: 'hero.wav' }],
      lines: [
        { file: 'a.wav', from: 3.2, to: 5, role: 'hero' },
        { file: 'b.wav', from: 7, to: 8, role: 'hero' },
      ],
      out: 'o.m4a',
    });
    assert.match(g, /\[2:a\][^;]*adelay=delays=3200:all=1\[l0\]/);
    assert.match(g, /\[3:a\][^;]*adelay=delays=7000:all=1\[l1\]/);
    assert.match(g, /\[1:a\][^;]*volume=volume='-\(clip\(\(t-3\.2000\)[^;]*\+clip\(\(t-7\.0000\)/);
    assert.match(g, /\[story\]\[minus0\]\[l0\]\[l1\]amix=inputs=4:normalize=0:duration=first\[mix\]/);
    assert.doesNotMatch(g, /sidechaincompress/);
  });

  test('a stem is only taken out in the slots of its own role; other roles duck', () => {
    const g = voiceMixFilter({
      story: 's.m4a',
      channels: 2,
      stems: [{ role: 'hero', file: 'hero.wav' }],
      lines: [
        { file: 'a.wav', from: 1, to: 2, role: 'hero' },
        { file: 'b.wav', from: 4, to: 5, role: 'friend' },
      ],
      out: 'o.m4a',
    });
    assert.doesNotMatch(g, /clip\(\(t-4/);
    assert.match(g, /\[3:a\][^;]*asplit=2\[l1\]\[k1\]/);
    assert.match(g, /\[ducked\]\[minus0\]\[l0\]\[l1\]amix=inputs=4/);
  });

  test('without a stem: the story is ducked by the child voice (side-chain)', () => {
    const plan = { story: 's.m4a', channels: 1, stems: [], lines: [{ file: 'a.wav', from: 1, to: 2, role: 'hero' }], out: 'o.m4a' };
    const g = voiceMixFilter(plan);
    assert.match(g, /\[k0\]apad\[key\]/);
    assert.match(g, /\[story\]\[key\]sidechaincompress[^;]*\[ducked\];\[ducked\]\[l0\]amix=inputs=2/);
    assert.doesNotMatch(g, /pan=stereo/);
    const args = voiceMixArgs(plan);
    assert.deepEqual(
      args.filter((_, i) => args[i - 1] === '-i'),
      ['s.m4a', 'a.wav'],
    );
    assert.equal(args.at(-1), 'o.m4a');
  });

  test('mixing in place: the frames copied out, one stretch mixed and encoded alone, the frames back into MP4', () => {
    assert.deepEqual(adtsCopyArgs('/s/audio.m4a', '/r/f.aac').slice(-5), ['-c:a', 'copy', '-f', 'adts', '/r/f.aac']);
    const plan = {
      story: '/s/audio.m4a',
      channels: 2,
      stems: [{ role: 'hero', file: '/s/hero.wav' }],
      lines: [{ file: '/r/l.wav', from: 3.2, to: 6, role: 'hero' }],
      out: '',
    };
    const args = windowMixArgs(plan, [{ start: 149504, end: 292864, out: '/r/w.aac' }], 160123);
    // The story and the stem are read up to the stretch's end (6.101 s) plus a quarter second; the line whole.
    assert.deepEqual(args.slice(args.indexOf('-t'), args.indexOf('-t') + 4), ['-t', '6.3513', '-i', '/s/audio.m4a']);
    assert.deepEqual(args.slice(args.lastIndexOf('-t'), args.lastIndexOf('-t') + 6), ['-t', '6.3513', '-i', '/s/hero.wav', '-i', '/r/l.wav']);
    const graph = args[args.indexOf('-filter_complex') + 1];
    assert.ok(graph.startsWith(voiceMixFilter(plan)));
    assert.ok(graph.endsWith(';[mix]atrim=start_sample=149504:end_sample=292864,asetpts=PTS-STARTPTS[window0]'));
    assert.deepEqual(args.slice(-11, -1), ['-map', '[window0]', '-c:a', 'aac', '-b:a', '160123', '-ar', '48000', '-f', 'adts']);
    assert.equal(args.at(-1), '/r/w.aac');
    // Two stretches: one decoding, the mix split in two, each stretch into its own file.
    const two = windowMixArgs(
      plan,
      [
        { start: 149504, end: 292864, out: '/r/w0.aac' },
        { start: 500736, end: 600064, out: '/r/w1.aac' },
      ],
      160123,
    );
    const graph2 = two[two.indexOf('-filter_complex') + 1];
    assert.ok(
      graph2.includes(
        ';[mix]asplit=2[mix0][mix1];[mix0]atrim=start_sample=149504:end_sample=292864,asetpts=PTS-STARTPTS[window0];[mix1]atrim=start_sample=500736:',
      ),
    );
    assert.deepEqual(
      two.filter((a) => a.startsWith('/r/w')),
      ['/r/w0.aac', '/r/w1.aac'],
    );
    assert.equal(two[two.indexOf('-t') + 1], (600064 / 48000 + 0.25).toFixed(4));
    const mux = adtsToMp4Args('/r/m.aac', -1024 / 48000, '/r/audio.m4a');
    assert.deepEqual(mux.slice(mux.indexOf('-itsoffset'), mux.indexOf('-itsoffset') + 4), ['-itsoffset', '-0.021333', '-i', '/r/m.aac']);
    assert.deepEqual(mux.slice(-7), ['-c:a', 'copy', '-movflags', '+faststart', '-f', 'mp4', '/r/audio.m4a']);
  });
});
