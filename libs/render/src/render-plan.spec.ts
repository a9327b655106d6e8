import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXPRESSION_LABELS } from '@talecast/face';
import { FRAME_FIELDS, FrameData, MANIFEST_VERSION, RECORD_FLOATS, StoryManifest } from '@talecast/precompute';
import { planRender, RenderFace } from './render-plan';

// A 40-frame story in four 10-frame segments: 0 has no face; 1 shows the hero (sad) throughout;
// 2 shows the villain on frames 22..27; 3 is marked as having a face but none was tracked.
const FRAMES = 40;
const ROLES = ['hero', 'villain'];

function story(): { manifest: StoryManifest; frames: FrameData } {
  const segments = [0, 1, 2, 3].map((k) => ({
    index: k,
    start: k * 10,
    end: k * 10 + 10,
    hasFace: k > 0,
    file: `media/seg-${k}.mp4`,
    hlsFile: `media/seg-${k}.ts`,
    bytes: 0,
  }));
  const manifest: StoryManifest = {
    version: MANIFEST_VERSION,
    story: { id: 'plan', title: 'plan', style: 'photo' },
    video: { width: 100, height: 100, fps: 10, fpsNum: 10, fpsDen: 1, frameCount: FRAMES, durationSeconds: 4, matrix: 'bt601', range: 'tv' },
    audio: null,
    encoder: { preset: 'veryfast', crf: 20, profile: 'high', pixelFormat: 'yuv420p' },
    roles: ROLES.map((name) => ({ name, faceFrames: 0, occluders: [] })),
    cuts: [],
    segments,
    frameData: { file: 'frames.bin', recordFloats: RECORD_FLOATS, fields: FRAME_FIELDS, roles: ROLES },
    thumbnail: 'thumbnail.jpg',
    createdAt: '2026-01-01T00:00:00.000Z',
    warnings: [],
  };
  const records = new Float32Array(ROLES.length * FRAMES * RECORD_FLOATS);
  const present = (role: number, frame: number, expression: string, landmarkValue: number) => {
    const o = (role * FRAMES + frame) * RECORD_FLOATS;
    records[o + FRAME_FIELDS.present[0]] = 1;
    records.fill(landmarkValue, o + FRAME_FIELDS.landmarks[0], o + FRAME_FIELDS.landmarks[0] + FRAME_FIELDS.landmarks[1]);
    records[o + FRAME_FIELDS.expressions[0] + EXPRESSION_LABELS.indexOf(expression as never)] = 1;
  };
  for (let f = 10; f < 20; f++) present(0, f, 'sad', f);
  for (let f = 22; f < 28; f++) present(1, f, 'angry', f);
  return { manifest, frames: new FrameData(manifest, records) };
}

function face(id: string, expression: string): RenderFace {
  return { id, size: 8, rgba: new Uint8Array(8 * 8 * 4), landmarks: new Float32Array(136), expressionScores: { [expression]: 1 }, yaw: 0 };
}

const FACES = { hero: [face('h-happy', 'happy'), face('h-sad', 'sad')], villain: [face('v', 'angry')], ghost: [face('g', 'neutral')] };

test("planRender: one face list for the story's roles only, sets pointing into it", () => {
  const { manifest, frames } = story();
  const plan = planRender(manifest, frames, FACES, { lanes: 2, maxRunFrames: 600, alreadyRendered: new Set() });
  assert.deepEqual(
    plan.faces.faceList.map((f) => f.key),
    ['h-happy', 'h-sad', 'v'],
  );
  assert.deepEqual(
    plan.faces.sets.map((s) => [s.role, s.faceListIndex]),
    [
      ['hero', [0, 1]],
      ['villain', [2]],
    ],
  );
});

test('planRender: face-free segments are reused, face segments rendered, existing ones resumed', () => {
  const { manifest, frames } = story();
  const fresh = planRender(manifest, frames, FACES, { lanes: 2, maxRunFrames: 600, alreadyRendered: new Set() });
  assert.deepEqual(
    fresh.segments.map((s) => s.kind),
    ['reuse', 'render', 'render', 'reuse'],
  );
  const again = planRender(manifest, frames, FACES, { lanes: 2, maxRunFrames: 600, alreadyRendered: new Set([2]) });
  assert.deepEqual(
    again.segments.map((s) => s.kind),
    ['reuse', 'render', 'resume', 'reuse'],
  );
  assert.deepEqual(
    again.runs.map((r) => r.segments.map((s) => s.k)),
    [[1]],
  );
});

test("planRender: each run carries only the faces it uses, the face matching the frames' expression", () => {
  const { manifest, frames } = story();
  const plan = planRender(manifest, frames, FACES, { lanes: 2, maxRunFrames: 600, alreadyRendered: new Set() });
  assert.deepEqual(
    plan.runs.map((r) => r.segments.map((s) => s.k)),
    [[1], [2]],
  );
  const [heroRun, villainRun] = plan.runs;
  assert.deepEqual(
    heroRun.faces.map((f) => f.key),
    ['h-sad'],
  );
  const heroTrack = heroRun.segments[0].tracks;
  assert.deepEqual(
    heroTrack.map((t) => t.role),
    ['hero'],
  );
  assert.deepEqual([...heroTrack[0].faceIndex], new Array(10).fill(0));
  assert.equal(heroTrack[0].landmarks[3 * 136], 13, "frame 13's landmarks at the track's frame 3");
  assert.deepEqual(
    villainRun.faces.map((f) => f.key),
    ['v'],
  );
  assert.deepEqual([...villainRun.segments[0].tracks[0].faceIndex], [-1, -1, 0, 0, 0, 0, 0, 0, -1, -1]);
});

test('planRender: one lane and a small frame cap still give runs in story order under the cap', () => {
  const { manifest, frames } = story();
  const plan = planRender(manifest, frames, FACES, { lanes: 1, maxRunFrames: 10, alreadyRendered: new Set() });
  assert.deepEqual(
    plan.runs.map((r) => r.segments.map((s) => s.k)),
    [[1], [2]],
  );
  const wide = planRender(manifest, frames, FACES, { lanes: 1, maxRunFrames: 600, alreadyRendered: new Set() });
  assert.deepEqual(
    wide.runs.map((r) => r.segments.map((s) => s.k)),
    [[1, 2]],
  );
  assert.deepEqual(
    wide.runs[0].faces.map((f) => f.key),
    ['h-sad', 'v'],
  );
  assert.deepEqual(
    [...wide.runs[0].segments[1].tracks[0].faceIndex].filter((i) => i >= 0),
    new Array(6).fill(1),
  );
});

test('planRender: with a quick start, the first segment to render near the start is a run of its own', () => {
  const { manifest, frames } = story();
  const quick = planRender(manifest, frames, FACES, { lanes: 1, maxRunFrames: 600, alreadyRendered: new Set(), quickStartSeconds: 10 });
  assert.deepEqual(
    quick.runs.map((r) => r.segments.map((s) => s.k)),
    [[1], [2]],
  );
  // Segment 1 starts at 1 s: not within a 0.5 s quick start, so the runs are planned as usual.
  const late = planRender(manifest, frames, FACES, { lanes: 1, maxRunFrames: 600, alreadyRendered: new Set(), quickStartSeconds: 0.5 });
  assert.deepEqual(
    late.runs.map((r) => r.segments.map((s) => s.k)),
    [[1, 2]],
  );
  // A single segment to render is one run either way.
  const one = planRender(manifest, frames, FACES, { lanes: 1, maxRunFrames: 600, alreadyRendered: new Set([2]), quickStartSeconds: 10 });
  assert.deepEqual(
    one.runs.map((r) => r.segments.map((s) => s.k)),
    [[1]],
  );
});

test('planRender: the title card makes the segments it covers rendered (face-free ones too); the rest stay as they were', () => {
  const { manifest, frames } = story();
  // 12 frames of card: segment 0 (face-free, else reused) and segment 1 are drawn on; 3 stays reused.
  const card = planRender(manifest, frames, FACES, { lanes: 2, maxRunFrames: 600, alreadyRendered: new Set(), cardFrames: 12 });
  assert.deepEqual(
    card.segments.map((s) => s.kind),
    ['render', 'render', 'render', 'reuse'],
  );
  const first = card.segments[0];
  assert.ok(first.kind === 'render' && first.tracks.length === 0, 'segment 0 has no face to insert, only the card');
  assert.deepEqual(
    card.runs.flatMap((r) => r.segments.map((s) => s.k)),
    [0, 1, 2],
  );
  const none = planRender(manifest, frames, FACES, { lanes: 2, maxRunFrames: 600, alreadyRendered: new Set(), cardFrames: 0 });
  assert.deepEqual(
    none.segments.map((s) => s.kind),
    ['reuse', 'render', 'render', 'reuse'],
  );
});
