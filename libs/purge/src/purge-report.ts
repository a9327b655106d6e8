// What a purge run did (or, in a dry run, would do), and the pure rules it applies to names, ages
// and roots. Plain data and functions: no database, no file system, no Nest.
// Never put anything from a photo here: ids, names, sizes and reason codes only.
import path from 'node:path';
import type { DataRoots } from '@talecast/config';
import { isRandomId } from '@talecast/storage';

export type PurgeKind = 'face' | 'render' | 'recording';
export type PurgeRootName = 'uploads' | 'generated';

export interface PurgeReport {
  /** Another process held the cluster-wide purge lock: nothing was done. */
  skipped: boolean;
  dryRun: boolean;
  /** Subjects this run marked expired (a dry run: would mark). */
  expired: string[];
  /** Subjects whose files were removed and whose rows were marked purged (a dry run: would be). */
  purged: { kind: PurgeKind; id: string; bytes: number }[];
  /** Entries under uploads/ or generated/ that belonged to nothing and were removed. */
  orphans: { root: PurgeRootName; name: string; bytes: number }[];
  /** Expired faces kept this time because a queued or rendering render uses them. */
  inUse: string[];
  /** Subjects or entries that could not be handled; retried by the next run. */
  failed: { kind: PurgeKind | 'orphan'; id: string; reason: string }[];
}

export const PURGE_ROOTS: readonly PurgeRootName[] = ['uploads', 'generated'];

/** The lifecycle subject kind an orphan under each root is logged as. */
export const ROOT_KIND: Record<PurgeRootName, PurgeKind> = { uploads: 'face', generated: 'render' };

export function emptyPurgeReport(dryRun: boolean): PurgeReport {
  return { skipped: false, dryRun, expired: [], purged: [], orphans: [], inUse: [], failed: [] };
}

/** Entries that are part of the repository layout, never data: never removed. */
export function isProtectedName(name: string): boolean {
  return name === '.gitkeep';
}

/** An orphan is logged under its own name when that is an id, else under 'orphan'. */
export function orphanSubjectId(name: string): string {
  return isRandomId(name) ? name : 'orphan';
}

/** True when the newest change under an entry is at least `graceSeconds` old. */
export function isPastGrace(newestMtimeMs: number, nowMs: number, graceSeconds: number): boolean {
  return nowMs - newestMtimeMs >= graceSeconds * 1000;
}

/**
 * Purge roots whose orphans must not be swept because they overlap another data root (the same
 * folder, inside it, or containing it): sweeping them could remove a story or the other root.
 */
export function overlappingRoots(roots: DataRoots): { root: PurgeRootName; other: string }[] {
  const named = (['precomputed', 'masks', 'expressions', 'uploads', 'generated', 'state'] as const).map((n) => ({ n, p: path.resolve(roots[n]) }));
  const out: { root: PurgeRootName; other: string }[] = [];
  for (const r of PURGE_ROOTS) {
    const mine = path.resolve(roots[r]);
    const clash = named.find(({ n, p }) => n !== r && (p === mine || within(mine, p) || within(p, mine)));
    if (clash) out.push({ root: r, other: clash.n });
  }
  return out;
}

function within(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

export function purgeTotals(report: PurgeReport): { subjects: number; orphans: number; bytes: number } {
  const bytes = report.purged.reduce((s, p) => s + p.bytes, 0) + report.orphans.reduce((s, o) => s + o.bytes, 0);
  return { subjects: report.purged.length, orphans: report.orphans.length, bytes };
}

/** One line per removal (or would-be removal), kept face and failure, then a summary line. */
export function describePurgeReport(report: PurgeReport): string[] {
  if (report.skipped) return ['purge skipped: another process is purging right now (it holds the purge lock)'];
  const would = report.dryRun;
  const lines: string[] = [];
  for (const p of report.purged) lines.push(`${would ? 'would purge' : 'purged'} ${p.kind} ${p.id} (${formatBytes(p.bytes)})`);
  for (const o of report.orphans) lines.push(`${would ? 'would remove' : 'removed'} orphan ${o.root}/${printableName(o.name)} (${formatBytes(o.bytes)})`);
  for (const id of report.inUse) lines.push(`kept face ${id}: expired, but a render that is still running uses it`);
  for (const f of report.failed) lines.push(`failed ${f.kind} ${printableName(f.id)}: ${f.reason}`);
  const t = purgeTotals(report);
  const what = `${t.subjects} ${t.subjects === 1 ? 'subject' : 'subjects'}, ${t.orphans} ${t.orphans === 1 ? 'orphan' : 'orphans'}`;
  lines.push(
    would
      ? `dry run: would remove ${what}, ${formatBytes(t.bytes)}; nothing was changed`
      : `purge: ${what}, ${formatBytes(t.bytes)} freed${t.subjects + t.orphans === 0 ? ' (nothing had expired)' : ''}`,
  );
  return lines;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** A file name found on disk, safe to print on a terminal (control characters escaped, cut short). */
export function printableName(name: string): string {
  const escaped = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return escaped.length > 120 ? `${escaped.slice(0, 120)}…` : escaped;
}
