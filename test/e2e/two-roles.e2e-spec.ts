// Two children, two roles, end to end through the real server: the animated tale (hero + friend)
// is precomputed by the CLI, two photos are uploaded, one render puts child A on the hero and
// child B on the friend; in every output frame where the generator's truth shows a character's
// face (turned ≤ 35°, not behind the branch, large enough to tell who it is), the face found at
// that character's place is that role's child — closer to its own child than to the other one.
// Only frames where the precompute has that character are judged (elsewhere the drawn face stays).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { DetectedFace, descriptorDistance, FaceDetector, loadFaceModels, LoadedFaceModels, samplePhotoDirectory } from '@talecast/face';
import { TaleTruth } from '@talecast/fixtures';
import { locateFfmpeg, startFfmpeg } from '@talecast/video';
import { ApiProcess, CLI_MAIN, createTestDatabase, runNode, sharedTale, startApi, TestDatabase, tempDir } from '@talecast/testing';
import { loadConfig } from '@talecast/config';
import { loadStory } from '@talecast/render';
import { StorageCore } from '@talecast/storage';
import { identityDescriptor } from '../../eval/identity-descriptor';
import { sharp } from '@talecast/face/sharp-image';

/** face-api's own threshold: descriptors nearer than this are the same person. */
const SAME_PERSON = 0.6;
const CHILDREN = { hero: 'sample1.jpg', friend: 'sample6.jpg' } as const;

async function uploadFace(api: ApiProcess, sample: string): Promise<string> {
  const form = new FormData();
  form.append('photo', new Blob([new Uint8Array(await fs.readFile(path.join(samplePhotoDirectory(), sample)))]), sample);
  const res = await fetch(`${api.url}/api/faces`, { method: 'POST', body: form });
  const body = await res.json();
  assert.equal(res.status, 201, JSON.stringify(body));
  return body.id;
}

async function photoDescriptor(models: LoadedFaceModels, detector: FaceDetector, sample: string): Promise<Float32Array> {
  const { data, info } = await sharp(path.join(samplePhotoDirectory(), sample)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const image = { data: new Uint8Array(data), width: info.width, height: info.height };
  const [face] = await detector.detectAll(image);
  assert.ok(face, `a face in ${sample}`);
  return identityDescriptor(models, image, face.landmarks);
}

/** Every frame of a video as RGB, in order. */
async function* frames(video: string, width: number, height: number): AsyncGenerator<Uint8Array> {
  const { ffmpeg } = await locateFfmpeg();
  const run = startFfmpeg(ffmpeg, ['-hide_banner', '-loglevel', 'error', '-i', video, '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { stdout: true });
  const size = width * height * 3;
  let buf: Buffer = Buffer.alloc(0);
  for await (const chunk of run.child.stdout! as AsyncIterable<Buffer>) {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    while (buf.length >= size) {
      yield new Uint8Array(buf.subarray(0, size));
      buf = buf.subarray(size);
    }
  }
  await run.done;
}

describe('a render with two faces, one per role (hero and friend of the animated tale)', async () => {
  const dir = await tempDir();
  const tale = await sharedTale(8, { width: 960, height: 540 });
  const truth: TaleTruth = JSON.parse(await fs.readFile(tale.groundTruth, 'utf8'));
  let db: TestDatabase;
  let api: ApiProcess;

  before(async () => {
    db = await createTestDatabase(false);
    const env = { TALECAST_DATA_DIR: dir.path, DATABASE_URL: db.url };
    const pre = await runNode(
      CLI_MAIN,
      ['precompute', '--story', 'golden-key', '--video', tale.video, '--masks', tale.masks, '--title', 'The Golden Key'],
      env,
      600_000,
    );
    assert.equal(pre.code, 0, pre.output);
    api = await startApi(env);
  });
  after(async () => {
    await api?.stop();
    await db?.drop();
    await dir.cleanup();
  });

  test('each child is on its own character in every frame where that character shows its face', async () => {
    const ids = { hero: await uploadFace(api, CHILDREN.hero), friend: await uploadFace(api, CHILDREN.friend) };
    const created = await fetch(`${api.url}/api/renders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ storyId: 'golden-key', faces: { hero: [ids.hero], friend: [ids.friend] } }),
    });
    const render = await created.json();
    assert.equal(created.status, 202, JSON.stringify(render));
    let status: { status?: string; videoUrl?: string } = {};
    for (const started = Date.now(); Date.now() - started < 600_000;) {
      status = await (await fetch(`${api.url}/api/renders/${render.id}`)).json();
      if (status.status === 'done' || status.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    assert.equal(status.status, 'done', JSON.stringify(status));
    const out = path.join(dir.path, 'two-roles.mp4');
    await fs.writeFile(out, Buffer.from(await (await fetch(`${api.url}${status.videoUrl!}?download=1`)).arrayBuffer()));

    const models = await loadFaceModels('wasm');
    const detector = new FaceDetector(models);
    const child = { hero: await photoDescriptor(models, detector, CHILDREN.hero), friend: await photoDescriptor(models, detector, CHILDREN.friend) };
    assert.ok(descriptorDistance(child.hero, child.friend) > 0.5, 'the two children are different people');

    // Where the precompute has a character, the render puts that role's child there; frames the
    // precompute missed keep the drawn face (a coverage matter, measured by the eval) and are skipped.
    const { frames: data } = await loadStory(new StorageCore(loadConfig({ ...process.env, TALECAST_DATA_DIR: dir.path }).roots), 'golden-key');
    const present = (role: 'hero' | 'friend', i: number) => data.present(data.roleIndex(role), i);
    const checked = { hero: 0, friend: 0 };
    const found = { hero: 0, friend: 0 };
    const ownNearer = { hero: 0, friend: 0 };
    const wrong: string[] = [];
    let i = 0;
    for await (const data of frames(out, truth.width, truth.height)) {
      const f = truth.frames[i];
      const wanted = (['hero', 'friend'] as const).filter((role) => {
        const r = f.roles[role];
        return r && r.visible && r.occluded === 0 && Math.abs(r.yaw) <= 35 && r.interOcular >= 24 && present(role, i);
      });
      if (wanted.length > 0) {
        const image = { data, width: truth.width, height: truth.height };
        const faces: DetectedFace[] = await detector.detectAll(image, { minConfidence: 0.3 });
        for (const role of wanted) {
          const r = f.roles[role]!;
          checked[role]++;
          const near = faces.find((d) => Math.hypot(d.landmarks[60] - r.landmarks[60], d.landmarks[61] - r.landmarks[61]) < 0.8 * r.interOcular);
          if (!near) continue;
          found[role]++;
          const desc = await identityDescriptor(models, image, near.landmarks);
          const own = descriptorDistance(desc, child[role]);
          const other = descriptorDistance(desc, child[role === 'hero' ? 'friend' : 'hero']);
          // A swap: the face is recognisably the other child (within the identity threshold) and nearer to it.
          if (other < SAME_PERSON && other < own) wrong.push(`frame ${i} ${role}: own child ${own.toFixed(2)}, other child ${other.toFixed(2)}`);
          if (own < other) ownNearer[role]++;
        }
      }
      i++;
    }
    assert.equal(i, truth.frameCount, 'the render has every frame');
    assert.ok(checked.hero >= 30 && checked.friend >= 15, `frames checked: ${JSON.stringify(checked)}`);
    assert.deepEqual(wrong, [], 'a face on the wrong character');
    // A face is found (and so judged) at the character's place in nearly every checked frame.
    assert.ok(found.hero / checked.hero >= 0.9, `hero found ${found.hero}/${checked.hero}`);
    assert.ok(found.friend / checked.friend >= 0.9, `friend found ${found.friend}/${checked.friend}`);
    // And the face found there is nearer to its own child than to the other in nearly every frame
    // (a turned head can leave a frame ambiguous; it must never be the other child, checked above).
    assert.ok(ownNearer.hero / found.hero >= 0.9, `hero nearer its own child in ${ownNearer.hero}/${found.hero}`);
    assert.ok(ownNearer.friend / found.friend >= 0.9, `friend nearer its own child in ${ownNearer.friend}/${found.friend}`);
  });
});
