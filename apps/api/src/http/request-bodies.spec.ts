import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TalecastError } from '@talecast/core';
import { parsePhotoUpload, parseRenderRequest } from './request-bodies';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof TalecastError ? err.code : 'OTHER';
  }
  return 'OK';
};

describe('parseRenderRequest', () => {
  test('a valid body, and the older faceIds form', () => {
    assert.deepEqual(parseRenderRequest(true, { storyId: 'tale', faces: { hero: ['a'] } }), { storyId: 'tale', faces: { hero: ['a'] } });
    assert.deepEqual(parseRenderRequest(true, { storyId: 'tale', faceIds: ['a'] }), { storyId: 'tale', faces: { hero: ['a'] } });
  });
  test("the child's name and the page's language travel with the request; a name that is not text is INVALID_NAME", () => {
    assert.deepEqual(parseRenderRequest(true, { storyId: 'tale', faces: { hero: ['a'] }, childName: '민아', language: 'ko' }), {
      storyId: 'tale',
      faces: { hero: ['a'] },
      childName: '민아',
      language: 'ko',
    });
    assert.equal(
      code(() => parseRenderRequest(true, { storyId: 'tale', faces: { hero: ['a'] }, childName: { first: 'Mina' } })),
      'INVALID_NAME',
    );
    assert.equal(
      code(() => parseRenderRequest(true, { storyId: 'tale', faces: { hero: ['a'] }, language: 7 })),
      'BAD_REQUEST',
    );
  });
  test('malformed bodies are BAD_REQUEST', () => {
    for (const body of [
      null,
      [],
      {},
      { storyId: 5, faces: {} },
      { storyId: 'tale' },
      { storyId: 'tale', faces: 'x' },
      { storyId: 'tale', faces: { hero: 'a' } },
      { storyId: 'tale', faces: { hero: [1] } },
    ]) {
      assert.equal(
        code(() => parseRenderRequest(true, body)),
        'BAD_REQUEST',
        JSON.stringify(body),
      );
    }
    assert.equal(
      code(() => parseRenderRequest(false, { storyId: 'tale', faces: { hero: ['a'] } })),
      'BAD_REQUEST',
      'not JSON',
    );
  });
});

describe('parsePhotoUpload', () => {
  const file = { buffer: Buffer.from('x') } as Express.Multer.File;
  test('the photo and an optional face index', () => {
    assert.deepEqual(parsePhotoUpload(true, file, {}), { photo: file.buffer });
    assert.deepEqual(parsePhotoUpload(true, file, { faceIndex: '2' }), { photo: file.buffer, faceIndex: 2 });
  });
  test('no photo, not multipart, or a bad index are refused with a reason', () => {
    assert.equal(
      code(() => parsePhotoUpload(true, undefined, {})),
      'BAD_REQUEST',
    );
    assert.equal(
      code(() => parsePhotoUpload(false, file, {})),
      'BAD_REQUEST',
    );
    for (const faceIndex of ['-1', '1.5', '101', 'x', ['0', '1'], { a: '1' }])
      assert.equal(
        code(() => parsePhotoUpload(true, file, { faceIndex })),
        'FACE_INDEX_OUT_OF_RANGE',
        JSON.stringify(faceIndex),
      );
  });
});
