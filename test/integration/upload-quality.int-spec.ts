// Upload checks on real photos through the real models: face-api's sample photos and images
// derived from them (one side darkened, eyes covered by dark ellipses, the face scaled down into a
// large picture, a woman looking down). Each is refused with the reason a parent understands and
// a hint; the parent can still pick another face in the same photo.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { sharp } from '@talecast/face/sharp-image';
import { FaceDetector, loadFaceModels, samplePhotoDirectory } from '@talecast/face';
import { analysePhoto, PhotoAnalysis } from '../../libs/face-upload/src/photo-analysis';
import { decodePhoto, workingCopy } from '../../libs/face-upload/src/image-intake';

type Raw = { data: Uint8Array; width: number; height: number };

async function rawOf(file: string, crop?: { left: number; top: number; width: number; height: number }): Promise<Raw> {
  let img = sharp(await fs.readFile(file)).removeAlpha();
  if (crop) img = img.extract(crop);
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

const jpeg = (r: Raw) =>
  sharp(Buffer.from(r.data), { raw: { width: r.width, height: r.height, channels: 3 } })
    .jpeg({ quality: 92 })
    .toBuffer();

describe('upload checks on real photos', async () => {
  const detector = new FaceDetector(await loadFaceModels('wasm'));
  const photos = samplePhotoDirectory();
  const analyse = async (image: Buffer, faceIndex?: number): Promise<PhotoAnalysis> => {
    const decoded = await decodePhoto(image, 50_000_000);
    const working = await workingCopy(decoded, 1280);
    return analysePhoto(detector, { photo: { data: decoded.data, width: decoded.width, height: decoded.height }, working, faceIndex });
  };
  // A portrait of one face from sample1.jpg (its face at 414,355 177×240; eyes near (439,457), (512,458)).
  let portrait: Raw;
  before(async () => {
    portrait = await rawOf(path.join(photos, 'sample1.jpg'), { left: 230, top: 200, width: 500, height: 560 });
  });
  const refused = (r: PhotoAnalysis, code: string) => {
    assert.equal(r.ok, false, `expected ${code}, the photo was accepted`);
    if (r.ok) return;
    assert.equal(r.code, code, r.message);
    assert.ok(r.hint && r.hint.length > 10, `${code} has a hint`);
    assert.ok(!/[A-Z_]{5,}/.test(r.message), `the message is words, not codes: ${r.message}`);
  };

  test('the portrait itself is accepted', async () => {
    const r = await analyse(await jpeg(portrait));
    assert.ok(r.ok, r.ok ? '' : `${r.code}: ${r.message}`);
  });

  test('strong side light: one half of the face darkened to a quarter', async () => {
    const dark = { ...portrait, data: portrait.data.slice() };
    const noseX = 458 - 230;
    for (let y = 0; y < dark.height; y++) for (let x = noseX; x < dark.width; x++) for (let c = 0; c < 3; c++) dark.data[(y * dark.width + x) * 3 + c] *= 0.25;
    refused(await analyse(await jpeg(dark)), 'SIDE_LIGHT');
  });

  test('sunglasses: both eyes covered by dark ellipses', async () => {
    const glasses = { ...portrait, data: portrait.data.slice() };
    for (const [ex, ey] of [
      [439 - 230, 457 - 200],
      [512 - 230, 458 - 200],
    ]) {
      for (let y = ey - 16; y <= ey + 16; y++)
        for (let x = ex - 24; x <= ex + 24; x++) {
          if (((x - ex) / 24) ** 2 + ((y - ey) / 16) ** 2 <= 1) glasses.data.fill(18, (y * glasses.width + x) * 3, (y * glasses.width + x) * 3 + 3);
        }
    }
    refused(await analyse(await jpeg(glasses)), 'SUNGLASSES');
  });

  test('a face too small is FACE_TOO_SMALL, not NO_FACE (the face scaled to a sixth in a large picture)', async () => {
    const small = await sharp(await jpeg(portrait))
      .resize({ width: Math.round(portrait.width / 6) })
      .toBuffer();
    const big = await sharp({ create: { width: 1280, height: 960, channels: 3, background: { r: 120, g: 130, b: 125 } } })
      .composite([{ input: small, left: 600, top: 400 }])
      .jpeg()
      .toBuffer();
    refused(await analyse(big), 'FACE_TOO_SMALL');
    const empty = await sharp({ create: { width: 1280, height: 960, channels: 3, background: { r: 120, g: 130, b: 125 } } })
      .jpeg()
      .toBuffer();
    refused(await analyse(empty), 'NO_FACE');
  });

  test('eyes looking down are refused; the parent can pick another face in the same photo', async () => {
    const group = await fs.readFile(path.join(photos, 'sample2.jpg'));
    const all = await analyse(group);
    assert.ok(all.ok, 'the largest usable face is chosen by default');
    if (!all.ok) return;
    const down = all.candidates.find((c) => c.findings.some((q) => q.code === 'EYES_CLOSED'));
    assert.ok(down, `the woman looking down is found and judged: ${JSON.stringify(all.candidates.map((c) => c.findings.map((q) => q.code)))}`);
    assert.ok(!down.usable);
    const picked = await analyse(group, down.index);
    refused(picked, 'EYES_CLOSED');
    if (picked.ok) return;
    const faces = picked.details!.faces as { index: number; usable: boolean }[];
    assert.ok(
      faces.some((f) => f.usable && f.index !== down.index),
      'the refusal lists the other, usable faces',
    );
    const other = await analyse(group, faces.find((f) => f.usable)!.index);
    assert.ok(other.ok, 'another face of the same photo is accepted');
  });
});
