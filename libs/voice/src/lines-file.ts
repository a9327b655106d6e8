// Parses and validates a story's spoken lines (`masks/<story>.lines.json`, contract in
// docs/notes/2026-12-06/contracts.md): per line an id, a role, its slot on the story's timeline and its
// text per language; per role an optional dialogue stem (that role's voice alone). Pure: takes
// text and the masks' role names, returns data or throws with every problem named by field.

export interface StoryLine {
  id: string;
  role: string;
  /** Slot on the story's timeline, seconds. */
  from: number;
  to: number;
  /** Language code → text. Has at least the default language. */
  text: Record<string, string>;
}

export interface StoryLines {
  version: 1;
  defaultLanguage: string;
  /** Role → stem path (relative to the lines file in the authoring data; `stems/<role>.wav` once precomputed). */
  stems: Record<string, string>;
  lines: StoryLine[];
}

/** The `lines --story` view of a line: text in one language. */
export interface LineSummary {
  id: string;
  role: string;
  from: number;
  to: number;
  text: string;
}

export class InvalidLinesError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid lines file: ${problems.join('; ')}`);
    this.name = 'InvalidLinesError';
  }
}

/** The role of a narrator: allowed in lines, never recordable (no face speaks it). */
export const NARRATOR_ROLE = 'narrator';
export const LINE_ID = /^[a-z0-9-]{1,40}$/;
const LANGUAGE = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$/;
const STEM_PATH = /^(?![/\\])(?!.*\.\.)[A-Za-z0-9._/-]{1,200}$/;
const MAX_LINES = 200;
const MAX_TEXT = 500;

export function parseLinesFile(text: string, roles: string[], durationSeconds?: number): StoryLines {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InvalidLinesError([`not valid JSON (${(err as Error).message})`]);
  }
  return validateLines(raw, roles, durationSeconds);
}

/**
 * `roles`: the role names of the story's masks file. `durationSeconds`, when known, bounds the
 * slots (a line past the end of the video could never be heard).
 */
export function validateLines(raw: unknown, roles: string[], durationSeconds?: number): StoryLines {
  if (!isObject(raw)) throw new InvalidLinesError(['the file must be a JSON object']);
  const problems: string[] = [];
  if (raw.version !== 1) problems.push('version must be 1');
  const defaultLanguage = raw.defaultLanguage;
  if (typeof defaultLanguage !== 'string' || !LANGUAGE.test(defaultLanguage)) problems.push('defaultLanguage must be a language code such as "en" or "ko"');
  const known = new Set([...roles, NARRATOR_ROLE]);
  const stems: Record<string, string> = {};
  if (raw.stems !== undefined) {
    if (!isObject(raw.stems)) problems.push('stems must be an object of role → audio file');
    else
      for (const [role, file] of Object.entries(raw.stems)) {
        if (!known.has(role)) problems.push(`stems.${role}: no such role in the masks file`);
        if (typeof file !== 'string' || !STEM_PATH.test(file)) problems.push(`stems.${role} must be a relative path inside the lines file's folder`);
        else stems[role] = file;
      }
  }
  const lines: StoryLine[] = [];
  if (!Array.isArray(raw.lines)) problems.push('lines must be an array');
  else {
    if (raw.lines.length > MAX_LINES) problems.push(`lines: at most ${MAX_LINES}`);
    const ids = new Set<string>();
    raw.lines.forEach((l: unknown, i: number) => {
      const line = validateLine(l, `lines[${i}]`, problems, known, typeof defaultLanguage === 'string' ? defaultLanguage : undefined, durationSeconds);
      if (!line) return;
      if (ids.has(line.id)) problems.push(`lines[${i}].id "${line.id}" is used twice`);
      ids.add(line.id);
      lines.push(line);
    });
    problems.push(...overlaps(lines));
  }
  if (problems.length > 0) throw new InvalidLinesError(problems);
  return { version: 1, defaultLanguage: defaultLanguage as string, stems, lines: [...lines].sort((a, b) => a.from - b.from) };
}

function validateLine(
  l: unknown,
  at: string,
  problems: string[],
  roles: Set<string>,
  defaultLanguage: string | undefined,
  duration: number | undefined,
): StoryLine | null {
  if (!isObject(l)) {
    problems.push(`${at} must be an object`);
    return null;
  }
  const before = problems.length;
  if (typeof l.id !== 'string' || !LINE_ID.test(l.id)) problems.push(`${at}.id must be 1-40 of a-z, 0-9 and -`);
  if (typeof l.role !== 'string' || !roles.has(l.role)) problems.push(`${at}.role must be a role of the masks file or "${NARRATOR_ROLE}"`);
  if (typeof l.from !== 'number' || !Number.isFinite(l.from) || l.from < 0) problems.push(`${at}.from must be a number of seconds ≥ 0`);
  if (typeof l.to !== 'number' || !Number.isFinite(l.to)) problems.push(`${at}.to must be a number of seconds`);
  else if (typeof l.from === 'number' && l.to <= l.from) problems.push(`${at}.to must be greater than from`);
  else if (duration !== undefined && l.to > duration + 1e-6) problems.push(`${at}.to is past the end of the video (${duration.toFixed(2)} s)`);
  const text: Record<string, string> = {};
  if (!isObject(l.text)) problems.push(`${at}.text must be an object of language → text`);
  else {
    for (const [lang, t] of Object.entries(l.text)) {
      if (!LANGUAGE.test(lang)) problems.push(`${at}.text.${lang}: not a language code`);
      else if (typeof t !== 'string' || t.trim() === '' || t.length > MAX_TEXT) problems.push(`${at}.text.${lang} must be 1-${MAX_TEXT} characters`);
      else text[lang] = t;
    }
    if (defaultLanguage && !(defaultLanguage in text)) problems.push(`${at}.text needs the default language "${defaultLanguage}"`);
  }
  if (problems.length > before) return null;
  return { id: l.id as string, role: l.role as string, from: l.from as number, to: l.to as number, text };
}

/** Two lines of one role that overlap could not both be replaced in one slot. */
function overlaps(lines: StoryLine[]): string[] {
  const problems: string[] = [];
  const byRole = new Map<string, StoryLine[]>();
  for (const l of lines) byRole.set(l.role, [...(byRole.get(l.role) ?? []), l]);
  for (const [role, ls] of byRole) {
    const sorted = [...ls].sort((a, b) => a.from - b.from);
    for (let i = 1; i < sorted.length; i++)
      if (sorted[i].from < sorted[i - 1].to) problems.push(`lines "${sorted[i - 1].id}" and "${sorted[i].id}" of role ${role} overlap`);
  }
  return problems;
}

/** A line a child may record: spoken by a face role, not by the narrator. */
export function isRecordable(line: StoryLine): boolean {
  return line.role !== NARRATOR_ROLE;
}

/** Lines with their text in one language (the default language when `language` is missing). */
export function summariseLines(lines: StoryLines, language?: string): LineSummary[] {
  return lines.lines.map((l) => ({ id: l.id, role: l.role, from: l.from, to: l.to, text: (language && l.text[language]) || l.text[lines.defaultLanguage] }));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
