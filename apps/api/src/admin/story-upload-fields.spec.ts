import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TalecastError } from '@talecast/core';
import { uploadFields } from './story-upload-fields';

const f = (fieldname: string) => ({ fieldname, path: `/incoming/${fieldname}.upload` });
const code = (files: { fieldname: string; path: string }[]) => {
  try {
    uploadFields(files);
    return null;
  } catch (err) {
    assert.ok(err instanceof TalecastError);
    return err.code;
  }
};

describe('the file fields of a story upload', () => {
  test('video and masks, with an optional lines file and one stem per role', () => {
    assert.deepEqual(uploadFields([f('masks'), f('video')]), { video: '/incoming/video.upload', masks: '/incoming/masks.upload', stems: {} });
    assert.deepEqual(uploadFields([f('video'), f('masks'), f('lines'), f('stem.hero'), f('stem.narrator')]), {
      video: '/incoming/video.upload',
      masks: '/incoming/masks.upload',
      lines: '/incoming/lines.upload',
      stems: { hero: '/incoming/stem.hero.upload', narrator: '/incoming/stem.narrator.upload' },
    });
  });

  test('a missing video or masks, a field sent twice, or any other field is refused', () => {
    assert.equal(code([f('video')]), 'BAD_REQUEST');
    assert.equal(code([f('video'), f('masks'), f('stem.hero'), f('stem.hero')]), 'TOO_MANY_FILES');
    assert.equal(code([f('video'), f('masks'), f('photo')]), 'WRONG_FIELD');
    assert.equal(code([f('video'), f('masks'), f('stem.')]), 'WRONG_FIELD');
    assert.equal(code([f('video'), f('masks'), f('stem.../x')]), 'WRONG_FIELD');
  });
});
