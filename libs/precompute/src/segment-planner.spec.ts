import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planSegments } from './segment-planner';

function presence(n: number, on: [number, number][]): Uint8Array {
  const p = new Uint8Array(n);
  for (const [a, b] of on) p.fill(1, a, b);
  return p;
}

describe('planSegments', () => {
  test('cuts at every shot boundary and face on/off boundary', () => {
    // 4 shots of 120 frames; face in shots 1, 3 and 4; in shot 3 the face leaves at frame 300.
    const segs = planSegments(
      presence(480, [
        [0, 120],
        [240, 300],
        [360, 480],
      ]),
      [120, 240, 360],
      { fps: 30, targetSeconds: 3 },
    );
    const starts = segs.map((s) => s.start);
    for (const cut of [120, 240, 360, 300]) assert.ok(starts.includes(cut), `a segment starts at ${cut}`);
    assert.equal(segs[0].start, 0);
    assert.equal(segs.at(-1)!.end, 480);
    for (let k = 1; k < segs.length; k++) assert.equal(segs[k].start, segs[k - 1].end, 'contiguous');
    for (const s of segs) {
      const inFace = s.start < 120 || (s.start >= 240 && s.start < 300) || s.start >= 360;
      assert.equal(s.hasFace, inFace, `segment ${s.start}-${s.end}`);
    }
  });

  test('splits long runs to about the target length', () => {
    const segs = planSegments(presence(900, [[0, 900]]), [], { fps: 30, targetSeconds: 3 });
    assert.equal(segs.length, 10);
    assert.ok(segs.every((s) => s.end - s.start === 90));
  });

  test('the first segment can be short (playback starts sooner); the rest of its run is split as usual', () => {
    const segs = planSegments(presence(300, [[0, 200]]), [150], { fps: 30, targetSeconds: 2, firstSeconds: 1 });
    assert.deepEqual(
      segs.map((s) => [s.start, s.end, s.hasFace]),
      [
        [0, 30, true],
        [30, 90, true],
        [90, 150, true],
        [150, 200, true],
        [200, 250, false],
        [250, 300, false],
      ],
    );
    // Too short a first run to split: left as it is.
    assert.equal(planSegments(presence(300, [[0, 40]]), [], { fps: 30, targetSeconds: 2, firstSeconds: 1 })[0].end, 40);
  });

  test('a face-free segment never holds a face frame; blips are merged', () => {
    const p = presence(300, [
      [0, 100],
      [103, 200],
      [250, 252],
    ]);
    const segs = planSegments(p, [], { fps: 30, minSeconds: 0.5 });
    for (const s of segs) {
      if (s.hasFace) continue;
      for (let i = s.start; i < s.end; i++) assert.equal(p[i], 0, `frame ${i} in face-free ${s.start}-${s.end}`);
    }
    assert.ok(!segs.some((s) => s.end - s.start < 15 && s.start !== 0), 'no tiny segments');
  });
});
