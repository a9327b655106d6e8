import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTitle, InvalidMasksError, parseMasksFile, regionContaining, roleActiveAt } from './masks-file';

const valid = {
  version: 1,
  roles: {
    hero: {
      regions: [{ from: 0, to: 4.1, box: [0, 0, 0.55, 1] }],
      occluders: [
        {
          from: 2,
          to: 2.5,
          polygon: [
            [0.3, 0.4],
            [0.5, 0.4],
            [0.5, 0.6],
          ],
        },
      ],
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
      assert.match(text, /roles\.hero\.regions\[0\]\.box\[2\] \(x1 of \[x0, y0, x1, y1\]\) must be a number from 0 to 1/);
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

  test("with half a frame, a region's rounded times cover exactly the frames they stand for", () => {
    const role = { regions: [{ from: 1.167, to: 3.067, box: [0, 0, 1, 1] as [number, number, number, number] }], occluders: [] };
    const half = 0.5 / 30;
    assert.ok(!roleActiveAt(role, 35 / 30), 'without: the cut frame 35 (1.1667 s) falls before 1.167');
    assert.ok(roleActiveAt(role, 35 / 30, half), 'the cut frame starts the region');
    assert.ok(!roleActiveAt(role, 34 / 30, half));
    assert.ok(roleActiveAt(role, 91 / 30, half));
    assert.ok(!roleActiveAt(role, 92 / 30, half), "the next cut frame (3.0667 s) is the next region's");
    assert.ok(regionContaining(role, 35 / 30, 0.5, 0.5, half));
  });

  test('a box says it is [x0, y0, x1, y1], not [x, y, w, h]', () => {
    const bad = structuredClone(valid);
    bad.roles.hero.regions[0].box = [0.5, 0.2, 0.3, 0.4]; // looks like x, y, w, h
    assert.throws(
      () => parseMasksFile(JSON.stringify(bad)),
      /box is \[x0, y0, x1, y1\] \(left, top, right, bottom; not \[x, y, w, h\]\): it must have x1 > x0/,
    );
    bad.roles.hero.regions[0].box = [0.5, 0.2];
    assert.throws(() => parseMasksFile(JSON.stringify(bad)), /box must be \[x0, y0, x1, y1\]/);
  });

  test('authored face keyframes: accepted with optional fields, each problem named', () => {
    const withKeys: typeof valid & { roles: { hero: { keyframes?: unknown[] } } } = structuredClone(valid);
    withKeys.roles.hero.keyframes = [
      { t: 0, centre: [0.3, 0.4], size: 0.06, roll: -5 },
      { t: 2, centre: [0.35, 0.42], size: 0.07, roll: 175, yaw: 20, mouthOpen: 0.5, eyesOpen: 0 },
    ];
    const m = parseMasksFile(JSON.stringify(withKeys));
    assert.deepEqual(m.roles.hero.keyframes![1], { t: 2, centre: [0.35, 0.42], size: 0.07, roll: 175, yaw: 20, mouthOpen: 0.5, eyesOpen: 0 });
    assert.equal(parseMasksFile(JSON.stringify(valid)).roles.hero.keyframes, undefined);

    withKeys.roles.hero.keyframes = [
      { t: 1, centre: [1.3, 0.4], size: 0, roll: 'x', yaw: 120, mouthOpen: 2, extra: 1 },
      { t: 1, centre: [0.3], size: 0.05, roll: 0 },
    ];
    try {
      parseMasksFile(JSON.stringify(withKeys));
      assert.fail('expected InvalidMasksError');
    } catch (err) {
      assert.ok(err instanceof InvalidMasksError);
      const text = err.problems.join('\n');
      for (const re of [
        /keyframes\[0\]\.centre\[0\] must be a number from 0 to 1/,
        /keyframes\[0\]\.size must be the eye distance/,
        /keyframes\[0\]\.roll must be a number of degrees/,
        /keyframes\[0\]\.yaw must be a number of degrees from -90 to 90/,
        /keyframes\[0\]\.mouthOpen must be a number from 0 to 1/,
        /keyframes\[0\]\.extra is not a keyframe field/,
        /keyframes\[1\]\.centre must be \[x, y\]/,
        /keyframes\[1\]\.t must be later than roles\.hero\.keyframes\[0\]\.t/,
      ])
        assert.match(text, re);
    }
    withKeys.roles.hero.keyframes = [{ t: 0, centre: [0.3, 0.4], size: 0.06, roll: 0 }];
    assert.throws(() => parseMasksFile(JSON.stringify(withKeys)), /at least two keyframes/);
    withKeys.roles.hero.keyframes = [];
    assert.equal(parseMasksFile(JSON.stringify(withKeys)).roles.hero.keyframes, undefined, 'an empty list is no keyframes');
  });
});

describe('story meta in the masks file', () => {
  const meta = {
    title: { en: 'The Golden Key', ko: '황금 열쇠' },
    description: { en: 'A fox finds a key.', ko: '여우가 열쇠를 찾아요.' },
    ages: [3, 8],
    defaultLanguage: 'en',
  };

  test('is kept as given, and the default title comes from the default language', () => {
    const m = parseMasksFile(JSON.stringify({ ...valid, meta }));
    assert.deepEqual(m.meta, meta);
    assert.equal(defaultTitle(m.meta), 'The Golden Key');
    assert.equal(defaultTitle({ ...m.meta, defaultLanguage: 'ko' }), '황금 열쇠');
    assert.equal(defaultTitle(undefined), undefined);
    assert.equal(parseMasksFile(JSON.stringify(valid)).meta, undefined, 'optional');
  });

  test('names each problem', () => {
    const bad = { title: { en: '', 'EN-us': 'x' }, description: 'plain text', ages: [9, 3], defaultLanguage: 'english', colour: 'red' };
    try {
      parseMasksFile(JSON.stringify({ ...valid, meta: bad }));
      assert.fail('expected InvalidMasksError');
    } catch (err) {
      assert.ok(err instanceof InvalidMasksError);
      const text = err.problems.join('\n');
      for (const field of ['meta.colour', 'meta.title.en', 'meta.title.EN-us', 'meta.description', 'meta.ages', 'meta.defaultLanguage'])
        assert.match(text, new RegExp(field.replace('.', '\\.')), field);
    }
  });

  test('the default language must have a title', () => {
    assert.throws(
      () => parseMasksFile(JSON.stringify({ ...valid, meta: { title: { ko: '황금 열쇠' }, defaultLanguage: 'en' } })),
      /meta.title must have the default language "en"/,
    );
  });
});
