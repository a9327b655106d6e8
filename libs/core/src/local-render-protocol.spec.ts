import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkRenderMessage,
  encodeFrame,
  FrameError,
  FrameReader,
  LOCAL_PROTOCOL,
  MAX_HEADER_BYTES,
  RenderMessage,
  setupIdentity,
  splitRenderBody,
} from './local-render-protocol';

const message = (over: Partial<RenderMessage> = {}): RenderMessage => ({
  type: 'render',
  protocol: LOCAL_PROTOCOL,
  build: 'b',
  setup: 's',
  story: 'tale',
  faces: [3, 2],
  voices: [{ lineId: 'hero-1', bytes: 4 }],
  ...over,
});

describe('local render protocol', () => {
  test('frames survive any cut of the stream, and several arrive in one chunk', () => {
    const bytes = Buffer.concat([encodeFrame({ type: 'hello', pid: 7 }), encodeFrame(message(), Buffer.from('abcdeWXYZ')), encodeFrame({ type: 'done' })]);
    for (const cut of [1, 7, 8, 9, 30, bytes.length - 1]) {
      const reader = new FrameReader();
      const frames = [...reader.push(bytes.subarray(0, cut)), ...reader.push(bytes.subarray(cut))];
      assert.deepEqual(
        frames.map((f) => [(f.header as { type: string }).type, f.body.toString()]),
        [
          ['hello', ''],
          ['render', 'abcdeWXYZ'],
          ['done', ''],
        ],
        `cut at ${cut}`,
      );
    }
    const byteByByte = new FrameReader();
    const frames = [...bytes].flatMap((b) => byteByByte.push(Buffer.from([b])));
    assert.equal(frames.length, 3);
  });

  test('a frame over the limits is refused from its lengths, before its bytes arrive', () => {
    const lengths = Buffer.alloc(8);
    lengths.writeUInt32BE(MAX_HEADER_BYTES + 1, 0);
    assert.throws(() => new FrameReader().push(lengths), FrameError);
    lengths.writeUInt32BE(10, 0);
    lengths.writeUInt32BE(101, 4);
    assert.throws(() => new FrameReader(100).push(lengths), FrameError);
    const notJson = Buffer.concat([Buffer.from([0, 0, 0, 2, 0, 0, 0, 0]), Buffer.from('{x')]);
    assert.throws(() => new FrameReader().push(notJson), /not JSON/);
  });

  test('a render message is checked: type, protocol, faces, voices, and the body adds up', () => {
    assert.deepEqual(checkRenderMessage(message(), 9), { ok: true, message: message() });
    const problem = (header: unknown, body = 9) => {
      const r = checkRenderMessage(header, body);
      return r.ok ? 'ok' : r.problem;
    };
    assert.match(problem({ ...message(), type: 'hello' }), /expected a render/);
    assert.match(problem(message({ protocol: LOCAL_PROTOCOL + 1 })), /protocol/);
    assert.match(problem(message({ faces: [] }), 4), /1 to 5/);
    assert.match(problem(message({ faces: [1, 1, 1, 1, 1, 1] }), 10), /1 to 5/);
    assert.match(problem(message({ faces: [-1, 6] })), /1 to 5/);
    assert.match(problem(message({ voices: [{ lineId: '', bytes: 4 }] })), /voices/);
    assert.match(problem(message(), 10), /body has 10 bytes, the message lists 9/);
    assert.match(problem(null), /expected a render/);
  });

  test('the body is cut into the photos, then the recordings, in order', () => {
    const { photos, recordings } = splitRenderBody(message(), Buffer.from('abcdeWXYZ'));
    assert.deepEqual(
      photos.map((p) => p.toString()),
      ['abc', 'de'],
    );
    assert.deepEqual(
      recordings.map((r) => [r.lineId, r.audio.toString()]),
      [['hero-1', 'WXYZ']],
    );
  });

  test("the setup's identity changes with any data root or the database, and never shows the database's password", () => {
    const roots = { base: '/d', uploads: '/d/uploads', state: '/d/.data' };
    const a = setupIdentity(roots, 'postgres://u:secret@h/db');
    assert.equal(a, setupIdentity({ state: '/d/.data', base: '/d', uploads: '/d/uploads' }, 'postgres://u:secret@h/db'), 'order does not matter');
    assert.notEqual(a, setupIdentity({ ...roots, uploads: '/e/uploads' }, 'postgres://u:secret@h/db'));
    assert.notEqual(a, setupIdentity(roots, undefined));
    assert.doesNotMatch(a, /secret/);
  });
});
