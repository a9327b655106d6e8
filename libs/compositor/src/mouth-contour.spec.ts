import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFloatPlane, fillPolygon, pointInPolygon, syntheticFaceLandmarks } from '@talecast/geometry';
import { findInnerLips } from './mouth-contour';

const SKIN = [205, 150, 125],
  LIP = [170, 85, 80],
  TEETH = [228, 222, 210],
  DARK = [55, 18, 16];

/**
 * A laughing synthetic mouth at 512 px: skin, the outer lip polygon in lip red, and an interior
 * (teeth above, dark below) whose edges are not where the landmarks' inner lips are: the upper edge
 * lies below the inner-lip points (they sit mid-lip, as the net puts them on a laugh) and the lower
 * edge bulges down towards the corners beyond the chords between them (the crescent sample1 shows).
 */
function laughingMouth(open = 0.3) {
  const size = 512;
  const landmarks = syntheticFaceLandmarks({ centerX: size / 2, centerY: size * 0.5, faceWidth: size * 0.7, mouthOpen: open });
  const rgba = new Uint8Array(size * size * 4);
  for (let k = 0; k < size * size; k++) rgba.set([...SKIN, 255], 4 * k);
  const paint = (polygon: ArrayLike<number>, colour: number[]) => {
    const m = createFloatPlane(size, size);
    fillPolygon(m, polygon);
    for (let k = 0; k < size * size; k++) if (m.data[k] >= 0.5) rgba.set(colour, 4 * k);
  };
  paint(landmarks.slice(96, 120), LIP);
  const width = landmarks[108] - landmarks[96];
  const x0 = landmarks[120],
    x1 = landmarks[128],
    yc = (landmarks[121] + landmarks[129]) / 2;
  const upperDepth = yc - landmarks[125] - 0.05 * width; // the edge 5 % of the width below the points 61–63
  const lowerDepth = landmarks[133] - yc + 0.02 * width;
  const upper = (x: number) => yc - upperDepth * Math.pow(Math.sin((Math.PI * (x - x0)) / (x1 - x0)), 0.8);
  const lower = (x: number) => yc + lowerDepth * Math.pow(Math.sin((Math.PI * (x - x0)) / (x1 - x0)), 0.45);
  const teeth: number[] = [],
    dark: number[] = [];
  const n = 40;
  for (let k = 0; k <= n; k++) {
    const x = x0 + ((x1 - x0) * k) / n;
    teeth.push(x, upper(x));
  }
  for (let k = n; k >= 0; k--) {
    const x = x0 + ((x1 - x0) * k) / n;
    teeth.push(x, (upper(x) + lower(x)) / 2);
    dark.push(x, (upper(x) + lower(x)) / 2);
  }
  for (let k = 0; k <= n; k++) {
    const x = x0 + ((x1 - x0) * k) / n;
    dark.push(x, lower(x));
  }
  paint(teeth, TEETH);
  paint(dark, DARK);
  return { size, landmarks, rgba, upper, lower, width };
}

/** Teeth- or dark-coloured pixels outside the inner-lip polygon of `landmarks` (60–67). */
function interiorOutside(rgba: Uint8Array, size: number, landmarks: ArrayLike<number>): number {
  const inner = Array.from({ length: 16 }, (_, k) => landmarks[120 + k]);
  let n = 0;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const p = 4 * (y * size + x);
      const isTeeth = rgba[p] === TEETH[0] && rgba[p + 1] === TEETH[1],
        isDark = rgba[p] === DARK[0] && rgba[p + 1] === DARK[1];
      if ((isTeeth || isDark) && !pointInPolygon(inner, x + 0.5, y + 0.5)) n++;
    }
  return n;
}

describe('findInnerLips', () => {
  test('puts the inner lips on the interior edge, beyond it by no more than a lip margin', () => {
    const m = laughingMouth();
    // The landmarks' own inner polygon leaves interior outside (the case being fixed).
    assert.ok(interiorOutside(m.rgba, m.size, m.landmarks) > 200, `${interiorOutside(m.rgba, m.size, m.landmarks)}`);
    const found = findInnerLips(m.rgba, m.size, m.landmarks);
    assert.ok(found);
    for (const i of [61, 62, 63]) {
      const x = found.landmarks[2 * i],
        y = found.landmarks[2 * i + 1];
      const edge = m.upper(x);
      assert.ok(y <= edge + 1 && y >= edge - 0.12 * m.width, `upper ${i}: ${y.toFixed(1)} vs edge ${edge.toFixed(1)}`);
    }
    for (const i of [65, 66, 67]) {
      const x = found.landmarks[2 * i],
        y = found.landmarks[2 * i + 1];
      const edge = m.lower(x);
      assert.ok(y >= edge - 1 && y <= edge + 0.12 * m.width, `lower ${i}: ${y.toFixed(1)} vs edge ${edge.toFixed(1)}`);
    }
    // The corners at the interior's ends; the lip points and the rest untouched.
    assert.ok(Math.abs(found.landmarks[120] - m.landmarks[120]) < 3 && Math.abs(found.landmarks[128] - m.landmarks[128]) < 3);
    for (let i = 0; i < 120; i++) assert.equal(found.landmarks[i], m.landmarks[i]);
    // Nothing of the interior is left outside the new polygon in the painted copy; the input is not changed.
    assert.equal(interiorOutside(found.rgba, m.size, found.landmarks), 0);
    assert.ok(found.painted >= 0 && found.interior > 0.1 * m.width * m.width);
    assert.ok(interiorOutside(m.rgba, m.size, found.landmarks) >= found.painted);
  });

  test('leaves a closed mouth, and a mouth with no interior to see, alone', () => {
    const closed = laughingMouth(0);
    assert.equal(findInnerLips(closed.rgba, closed.size, closed.landmarks), null);
    const lipsOnly = laughingMouth();
    const size = lipsOnly.size;
    const plain = new Uint8Array(size * size * 4);
    for (let k = 0; k < size * size; k++) plain.set([...LIP, 255], 4 * k);
    assert.equal(findInnerLips(plain, size, lipsOnly.landmarks), null);
  });
});
