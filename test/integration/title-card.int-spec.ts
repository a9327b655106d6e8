// The title card drawn by the real sharp/librsvg with the machine's fonts (Korean needs
// fonts-nanum): Korean words come out as Hangul glyphs, not as the "missing glyph" boxes the same
// words become when no Korean font is available (drawn for comparison in a child process whose
// fontconfig only knows DejaVu); markup characters in a name are drawn as text.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { REPO_ROOT, runNode, tempDir } from '@talecast/testing';
import { titleCardRgba, titleCardText } from '@talecast/render';

const W = 1280;
const H = 720;
const TITLES = { en: 'The Brave Little Fox', ko: '용감한 아기 여우' };

/** Bounding box of the pixels with alpha ≥ 250 inside the card's lower part whose colour is near white or warm yellow (the letters). */
function inkBox(rgba: Uint8Array): { x0: number; x1: number; count: number } {
  let x0 = W;
  let x1 = -1;
  let count = 0;
  for (let y = Math.round(H * 0.55); y < H; y++) {
    for (let x = 0; x < W; x++) {
      const p = (y * W + x) * 4;
      if (rgba[p + 3] >= 250 && rgba[p] > 200 && rgba[p + 1] > 180) {
        count++;
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
      }
    }
  }
  return { x0, x1, count };
}

/** Share of pixels (in the lower part of the frame) whose colour differs by more than 60 in any channel. */
function differingShare(a: Uint8Array, b: Uint8Array): number {
  let differ = 0;
  let total = 0;
  for (let i = Math.round(H * 0.55) * W * 4; i < a.length; i += 4) {
    total++;
    if (Math.abs(a[i] - b[i]) > 60 || Math.abs(a[i + 1] - b[i + 1]) > 60 || Math.abs(a[i + 3] - b[i + 3]) > 60) differ++;
  }
  return differ / total;
}

describe('title card drawing', () => {
  test('Korean words are Hangul glyphs, not missing-glyph boxes', async () => {
    const text = titleCardText('민아', 'ko', TITLES, 'en', 'fox');
    const real = await titleCardRgba(text, W, H);
    const dir = await tempDir();
    try {
      // The same card where fontconfig knows no Korean font: every Hangul syllable is a box.
      await fs.writeFile(
        path.join(dir.path, 'fonts.conf'),
        `<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>${dir.path}/cache</cachedir></fontconfig>`,
      );
      const script = path.join(dir.path, 'draw.js');
      await fs.writeFile(
        script,
        `const { titleCardRgba } = require(${JSON.stringify(path.join(REPO_ROOT, 'dist/libs/render/src/title-card-raster.js'))});
         titleCardRgba(${JSON.stringify(text)}, ${W}, ${H}).then((rgba) => require('node:fs').writeFileSync(process.argv[2], rgba));`,
      );
      const out = path.join(dir.path, 'boxes.rgba');
      const child = await runNode(script, [out], { FONTCONFIG_FILE: path.join(dir.path, 'fonts.conf') }, 60_000);
      assert.equal(child.code, 0, child.output);
      const boxes = new Uint8Array(await fs.readFile(out));
      assert.equal(boxes.length, real.length);
      const share = differingShare(real, boxes);
      console.log(`# Korean card vs the same words as missing-glyph boxes: ${(share * 100).toFixed(2)} % of the lower frame differs`);
      assert.ok(share > 0.01, `the Korean glyphs must not look like missing-glyph boxes (${(share * 100).toFixed(2)} % differs)`);
      const ink = inkBox(real);
      assert.ok(ink.count > 2000, `letters drawn (${ink.count} px)`);
      assert.ok(Math.abs((ink.x0 + ink.x1) / 2 - W / 2) < W * 0.02, `centred (${ink.x0}..${ink.x1})`);
    } finally {
      await dir.cleanup();
    }
  });

  test('a name with markup characters is drawn as text, and a longer name makes a wider line', async () => {
    const plain = inkBox(await titleCardRgba(titleCardText('Mina', 'en', TITLES, 'en', 'fox'), W, H));
    const marked = inkBox(await titleCardRgba(titleCardText('<Mina & "Jo">', 'en', TITLES, 'en', 'fox'), W, H));
    assert.ok(plain.count > 2000 && marked.count > plain.count, `more letters drawn (${plain.count} → ${marked.count} px)`);
    assert.ok(marked.x1 - marked.x0 >= plain.x1 - plain.x0, 'the lines stay centred, the wider one no narrower');
  });
});
