import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeMonoArgs, fitFilter, slotWeightExpression, voiceMixArgs, voiceMixFilter } from './voice-ffmpeg-args';

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
});
