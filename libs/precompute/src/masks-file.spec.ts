import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidMasksError, parseMasksFile, regionContaining, roleActiveAt } from './masks-file';

const valid = {
  version: 1,
  roles: {
    hero: {
      regions: [{ from: 0, to: 4.1, box: [0, 0, 0.55, 1] }],
      occluders: [{ from: 2, to: 2.5, polygon: [[0.3, 0.4], [0.5, 0.4], [0.5, 0.6]] }],
    },
  },
};

describe('parseMasksFile', () => {
  test('accepts the DESIGN.md example', () => {
    const m = parseMasksFile(JSON.stringify(valid));
    assert.deepEqual(m.roles.hero.regions[0].box, [0, 0, 0.55, 1]);
    assert.equal(m.roles.hero.occluders[0].polygon.length, 3);
  });

  test('names the field of each problem', () => {
    const bad = structuredClone(valid);
    bad.roles.hero.regions[0].box[2] = 1.5;
    bad.roles.hero.regions.push({ from: 3, to: 2, box: [0, 0, 1, 1] });
    bad.roles.hero.occluders[0].polygon = [[0, 0]];
    try {
      parseMasksFile(JSON.stringify(bad));
      assert.fail('expected InvalidMasksError');
    } catch (err) {
      assert.ok(err instanceof InvalidMasksError);
      const text = err.problems.join('\n');
      assert.match(text, /roles\.hero\.regions\[0\]\.box\[2\] must be a number from 0 to 1/);
      assert.match(text, /roles\.hero\.regions\[1\]\.to must be greater than from/);
      assert.match(text, /roles\.hero\.occluders\[0\]\.polygon must have at least 3 points/);
    }
  });

  test('rejects non-JSON, a wrong version, no roles, bad role names', () => {
    assert.throws(() => parseMasksFile('{nope'), /not valid JSON/);
    assert.throws(() => parseMasksFile(JSON.stringify({ ...valid, version: 2 })), /version must be 1/);
    assert.throws(() => parseMasksFile(JSON.stringify({ version: 1, roles: {} })), /at least one role/);
    assert.throws(() => parseMasksFile(JSON.stringify({ version: 1, roles: { 'Hero!': valid.roles.hero } })), /role names/);
    assert.throws(() => parseMasksFile(JSON.stringify({ version: 1, roles: { hero: { regions: 'x' } } })), /roles\.hero\.regions must be an array/);
  });

  test('region lookup by time and box centre', () => {
    const m = parseMasksFile(JSON.stringify(valid));
    assert.ok(regionContaining(m.roles.hero, 1, 0.3, 0.5));
    assert.equal(regionContaining(m.roles.hero, 1, 0.8, 0.5), undefined, 'outside the box');
    assert.equal(regionContaining(m.roles.hero, 4.2, 0.3, 0.5), undefined, 'after the region');
    assert.ok(roleActiveAt(m.roles.hero, 4.0));
    assert.ok(!roleActiveAt(m.roles.hero, 4.1), 'to is exclusive');
  });
});
