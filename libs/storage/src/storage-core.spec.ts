import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@talecast/config';
import { InvalidIdError, StorageCore } from './storage-core';
import { isRandomId, isStorySlug, newId } from './ids';

const storage = new StorageCore(loadConfig({}, '/srv/tc').roots);

describe('StorageCore', () => {
  test('builds paths inside their roots from valid ids', () => {
    const id = newId();
    assert.equal(storage.faceDir(id), `/srv/tc/uploads/${id}`);
    assert.equal(storage.renderFile(id, 'hls', 'index.m3u8'), `/srv/tc/generated/${id}/hls/index.m3u8`);
    assert.equal(storage.masksFile('red-riding-hood'), '/srv/tc/masks/red-riding-hood.json');
    assert.equal(storage.storyMediaFile('tale', 'seg-0001.mp4'), '/srv/tc/precomputed/tale/media/seg-0001.mp4');
  });

  test('refuses traversal and malformed ids', () => {
    for (const bad of ['..', '../etc', 'a/b', '', 'A'.repeat(21), '%2e%2e%2fetc%2fpasswd12', '..%2F..%2F..%2Fetc']) {
      assert.throws(() => storage.faceDir(bad), InvalidIdError, bad);
      assert.throws(() => storage.renderDir(bad), InvalidIdError, bad);
    }
    for (const bad of ['../x', 'Tale', '-tale', 'tale-', 'a'.repeat(70), 'ta le']) {
      assert.throws(() => storage.storyDir(bad), InvalidIdError, bad);
    }
    assert.throws(() => storage.renderFile(newId(), '../../etc/passwd'), InvalidIdError);
    assert.throws(() => storage.renderFile(newId(), '..'), InvalidIdError);
  });

  test('staging folders are fresh, hidden and inside the precomputed root', () => {
    for (let i = 0; i < 200; i++) {
      const dir = storage.storyStagingDir('tale');
      assert.match(dir, /^\/srv\/tc\/precomputed\/\.staging-tale-[0-9a-f]{16}$/);
    }
  });

  test('isInside', () => {
    assert.equal(storage.isInside('uploads', '/srv/tc/uploads/x'), true);
    assert.equal(storage.isInside('uploads', '/srv/tc/uploads'), false);
    assert.equal(storage.isInside('uploads', '/srv/tc/uploads/../generated/x'), false);
    assert.equal(storage.isInside('uploads', '/srv/tc/uploads-evil/x'), false);
  });
});

test('ids are random, url-safe and validated', () => {
  const ids = new Set(Array.from({ length: 1000 }, newId));
  assert.equal(ids.size, 1000);
  for (const id of ids) assert.ok(isRandomId(id));
  assert.ok(isStorySlug('the-three-bears'));
  assert.ok(!isStorySlug('The Three Bears'));
});
