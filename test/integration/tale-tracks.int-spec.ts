// Each role's track stays on its own character (issue 18 item 6: "never put on the wrong
// character"). The animated tale (8 s, 960x540, hero + friend) is precomputed with real ffmpeg and
// the real models, and every frame where a role is recorded is checked against the generator's
// drawn truth: the recorded face must not sit on the other character. On the walk-out (frames
// 203–207) the hero's track, losing the hero's face at the picture's edge, moved onto the friend
// walking into the same place: the render then put the hero's child on the friend.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { loadConfig } from '@talecast/config';
import { TaleTruth } from '@talecast/fixtures';
import { FrameData, precomputeStory } from '@talecast/precompute';
import { StorageCore } from '@talecast/storage';
import { locateFfmpeg } from '@talecast/video';
import { sharedTale, tempDir } from '@talecast/testing';

const ROLES = ['hero', 'friend'] as const;
type Role = (typeof ROLES)[number];
/** A recorded nose this near (in the other character's eye distances) to the other's drawn nose is on the other's face. */
const ON_FACE = 0.6;
/** The other character counts when at least this share of its face is in the picture. */
const IN_PICTURE = 0.3;

/** Why a role's recorded face on frame i sits on the other character, or null when it does not. */
function onOtherCharacter(truth: TaleTruth, role: Role, i: number, nose: [number, number]): string | null {
  const f = truth.frames[i];
  const other = f.roles[role === 'hero' ? 'friend' : 'hero'];
  if (!other || other.inFrame < IN_PICTURE) return null;
  const own = f.roles[role];
  const dist = (lm: number[]) => Math.hypot(nose[0] - lm[60], nose[1] - lm[61]);
  const toOther = dist(other.landmarks);
  const toOwn = own ? dist(own.landmarks) : Infinity;
  if (toOther >= ON_FACE * other.interOcular || toOther >= toOwn) return null;
  const ownState = own ? `own face ${toOwn.toFixed(0)} px away, in picture ${own.inFrame.toFixed(2)}, visible ${own.visible}` : 'own character not in the shot';
  return `frame ${i} ${role}: on the other character (${toOther.toFixed(0)} px from its nose; ${ownState})`;
}

describe('two roles on the animated tale: each track stays on its own character', async () => {
  const dir = await tempDir();
  const storage = new StorageCore(loadConfig({ TALECAST_DATA_DIR: dir.path }).roots);
  const tale = await sharedTale(8, { width: 960, height: 540 });
  const truth: TaleTruth = JSON.parse(await fs.readFile(tale.groundTruth, 'utf8'));
  let frames: FrameData;

  before(async () => {
    const summary = await precomputeStory(
      { storyId: 'tale-tracks', video: tale.video, masks: tale.masks },
      { storage, ffmpeg: await locateFfmpeg(), threads: 2, faceBackend: 'wasm', encoder: { preset: 'veryfast', crf: 20, threads: 0, maxGopFrames: 120 } },
    );
    frames = FrameData.fromBuffer(summary.manifest, await fs.readFile(storage.storyFile('tale-tracks', 'frames.bin')));
  });
  after(() => dir.cleanup());

  test('no frame records a role on the other character (the hero leaving the picture is not followed onto the friend)', (t) => {
    const wrong: string[] = [];
    const recorded: Record<Role, number> = { hero: 0, friend: 0 };
    for (const role of ROLES) {
      const r = frames.roleIndex(role);
      for (let i = 0; i < truth.frameCount; i++) {
        if (!frames.present(r, i)) continue;
        recorded[role]++;
        const lm = frames.field(r, i, 'landmarks');
        const why = onOtherCharacter(truth, role, i, [lm[60], lm[61]]);
        if (why) wrong.push(why);
      }
    }
    t.diagnostic(`recorded frames: ${JSON.stringify(recorded)}`);
    assert.ok(recorded.hero >= 100 && recorded.friend >= 30, `the tale's characters were tracked: ${JSON.stringify(recorded)}`);
    assert.deepEqual(wrong, []);
  });
});
