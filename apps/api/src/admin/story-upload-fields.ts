// The file fields of a story upload, sorted by name: one `video`, one `masks`, an optional
// `lines` and optional `stem.<role>` files. Anything else is refused (400), naming the field.
import { TalecastError } from '@talecast/core';
import { STEM_FIELD } from '@talecast/voice';

export interface StoryUploadFiles {
  video: string;
  masks: string;
  lines?: string;
  /** Role → the uploaded stem's file. */
  stems: Record<string, string>;
}

export function uploadFields(files: { fieldname: string; path: string }[]): StoryUploadFiles {
  const seen = new Set<string>();
  const out: Partial<StoryUploadFiles> & { stems: Record<string, string> } = { stems: {} };
  for (const f of files) {
    if (seen.has(f.fieldname)) throw new TalecastError('TOO_MANY_FILES', `send one file in the field "${f.fieldname}"`, { field: f.fieldname });
    seen.add(f.fieldname);
    const stem = STEM_FIELD.exec(f.fieldname);
    if (f.fieldname === 'video' || f.fieldname === 'masks' || f.fieldname === 'lines') out[f.fieldname] = f.path;
    else if (stem) out.stems[stem[1]] = f.path;
    else
      throw new TalecastError(
        'WRONG_FIELD',
        `unexpected file field "${f.fieldname.slice(0, 60)}"; send "video", "masks", and optionally "lines" and "stem.<role>"`,
        { field: f.fieldname.slice(0, 60) },
      );
  }
  if (!out.video || !out.masks) throw new TalecastError('BAD_REQUEST', 'send the multipart fields "video" and "masks"');
  return out as StoryUploadFiles;
}
