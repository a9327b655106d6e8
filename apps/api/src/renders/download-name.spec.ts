import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanChildName, contentDisposition, downloadFileName } from './download-name';

test('the child name keeps letters and digits of any script, dashes between words', () => {
  assert.equal(cleanChildName('  Mina  Kim! '), 'Mina-Kim');
  assert.equal(cleanChildName('민아'), '민아');
  assert.equal(cleanChildName('../../etc/passwd'), 'etc-passwd');
  assert.equal(cleanChildName('"; rm -rf'), 'rm-rf');
  assert.equal(cleanChildName(42), '');
  assert.equal(cleanChildName('x'.repeat(100)).length, 40);
});

test('the file name is <story>-<name>.mp4, or talecast-<story>.mp4 without a name', () => {
  assert.equal(downloadFileName('golden-key', 'Mina'), 'golden-key-Mina.mp4');
  assert.equal(downloadFileName('golden-key', '민아'), 'golden-key-민아.mp4');
  assert.equal(downloadFileName('golden-key', ''), 'talecast-golden-key.mp4');
  assert.equal(downloadFileName('golden-key', undefined), 'talecast-golden-key.mp4');
});

test('Content-Disposition carries a UTF-8 name and an ASCII fallback', () => {
  assert.equal(
    contentDisposition('attachment', 'golden-key-민아.mp4'),
    `attachment; filename="golden-key-__.mp4"; filename*=UTF-8''golden-key-%EB%AF%BC%EC%95%84.mp4`,
  );
  assert.equal(contentDisposition('inline', 'a.mp4'), `inline; filename="a.mp4"; filename*=UTF-8''a.mp4`);
});
