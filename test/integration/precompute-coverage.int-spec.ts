// Coverage on a real story: the generated "cutaways" fixture (variant b: 0.4 s and 0.5 s hero
// shots right after cuts, a cut from one hero shot straight into another, a fast head turn, the
// hero beside a distractor) precomputed with real ffmpeg and the real models. The hero must be
// found in ≥ 98% of the frames where it is visible, in every short shot, never on another face.
// The same run carries an extra role with authored keyframes over a shot without any face (a
// drawn face no detector finds): it must come out of the keyframes, with the skin colour measured
// under it. And the footage's style is proposed (photo) and kept in the manifest.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '@talecast/config';
import { interOcularDistance } from '@talecast/face';
import { estimateRoll } from '@talecast/geometry';
import { GroundTruth } from '@talecast/fixtures';
import { FrameData, precomputeStory, PrecomputeSummary } from '@talecast/precompute';
import { StorageCore } from '@talecast/storage';
import { locateFfmpeg } from '@talecast/video';
import { sharedFixture, tempDir } from '@talecast/testing';
import { COVERAGE_TARGET, formatCoverage, storyCoverage } from '../../eval/coverage-metric';

describe('precompute coverage on short shots, first frames after cuts and fast turns', async () => {
  const dir = await tempDir();
  const storage = new StorageCore(loadConfig({ TALECAST_DATA_DIR: dir.path }).roots);
  const fixture = await sharedFixture(10, 'b', 'cutaways');
  const truth: GroundTruth = JSON.parse(await fs.readFile(fixture.groundTruth, 'utf8'));
  // An empty shot (no face at all) gets a drawn role with keyframes: 1.5 s → 2.0 s in the pattern.
  const empty = truth.shots.find((s) => s.kind === 'empty')!;
  const from = empty.startFrame / truth.fps,
    to = empty.endFrame / truth.fps;
  const keyframes = [
    { t: from, centre: [0.7, 0.4], size: 0.05, roll: -10, mouthOpen: 0 },
    { t: (empty.endFrame - 1) / truth.fps, centre: [0.75, 0.45], size: 0.06, roll: 10, mouthOpen: 1, eyesOpen: 0.5 },
  ];
  let summary: PrecomputeSummary;
  let frames: FrameData;

  before(async () => {
    const masks = JSON.parse(await fs.readFile(fixture.masks, 'utf8'));
    masks.roles.drawn = { regions: [{ from, to, box: [0.56, 0, 1, 1] }], occluders: [], keyframes };
    const masksFile = path.join(dir.path, 'masks-with-drawn.json');
    await fs.writeFile(masksFile, JSON.stringify(masks));
    summary = await precomputeStory(
      { storyId: 'cutaways', video: fixture.video, masks: masksFile },
      { storage, ffmpeg: await locateFfmpeg(), threads: 2, faceBackend: 'wasm', encoder: { preset: 'veryfast', crf: 20, threads: 0, maxGopFrames: 120 } },
    );
    frames = FrameData.fromBuffer(summary.manifest, await fs.readFile(storage.storyFile('cutaways', 'frames.bin')));
  });
  after(() => dir.cleanup());

  test(`the hero is found in ≥ ${COVERAGE_TARGET * 100}% of its visible frames, in short shots and right after cuts, never on another face`, () => {
    const hero = frames.roleIndex('hero');
    const r = storyCoverage(
      truth,
      (i) => frames.present(hero, i),
      (i) => frames.field(hero, i, 'landmarks'),
      interOcularDistance,
    );
    const detail = `${formatCoverage(r)}; missed ${JSON.stringify(r.missedRuns)}`;
    assert.ok(r.shortShots.frames >= 90, 'the fixture has short shots');
    assert.ok(r.visible.share >= COVERAGE_TARGET, detail);
    assert.ok(r.shortShots.share >= COVERAGE_TARGET, detail);
    assert.ok(r.afterCuts.share >= 0.95, detail);
    assert.equal(r.wrongFace, 0, detail);
    assert.equal(r.falseFrames, 0, detail);
    // Every hero shot, however short, has the hero in nearly all its frames.
    for (const shot of truth.shots.filter((s) => s.kind !== 'empty')) {
      let found = 0;
      for (let i = shot.startFrame; i < shot.endFrame; i++) if (frames.present(hero, i)) found++;
      assert.ok(found >= (shot.endFrame - shot.startFrame) * 0.9, `shot ${shot.startFrame}..${shot.endFrame}: ${found} frames`);
    }
  });

  test('a role with keyframes over a faceless shot comes out of its keyframes, skin colour measured', () => {
    const drawn = frames.roleIndex('drawn');
    let n = 0;
    for (let i = empty.startFrame; i < empty.endFrame; i++) {
      assert.ok(frames.present(drawn, i), `frame ${i}`);
      n++;
    }
    assert.equal(summary.faceFrames.drawn, n, 'only where its region is');
    const W = summary.manifest.video.width;
    const first = frames.field(drawn, empty.startFrame, 'landmarks');
    const last = frames.field(drawn, empty.endFrame - 1, 'landmarks');
    assert.ok(Math.abs(interOcularDistance(first) - 0.05 * W) < 0.05 * W * 0.1, `first IOD ${interOcularDistance(first)}`);
    assert.ok(Math.abs(interOcularDistance(last) - 0.06 * W) < 0.06 * W * 0.1, `last IOD ${interOcularDistance(last)}`);
    assert.ok(Math.abs(estimateRoll(first) + 10) < 2 && Math.abs(estimateRoll(last) - 10) < 2, 'roll from the keyframes');
    assert.ok(
      frames.field(drawn, empty.endFrame - 1, 'mouthOpen')[0] > frames.field(drawn, empty.startFrame, 'mouthOpen')[0] + 0.2,
      'the mouth opens as keyed',
    );
    const lab = frames.field(drawn, empty.startFrame + 5, 'colourLab');
    assert.ok(lab[0] > 1, `skin colour measured from the frame under the keyed face (L ${lab[0]})`);
  });

  test('the style is proposed from the footage (photo) and recorded with its reason', () => {
    const story = summary.manifest.story;
    assert.equal(story.style, 'photo');
    assert.equal(story.styleSource, 'footage');
    assert.ok(story.styleProposal && story.styleProposal.samples >= 5, JSON.stringify(story.styleProposal));
    assert.ok(story.styleProposal!.edgeSparsity! < 17, JSON.stringify(story.styleProposal));
  });
});
