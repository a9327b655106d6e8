// The title card at the start of a render with the child's name: the story's title in the page's
// language and "starring <name>" (Korean: "<name> 주연") on a soft rounded panel over the first
// seconds of the story, faded in and out. It is drawn over the story's frames, so the story's
// timing (and its voice line slots) never shift. Pure: the name's check, the words, the layout,
// the SVG text and the per-frame opacity; rasterising is title-card-raster.ts, blending
// title-card-overlay.ts. Never logs or stores the name (it is a child's data).
import type { FrameData } from '@talecast/precompute';

export const CARD_LANGUAGES = ['en', 'ko'] as const;
export type CardLanguage = (typeof CARD_LANGUAGES)[number];

/** At most this many characters (code points) in a child's name. */
export const CHILD_NAME_MAX = 40;

/** The card is shown over the story's first seconds: fade in, hold, fade out. */
export const CARD_TIMING = { seconds: 3, fadeIn: 0.5, fadeOut: 0.7 } as const;

/** Fonts tried in order; fonts-nanum has Hangul and Latin in one rounded, friendly face. */
export const CARD_FONT_FAMILY = "'NanumSquareRound', 'NanumGothic', 'NanumBarunGothic', sans-serif";

export interface TitleCardText {
  title: string;
  /** "starring Mina" / "민아 주연". */
  starring: string;
  language: CardLanguage;
}

export function isCardLanguage(v: unknown): v is CardLanguage {
  return typeof v === 'string' && (CARD_LANGUAGES as readonly string[]).includes(v);
}

/** Characters a name may not hold: controls, format and bidi marks, unassigned, private use, line breaks, emoji (no font draws them). */
const NOT_IN_A_NAME = /[\p{C}\p{Zl}\p{Zp}\p{Extended_Pictographic}]/u;

export type ChildNameCheck = { ok: true; name: string | null } | { ok: false; problem: string };

/**
 * The child's name as the card shows it: NFC, spaces trimmed and runs of spaces made one; empty →
 * no name (no card). Refused: not a string, longer than CHILD_NAME_MAX characters, or holding a
 * control, format or private-use character or an emoji. The problem never repeats the name.
 */
export function checkChildName(raw: unknown): ChildNameCheck {
  if (raw === undefined || raw === null) return { ok: true, name: null };
  if (typeof raw !== 'string') return { ok: false, problem: 'childName must be text' };
  if (raw.length > CHILD_NAME_MAX * 4) return { ok: false, problem: `childName must be at most ${CHILD_NAME_MAX} characters` };
  if (NOT_IN_A_NAME.test(raw))
    return { ok: false, problem: 'childName may hold letters, numbers, spaces and punctuation only (no control characters or emoji)' };
  const name = raw.normalize('NFC').trim().replace(/\s+/gu, ' ');
  if (name === '') return { ok: true, name: null };
  if ([...name].length > CHILD_NAME_MAX) return { ok: false, problem: `childName must be at most ${CHILD_NAME_MAX} characters` };
  return { ok: true, name };
}

/** The card's words: the story's title in `language` (else its default language, else `fallbackTitle`) and the starring line. */
export function titleCardText(
  name: string,
  language: CardLanguage,
  titles: Record<string, string> | null | undefined,
  defaultLanguage: string | null | undefined,
  fallbackTitle: string,
): TitleCardText {
  const title = (titles?.[language] ?? titles?.[defaultLanguage ?? ''] ?? fallbackTitle).trim() || fallbackTitle;
  return { title, starring: language === 'ko' ? `${name} 주연` : `starring ${name}`, language };
}

/** Text for XML: the five characters with a meaning in markup escaped. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Type sizes at the frame's height before fitting (px). */
export function baseTypeSizes(height: number): { title: number; starring: number } {
  return { title: Math.max(12, Math.round(height * 0.075)), starring: Math.max(10, Math.round(height * 0.052)) };
}

/** One line of text alone on a transparent canvas, at `size` px: its rendered width is measured (title-card-raster.ts). */
export function textLineSvg(text: string, size: number, bold: boolean, canvasWidth: number): string {
  const h = Math.ceil(size * 1.6);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${canvasWidth}" height="${h}">` +
    `<text x="${Math.round(size * 0.5)}" y="${Math.round(size * 1.15)}" font-family="${escapeXml(CARD_FONT_FAMILY)}" font-size="${size}"` +
    `${bold ? ' font-weight="bold"' : ''} fill="#ffffff">${escapeXml(text)}</text></svg>`
  );
}

/** The panel sits in the lower part of the frame, or in the upper part when the story's faces are down there. */
export type CardPlacement = 'bottom' | 'top';

export interface TitleCardLayout {
  width: number;
  height: number;
  /** The panel: x, y, width, height, corner radius. */
  panel: { x: number; y: number; w: number; h: number; r: number };
  title: { size: number; baseline: number };
  starring: { size: number; baseline: number };
  /** The accent line between the two lines. */
  rule: { x0: number; x1: number; y: number };
  centreX: number;
}

/**
 * Where everything goes on a `width`×`height` frame, from the two lines' widths measured at the
 * base sizes: each line shrinks to fit 80 % of the frame's width; the panel wraps the wider line
 * with padding and sits centred in the lower (or upper) part of the frame, inside the title-safe area.
 */
export function titleCardLayout(
  width: number,
  height: number,
  measured: { title: number; starring: number },
  placement: CardPlacement = 'bottom',
): TitleCardLayout {
  const base = baseTypeSizes(height);
  const maxText = width * 0.8;
  const fit = (size: number, w: number) => Math.max(8, Math.floor(size * Math.min(1, maxText / Math.max(1, w))));
  const titleSize = fit(base.title, measured.title);
  const starringSize = fit(base.starring, measured.starring);
  const titleW = measured.title * (titleSize / base.title);
  const starringW = measured.starring * (starringSize / base.starring);
  const padX = Math.round(base.title * 0.8);
  const padTop = Math.round(base.title * 0.45);
  const gap = Math.round(base.title * 0.5);
  const padBottom = Math.round(base.title * 0.5);
  const w = Math.min(Math.round(width * 0.9), Math.round(Math.max(titleW, starringW) + 2 * padX));
  // Cap-height ≈ 0.74 em, descenders ≈ 0.22 em: a line box of about one em.
  const h = padTop + Math.round(titleSize * 0.98) + gap + Math.round(starringSize * 1.0) + padBottom;
  const centreX = Math.round(width / 2);
  const y = placement === 'top' ? Math.round(height * 0.08) : Math.round(height * 0.92) - h;
  const titleBaseline = y + padTop + Math.round(titleSize * 0.8);
  const ruleY = titleBaseline + Math.round(titleSize * 0.2) + Math.round(gap / 2);
  const starringBaseline = ruleY + Math.round(gap / 2) + Math.round(starringSize * 0.8);
  const ruleHalf = Math.round(Math.min(w * 0.18, base.title * 1.2));
  return {
    width,
    height,
    panel: { x: centreX - Math.round(w / 2), y, w, h, r: Math.round(Math.min(h / 2, base.title * 0.6)) },
    title: { size: titleSize, baseline: titleBaseline },
    starring: { size: starringSize, baseline: starringBaseline },
    rule: { x0: centreX - ruleHalf, x1: centreX + ruleHalf, y: ruleY },
    centreX,
  };
}

/**
 * The whole card as SVG over a transparent frame: a soft shadow (a few widening, faint layers: a
 * blur filter costs librsvg ~150 ms per card), the panel, the title, an accent line, the starring line.
 */
export function titleCardSvg(text: TitleCardText, layout: TitleCardLayout): string {
  const { width, height, panel, title, starring, rule, centreX } = layout;
  const font = escapeXml(CARD_FONT_FAMILY);
  const spread = Math.max(2, Math.round(height * 0.004));
  const drop = Math.max(2, Math.round(height * 0.008));
  const ruleWidth = Math.max(2, Math.round(height * 0.005));
  const shadow = [4, 3, 2, 1].map((k) => {
    const g = k * spread;
    return `<rect x="${panel.x - g}" y="${panel.y + drop - g}" width="${panel.w + 2 * g}" height="${panel.h + 2 * g}" rx="${panel.r + g}" fill="#000000" fill-opacity="0.07"/>`;
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    ...shadow,
    `<rect x="${panel.x}" y="${panel.y}" width="${panel.w}" height="${panel.h}" rx="${panel.r}" fill="#1d1838" fill-opacity="0.78" stroke="#ffd66b" stroke-opacity="0.6" stroke-width="${ruleWidth}"/>`,
    `<text x="${centreX}" y="${title.baseline}" text-anchor="middle" font-family="${font}" font-size="${title.size}" font-weight="bold" fill="#ffffff" xml:lang="${text.language}">${escapeXml(text.title)}</text>`,
    `<line x1="${rule.x0}" y1="${rule.y}" x2="${rule.x1}" y2="${rule.y}" stroke="#ffd66b" stroke-width="${ruleWidth}" stroke-linecap="round" stroke-opacity="0.85"/>`,
    `<text x="${centreX}" y="${starring.baseline}" text-anchor="middle" font-family="${font}" font-size="${starring.size}" fill="#ffe49a" xml:lang="${text.language}">${escapeXml(text.starring)}</text>`,
    `</svg>`,
  ].join('');
}

/** A face's box in frame pixels: [x0, y0, x1, y1]. */
export type FaceBox = [number, number, number, number];

/**
 * The boxes of every role's face (from its 68 landmarks, grown by a third for the forehead and
 * hair) on every `step`-th of the story's first `frameCount` frames.
 */
export function storyFaceBoxes(frames: FrameData, frameCount: number, step = 3): FaceBox[] {
  const boxes: FaceBox[] = [];
  const roles = frames.manifest.frameData.roles.length;
  for (let r = 0; r < roles; r++) {
    for (let f = 0; f < Math.min(frameCount, frames.manifest.video.frameCount); f += step) {
      if (!frames.present(r, f)) continue;
      const l = frames.field(r, f, 'landmarks');
      let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
      for (let i = 0; i < l.length; i += 2) {
        x0 = Math.min(x0, l[i]);
        x1 = Math.max(x1, l[i]);
        y0 = Math.min(y0, l[i + 1]);
        y1 = Math.max(y1, l[i + 1]);
      }
      const grow = (y1 - y0) / 3;
      if (Number.isFinite(x0)) boxes.push([x0 - grow / 2, y0 - grow, x1 + grow / 2, y1 + grow / 3]);
    }
  }
  return boxes;
}

/**
 * Bottom, unless the faces shown while the card is up cover the bottom panel's place: then the
 * top, when faces cover the top place less than half as much. A card never hides the child's face
 * where it can avoid it.
 */
export function chooseCardPlacement(faces: readonly FaceBox[], bottom: TitleCardLayout['panel'], top: TitleCardLayout['panel']): CardPlacement {
  const covered = (p: TitleCardLayout['panel']) =>
    faces.reduce(
      (sum, [x0, y0, x1, y1]) => sum + Math.max(0, Math.min(x1, p.x + p.w) - Math.max(x0, p.x)) * Math.max(0, Math.min(y1, p.y + p.h) - Math.max(y0, p.y)),
      0,
    );
  const low = covered(bottom);
  return low > 0 && covered(top) < low / 2 ? 'top' : 'bottom';
}

/**
 * The card's opacity on each of the story's first frames (0..1; the array ends where the card
 * ends): a smooth fade in, a hold, a smooth fade out, within CARD_TIMING.seconds (shorter stories:
 * within the story). Frames are sampled at their middle.
 */
export function titleCardOpacity(fps: number, storyFrames: number, timing: { seconds: number; fadeIn: number; fadeOut: number } = CARD_TIMING): Float32Array {
  const n = Math.max(0, Math.min(storyFrames, Math.round(timing.seconds * fps)));
  const total = n / fps;
  const fadeIn = Math.min(timing.fadeIn, total / 3);
  const fadeOut = Math.min(timing.fadeOut, total / 3);
  const smooth = (x: number) => (x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = (i + 0.5) / fps;
    out[i] = Math.min(smooth(t / fadeIn), smooth((total - t) / fadeOut));
  }
  return out;
}
