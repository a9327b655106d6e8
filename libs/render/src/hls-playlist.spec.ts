import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hlsPlaylist } from './hls-playlist';

test('an EVENT playlist that grows and is closed with ENDLIST; the target duration never changes', () => {
  const growing = hlsPlaylist([{ file: 'seg-0000.ts', durationSeconds: 2 }], false, 3.4);
  assert.match(growing, /^#EXTM3U\n/);
  assert.match(growing, /#EXT-X-TARGETDURATION:4\n/);
  assert.match(growing, /#EXT-X-PLAYLIST-TYPE:EVENT/);
  assert.ok(!growing.includes('ENDLIST'));
  const done = hlsPlaylist(
    [
      { file: 'seg-0000.ts', durationSeconds: 2 },
      { file: 'seg-0001.ts', durationSeconds: 3.4 },
    ],
    true,
    3.4,
  );
  assert.match(done, /#EXT-X-TARGETDURATION:4\n/);
  assert.deepEqual(
    done.split('\n').filter((l) => l.startsWith('#EXTINF')),
    ['#EXTINF:2.000,', '#EXTINF:3.400,'],
  );
  assert.ok(done.trimEnd().endsWith('#EXT-X-ENDLIST'));
  assert.equal(done.split('\n').filter((l) => l === '#EXT-X-DISCONTINUITY').length, 1, 'one boundary, one discontinuity');
  assert.ok(done.indexOf('#EXT-X-DISCONTINUITY') > done.indexOf('seg-0000.ts'));
});
