import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkChildName,
  chooseCardPlacement,
  escapeXml,
  textLineSvg,
  titleCardLayout,
  titleCardOpacity,
  titleCardSvg,
  titleCardText,
  CHILD_NAME_MAX,
} from './title-card';

test('checkChildName: trims, joins spaces, composes Hangul; empty means no card', () => {
  assert.deepEqual(checkChildName('  Mina   Park '), { ok: true, name: 'Mina Park' });
  // 민아 typed as separate jamo (NFD, as some keyboards send it) becomes the two syllables.
  assert.deepEqual(checkChildName('민아'.normalize('NFD')), { ok: true, name: '민아' });
  assert.deepEqual(checkChildName('   '), { ok: true, name: null });
  assert.deepEqual(checkChildName(undefined), { ok: true, name: null });
  assert.deepEqual(checkChildName("O'Brien-Lee, Jr."), { ok: true, name: "O'Brien-Lee, Jr." });
  assert.deepEqual(checkChildName('<b>&"Mina"'), { ok: true, name: '<b>&"Mina"' }, 'markup characters are text (escaped when drawn)');
});

test('checkChildName: refuses control and format characters, emoji, too long, not text — without repeating the name', () => {
  for (const bad of ['Mi\u0000na', 'Mina\n', 'Mi\tna', 'Mina\u202Eevil', 'Mi\u200Bna', 'Mina \u{1F98A}', 'Mina\uE000', 42, ['Mina']]) {
    const r = checkChildName(bad);
    assert.equal(r.ok, false, `refused: ${JSON.stringify(bad)}`);
    if (!r.ok) assert.ok(!r.problem.includes('Mi'), 'the problem never repeats the name');
  }
  assert.equal(checkChildName('가'.repeat(CHILD_NAME_MAX)).ok, true);
  assert.equal(checkChildName('가'.repeat(CHILD_NAME_MAX + 1)).ok, false);
  assert.equal(checkChildName('a'.repeat(10_000)).ok, false);
});

test("titleCardText: the story's title in the page's language, else the default language, else the admin's title", () => {
  const titles = { en: 'The Brave Little Fox', ko: '용감한 아기 여우' };
  assert.deepEqual(titleCardText('Mina', 'en', titles, 'en', 'fox'), { title: 'The Brave Little Fox', starring: 'starring Mina', language: 'en' });
  assert.deepEqual(titleCardText('민아', 'ko', titles, 'en', 'fox'), { title: '용감한 아기 여우', starring: '민아 주연', language: 'ko' });
  assert.equal(titleCardText('Mina', 'ko', { en: 'Only English' }, 'en', 'fox').title, 'Only English');
  assert.equal(titleCardText('Mina', 'en', null, null, 'fox-tale').title, 'fox-tale');
});

test('escapeXml: every character with a meaning in markup', () => {
  assert.equal(escapeXml(`<a href="x">&'</a>`), '&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;');
});

test('titleCardSvg: a name with <&" stays text: the SVG parses to the same two text nodes', () => {
  const text = titleCardText('<Mina & "Jo"></text><script>x</script>', 'en', { en: 'Tom & <Jerry>' }, 'en', 'x');
  const svg = titleCardSvg(text, titleCardLayout(1280, 720, { title: 400, starring: 500 }));
  assert.ok(!svg.includes('<script>'), 'no element smuggled in');
  assert.ok(!svg.includes('<Mina'), 'no raw "<" from the name');
  // The only elements are the card's own; the text nodes unescape to exactly the words.
  const tags = [...svg.matchAll(/<([a-zA-Z]+)[\s>/]/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(tags)].sort(), ['line', 'rect', 'svg', 'text']);
  const texts = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => unescape(m[1]));
  assert.deepEqual(texts, ['Tom & <Jerry>', 'starring <Mina & "Jo"></text><script>x</script>']);
  // The one-line measuring SVG escapes the same way.
  assert.ok(textLineSvg(text.starring, 40, false, 800).includes('&lt;Mina &amp; &quot;Jo&quot;&gt;'));
});

function unescape(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

test('titleCardLayout: the panel wraps the wider line, centred in the lower part of the frame; long lines shrink to fit', () => {
  const l = titleCardLayout(1280, 720, { title: 500, starring: 300 });
  assert.equal(l.title.size, 54);
  assert.equal(l.starring.size, 37);
  assert.equal(l.panel.x + l.panel.w / 2, 640, 'centred');
  assert.ok(l.panel.w >= 500 && l.panel.w < 700, `panel ${l.panel.w} px wraps the 500 px title with padding`);
  assert.ok(l.panel.y > 720 * 0.55 && l.panel.y + l.panel.h <= 720 * 0.92 + 1, 'in the lower part, inside the title-safe area');
  assert.ok(l.title.baseline < l.rule.y && l.rule.y < l.starring.baseline && l.starring.baseline < l.panel.y + l.panel.h, 'title, rule, starring in order');
  // A 2000 px title (measured at 54 px) shrinks to 80 % of the frame's width.
  const long = titleCardLayout(1280, 720, { title: 2000, starring: 300 });
  assert.equal(long.title.size, Math.floor(54 * (1024 / 2000)));
  assert.ok(long.panel.w <= 1280 * 0.9);
});

test('titleCardOpacity: 3 s at 30 fps, fading in and out smoothly, fully shown in the middle', () => {
  const o = titleCardOpacity(30, 300);
  assert.equal(o.length, 90);
  assert.ok(o[0] > 0 && o[0] < 0.05, `first frame ${o[0]}`);
  assert.equal(o[45], 1);
  assert.ok(o[89] > 0 && o[89] < 0.05, `last frame ${o[89]}`);
  for (let i = 1; i < 15; i++) assert.ok(o[i] >= o[i - 1], 'rises');
  for (let i = 70; i < 90; i++) assert.ok(o[i] <= o[i - 1], 'falls');
  // A story shorter than the card: the card fits in the story.
  const short = titleCardOpacity(30, 40);
  assert.equal(short.length, 40);
  assert.ok(short[39] < 0.2 && Math.max(...short) === 1);
});

test("chooseCardPlacement: the lower part, unless the story's face is there while the card shows and the upper part is freer", () => {
  const measured = { title: 500, starring: 300 };
  const bottom = titleCardLayout(1280, 720, measured, 'bottom');
  const top = titleCardLayout(1280, 720, measured, 'top');
  assert.ok(top.panel.y === Math.round(720 * 0.08) && top.title.baseline < top.starring.baseline, 'the top layout is the same card, near the top');
  assert.equal(chooseCardPlacement([], bottom.panel, top.panel), 'bottom', 'no face: bottom');
  assert.equal(chooseCardPlacement([[200, 200, 400, 450]], bottom.panel, top.panel), 'bottom', 'a face at the left middle: bottom');
  assert.equal(chooseCardPlacement([[560, 420, 760, 700]], bottom.panel, top.panel), 'top', 'a face low in the middle: top');
  // A face as tall as the frame covers both places alike: bottom.
  assert.equal(chooseCardPlacement([[500, 0, 800, 720]], bottom.panel, top.panel), 'bottom');
});
