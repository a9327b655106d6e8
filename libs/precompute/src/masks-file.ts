// Parses and validates a story's masks file (DESIGN.md contract). Every problem names the
// field, e.g. `roles.hero.regions[0].box[2]`. Pure: takes text, returns data or throws.
// A `box` is always [x0, y0, x1, y1] (left, top, right, bottom), normalised 0..1, never [x, y, w, h].
import type { FaceKeyframe } from './face-keyframes';

export interface MaskRegion {
  from: number;
  to: number;
  /** [x0, y0, x1, y1], normalised 0..1. */
  box: [number, number, number, number];
}

export interface MaskOccluder {
  from: number;
  to: number;
  /** [[x, y], …] normalised 0..1, at least 3 points. */
  polygon: [number, number][];
}

export interface MaskRole {
  regions: MaskRegion[];
  occluders: MaskOccluder[];
  /**
   * Authored face keyframes (drawn characters no detector finds): when present, the role's face
   * comes from them instead of detection, wherever a region of the role is active (face-keyframes.ts).
   */
  keyframes?: FaceKeyframe[];
  /** Optional per-role style override is not part of v1; the story has one style. */
}

/** Words in several languages: `{ "en": "…", "ko": "…" }` (language codes as BCP 47 primary tags). */
export type LocalizedText = Record<string, string>;

/** The story's metadata shown to parents (CONTRACTS.md "Story metadata"). */
export interface StoryMeta {
  title?: LocalizedText;
  description?: LocalizedText;
  /** [youngest, oldest] in years. */
  ages?: [number, number];
  defaultLanguage?: string;
}

export interface MasksFile {
  version: 1;
  roles: Record<string, MaskRole>;
  style?: 'photo' | 'toon';
  meta?: StoryMeta;
}

export class InvalidMasksError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid masks file: ${problems.join('; ')}`);
    this.name = 'InvalidMasksError';
  }
}

const ROLE_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

export function parseMasksFile(text: string): MasksFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InvalidMasksError([`not valid JSON (${(err as Error).message})`]);
  }
  return validateMasks(raw);
}

export function validateMasks(raw: unknown): MasksFile {
  const problems: string[] = [];
  if (!isObject(raw)) throw new InvalidMasksError(['the file must be a JSON object']);
  if (raw.version !== 1) problems.push('version must be 1');
  if (raw.style !== undefined && raw.style !== 'photo' && raw.style !== 'toon') problems.push('style must be "photo" or "toon"');
  const roles: Record<string, MaskRole> = {};
  if (!isObject(raw.roles)) {
    problems.push('roles must be an object of role name → { regions, occluders, keyframes? }');
  } else {
    const names = Object.keys(raw.roles);
    if (names.length === 0) problems.push('roles must name at least one role (e.g. "hero")');
    if (names.length > 8) problems.push('roles: at most 8 roles');
    for (const name of names) {
      const at = `roles.${name}`;
      if (!ROLE_NAME.test(name)) problems.push(`${at}: role names are lower-case letters, digits, - or _`);
      const role = raw.roles[name];
      if (!isObject(role)) {
        problems.push(`${at} must be an object`);
        continue;
      }
      const regions = arrayAt(role.regions, `${at}.regions`, problems, true).map((r, i) => region(r, `${at}.regions[${i}]`, problems));
      const occluders = arrayAt(role.occluders ?? [], `${at}.occluders`, problems, false).map((o, i) => occluder(o, `${at}.occluders[${i}]`, problems));
      if (regions.length === 0 && Array.isArray(role.regions)) problems.push(`${at}.regions must have at least one region`);
      const keyframes = role.keyframes === undefined ? undefined : keyframeList(role.keyframes, `${at}.keyframes`, problems);
      roles[name] = { regions, occluders, ...(keyframes?.length ? { keyframes } : {}) };
    }
  }
  const meta = raw.meta === undefined ? undefined : storyMeta(raw.meta, problems);
  if (problems.length > 0) throw new InvalidMasksError(problems);
  return { version: 1, roles, ...(raw.style ? { style: raw.style as 'photo' | 'toon' } : {}), ...(meta ? { meta } : {}) };
}

const LANGUAGE = /^[a-z]{2,3}$/;

function storyMeta(m: unknown, problems: string[]): StoryMeta | undefined {
  if (!isObject(m)) {
    problems.push('meta must be an object { title, description, ages, defaultLanguage }');
    return undefined;
  }
  for (const key of Object.keys(m))
    if (!['title', 'description', 'ages', 'defaultLanguage'].includes(key))
      problems.push(`meta.${key} is not a known field (title, description, ages, defaultLanguage)`);
  const meta: StoryMeta = {};
  if (m.title !== undefined) meta.title = localized(m.title, 'meta.title', 200, problems);
  if (m.description !== undefined) meta.description = localized(m.description, 'meta.description', 1000, problems);
  if (m.ages !== undefined) {
    const a = m.ages;
    if (!Array.isArray(a) || a.length !== 2 || !a.every((v) => Number.isInteger(v) && v >= 0 && v <= 18) || a[0] > a[1])
      problems.push('meta.ages must be [youngest, oldest]: whole years from 0 to 18, youngest first');
    else meta.ages = [a[0], a[1]];
  }
  if (m.defaultLanguage !== undefined) {
    if (typeof m.defaultLanguage !== 'string' || !LANGUAGE.test(m.defaultLanguage))
      problems.push('meta.defaultLanguage must be a language code such as "en" or "ko"');
    else meta.defaultLanguage = m.defaultLanguage;
  }
  const lang = meta.defaultLanguage;
  if (lang && meta.title && !(lang in meta.title)) problems.push(`meta.title must have the default language "${lang}"`);
  return meta;
}

function localized(v: unknown, at: string, max: number, problems: string[]): LocalizedText {
  if (!isObject(v) || Object.keys(v).length === 0) {
    problems.push(`${at} must be an object of language → text, e.g. {"en": "…", "ko": "…"}`);
    return {};
  }
  const out: LocalizedText = {};
  for (const [lang, text] of Object.entries(v)) {
    if (!LANGUAGE.test(lang)) problems.push(`${at}.${lang}: language codes are 2-3 lower-case letters, e.g. "en", "ko"`);
    else if (typeof text !== 'string' || text.trim() === '') problems.push(`${at}.${lang} must be a non-empty string`);
    else if (text.length > max) problems.push(`${at}.${lang} must be at most ${max} characters`);
    else out[lang] = text.trim();
  }
  return out;
}

/** The story's title in its default language (or the first one given), if the meta has one. */
export function defaultTitle(meta: StoryMeta | undefined): string | undefined {
  if (!meta?.title) return undefined;
  return meta.title[meta.defaultLanguage ?? ''] ?? Object.values(meta.title)[0];
}

function region(r: unknown, at: string, problems: string[]): MaskRegion {
  if (!isObject(r)) {
    problems.push(`${at} must be an object`);
    return { from: 0, to: 0, box: [0, 0, 0, 0] };
  }
  const [from, to] = times(r, at, problems);
  const box = Array.isArray(r.box) && r.box.length === 4 ? r.box : undefined;
  if (!box) problems.push(`${at}.box must be [x0, y0, x1, y1] (left, top, right, bottom; not [x, y, w, h])`);
  const b = (box ?? [0, 0, 0, 0]).map((v, k) => unit(v, `${at}.box[${k}] (${BOX_PARTS[k]} of [x0, y0, x1, y1])`, problems)) as [number, number, number, number];
  if (box && (b[2] <= b[0] || b[3] <= b[1]))
    problems.push(`${at}.box is [x0, y0, x1, y1] (left, top, right, bottom; not [x, y, w, h]): it must have x1 > x0 and y1 > y0`);
  return { from, to, box: b };
}

const BOX_PARTS = ['x0', 'y0', 'x1', 'y1'];

/** Authored face keyframes (CONTRACTS.md): none (an empty list) or at least two, times increasing. */
function keyframeList(v: unknown, at: string, problems: string[]): FaceKeyframe[] {
  if (!Array.isArray(v)) {
    problems.push(`${at} must be an array of { t, centre: [x, y], size, roll, yaw?, mouthOpen?, eyesOpen? }`);
    return [];
  }
  if (v.length === 1) problems.push(`${at} needs at least two keyframes (the face is interpolated between the first and the last)`);
  const out = v.map((k, i) => keyframe(k, `${at}[${i}]`, problems));
  for (let i = 1; i < out.length; i++) if (!(out[i].t > out[i - 1].t)) problems.push(`${at}[${i}].t must be later than ${at}[${i - 1}].t`);
  return out;
}

function keyframe(k: unknown, at: string, problems: string[]): FaceKeyframe {
  if (!isObject(k)) {
    problems.push(`${at} must be an object { t, centre: [x, y], size, roll, yaw?, mouthOpen?, eyesOpen? }`);
    return { t: 0, centre: [0, 0], size: 0, roll: 0 };
  }
  const t = k.t;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) problems.push(`${at}.t must be a number of seconds ≥ 0`);
  const centre = Array.isArray(k.centre) && k.centre.length === 2 ? k.centre : undefined;
  if (!centre) problems.push(`${at}.centre must be [x, y] (the point between the eyes, normalised 0..1)`);
  const [cx, cy] = (centre ?? [0, 0]).map((c, j) => unit(c, `${at}.centre[${j}]`, problems));
  const size = k.size;
  if (typeof size !== 'number' || !Number.isFinite(size) || size <= 0 || size > 1)
    problems.push(`${at}.size must be the eye distance over the frame width, above 0 and at most 1`);
  const roll = k.roll;
  if (typeof roll !== 'number' || !Number.isFinite(roll)) problems.push(`${at}.roll must be a number of degrees (clockwise on screen)`);
  const out: FaceKeyframe = { t: Number(t) || 0, centre: [cx, cy], size: Number(size) || 0, roll: Number(roll) || 0 };
  if (k.yaw !== undefined) {
    if (typeof k.yaw !== 'number' || !Number.isFinite(k.yaw) || Math.abs(k.yaw) > 90)
      problems.push(`${at}.yaw must be a number of degrees from -90 to 90 (positive: the nose points right)`);
    else out.yaw = k.yaw;
  }
  if (k.mouthOpen !== undefined) out.mouthOpen = unit(k.mouthOpen, `${at}.mouthOpen`, problems);
  if (k.eyesOpen !== undefined) out.eyesOpen = unit(k.eyesOpen, `${at}.eyesOpen`, problems);
  for (const key of Object.keys(k))
    if (!KEYFRAME_FIELDS.has(key)) problems.push(`${at}.${key} is not a keyframe field (t, centre, size, roll, yaw, mouthOpen, eyesOpen)`);
  return out;
}

const KEYFRAME_FIELDS = new Set(['t', 'centre', 'size', 'roll', 'yaw', 'mouthOpen', 'eyesOpen']);

function occluder(o: unknown, at: string, problems: string[]): MaskOccluder {
  if (!isObject(o)) {
    problems.push(`${at} must be an object`);
    return { from: 0, to: 0, polygon: [] };
  }
  const [from, to] = times(o, at, problems);
  const poly = Array.isArray(o.polygon) ? o.polygon : undefined;
  if (!poly || poly.length < 3) problems.push(`${at}.polygon must have at least 3 points`);
  const polygon = (poly ?? []).map((p, k) => {
    if (!Array.isArray(p) || p.length !== 2) {
      problems.push(`${at}.polygon[${k}] must be [x, y]`);
      return [0, 0] as [number, number];
    }
    return [unit(p[0], `${at}.polygon[${k}][0]`, problems), unit(p[1], `${at}.polygon[${k}][1]`, problems)] as [number, number];
  });
  return { from, to, polygon };
}

function times(o: Record<string, unknown>, at: string, problems: string[]): [number, number] {
  const from = o.from,
    to = o.to;
  if (typeof from !== 'number' || !Number.isFinite(from) || from < 0) problems.push(`${at}.from must be a number of seconds ≥ 0`);
  if (typeof to !== 'number' || !Number.isFinite(to)) problems.push(`${at}.to must be a number of seconds`);
  else if (typeof from === 'number' && to <= from) problems.push(`${at}.to must be greater than from`);
  return [Number(from) || 0, Number(to) || 0];
}

function unit(v: unknown, at: string, problems: string[]): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    problems.push(`${at} must be a number from 0 to 1`);
    return 0;
  }
  return v;
}

function arrayAt(v: unknown, at: string, problems: string[], required: boolean): unknown[] {
  if (Array.isArray(v)) return v;
  if (required || v !== undefined) problems.push(`${at} must be an array`);
  return [];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The region of `role` active at time `t` whose box contains (x, y) (normalised), if any. With
 * `halfFrame` (half a frame's duration) a frame's time t = i / fps is matched to the frames the
 * region's rounded times stand for: a region from 1.167 s starts on frame 35 at 30 fps
 * (35 / 30 = 1.1667 s), the cut's first frame, not one frame later.
 */
export function regionContaining(role: MaskRole, t: number, x: number, y: number, halfFrame = 0): MaskRegion | undefined {
  return role.regions.find((r) => regionActive(r, t, halfFrame) && x >= r.box[0] && x <= r.box[2] && y >= r.box[1] && y <= r.box[3]);
}

/** True when some region of the role is active at time t (halfFrame as in regionContaining). */
export function roleActiveAt(role: MaskRole, t: number, halfFrame = 0): boolean {
  return role.regions.some((r) => regionActive(r, t, halfFrame));
}

/** Half-open [from, to), both ends moved back by halfFrame so that neighbouring regions never overlap. */
export function regionActive(r: MaskRegion, t: number, halfFrame = 0): boolean {
  return t >= r.from - halfFrame && t < r.to - halfFrame;
}
