import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig, parseDuration } from './app-config';

describe('loadConfig', () => {
  test('defaults are complete and rooted in the working directory', () => {
    const c = loadConfig({}, '/srv/talecast');
    assert.equal(c.port, 3000);
    assert.equal(c.role, 'all');
    assert.equal(c.databaseUrl, undefined);
    assert.equal(c.roots.uploads, '/srv/talecast/uploads');
    assert.equal(c.roots.state, '/srv/talecast/.data');
    assert.equal(c.retention.renderSeconds, 7 * 86400);
    assert.equal(c.retention.faceSeconds, 24 * 3600);
    assert.equal(c.encoder.preset, 'veryfast');
    assert.equal(c.encoder.renderPreset, 'veryfast');
  });

  test("a render's preset is the story's or one with the same stream headers", () => {
    assert.equal(loadConfig({ TALECAST_RENDER_X264_PRESET: 'superfast' }).encoder.renderPreset, 'superfast');
    assert.equal(loadConfig({ TALECAST_X264_PRESET: 'medium' }).encoder.renderPreset, 'medium');
    assert.throws(
      () => loadConfig({ TALECAST_RENDER_X264_PRESET: 'ultrafast' }),
      /TALECAST_RENDER_X264_PRESET must be the story preset \(veryfast\) or superfast/,
    );
  });

  test('a wrong value names the variable', () => {
    assert.throws(
      () => loadConfig({ PORT: 'eighty' }),
      (e: unknown) => e instanceof ConfigError && /PORT must be an integer/.test(e.message),
    );
    assert.throws(() => loadConfig({ TALECAST_ROLE: 'boss' }), /TALECAST_ROLE must be one of api, worker, all/);
    assert.throws(() => loadConfig({ DATABASE_URL: 'mysql://x' }), /DATABASE_URL must be a postgres/);
    assert.throws(() => loadConfig({ TALECAST_RENDER_RETENTION: 'forever' }), /TALECAST_RENDER_RETENTION must be a positive duration/);
    assert.throws(() => loadConfig({ TALECAST_ADMIN_TOKEN: 'short' }), /TALECAST_ADMIN_TOKEN must be at least 16/);
  });

  test('every problem is reported at once', () => {
    try {
      loadConfig({ PORT: '99999', TALECAST_X264_CRF: '-3' });
      assert.fail('expected a ConfigError');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.problems.length, 2);
    }
  });

  test('data roots follow TALECAST_DATA_DIR', () => {
    const c = loadConfig({ TALECAST_DATA_DIR: '/data', TALECAST_GENERATED_DIR: '/videos' }, '/x');
    assert.equal(c.roots.precomputed, '/data/precomputed');
    assert.equal(c.roots.generated, '/videos');
  });
});

test('parseDuration', () => {
  assert.equal(parseDuration('90'), 90);
  assert.equal(parseDuration('5m'), 300);
  assert.equal(parseDuration('1.5h'), 5400);
  assert.equal(parseDuration('7d'), 604800);
  assert.equal(parseDuration('abc'), undefined);
});
