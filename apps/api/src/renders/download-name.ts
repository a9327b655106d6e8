// The download's file name: `<story>-<child's name>.mp4` (the name is optional, given by the page
// in the download URL and never stored), as a Content-Disposition value that keeps Korean names
// (RFC 6266 filename* in UTF-8, with an ASCII fallback for old clients). Pure.

/** Letters and digits of any script, single dashes between words, at most 40 characters. */
export function cleanChildName(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  return raw
    .normalize('NFC')
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}

export function downloadFileName(storyId: string, childName: unknown): string {
  const name = cleanChildName(childName);
  return name ? `${storyId}-${name}.mp4` : `talecast-${storyId}.mp4`;
}

export function contentDisposition(kind: 'attachment' | 'inline', fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const encoded = encodeURIComponent(fileName).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
