// One purge run: removes what has outlived its retention — expired faces and renders (files
// first, then the row), and orphaned entries under uploads/ and generated/ — and logs every
// removal in the lifecycle log. One run at a time in a cluster (a PostgreSQL advisory lock held
// on a dedicated connection). Every step is a conditional, idempotent transition, so a run
// interrupted anywhere is finished by the next one and two runs never purge a subject twice.
// It must never: purge a render that is queued or rendering, or a face such a render lists
// (that face is kept until a later run); follow a symlink or delete anything outside uploads/
// and generated/ (nor the roots themselves, nor .gitkeep); remove an entry it cannot account for
// before the orphan grace period has passed; extend or shorten anyone's retention.
import { Inject, Injectable, Logger } from '@nestjs/common';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { DataSource, QueryResult } from 'typeorm';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { Database, LifecycleEventEntity, LifecycleEventName, tryAdvisoryLock } from '@talecast/persistence';
import { isRandomId, StorageCore } from '@talecast/storage';
import { LifecycleService } from '@talecast/lifecycle';
import { measureRootEntry, removeRootEntry } from './root-entry';
import {
  emptyPurgeReport,
  isPastGrace,
  isProtectedName,
  orphanSubjectId,
  overlappingRoots,
  PURGE_ROOTS,
  purgeTotals,
  PurgeKind,
  PurgeReport,
  PurgeRootName,
  ROOT_KIND,
} from './purge-report';

/** Name of the purge's advisory lock (libs/persistence advisory-lock.ts; a key collision with another name could only delay one run). */
export const PURGE_LOCK = 'talecast:purge';

/** At most this many subjects of each kind per run; the rest wait for the next tick. */
const BATCH = 1000;

const TABLE: Record<PurgeKind, 'face' | 'render' | 'recording'> = { face: 'face', render: 'render', recording: 'recording' };
const ROOT_OF: Record<PurgeKind, PurgeRootName> = { face: 'uploads', render: 'generated', recording: 'uploads' };

/**
 * When a finished render expires. Normally its own expiresAt (set at completion or failure); a
 * render that finished without one (cancelled, or failed outside the worker) falls back to the
 * retention of its kind counted from when it finished.
 */
const renderExpiry = (renderSecondsParam: number, failedSecondsParam: number) =>
  `COALESCE(r."expiresAt", COALESCE(r."finishedAt", r."createdAt") + make_interval(secs => CASE WHEN r.status = 'done' THEN $${renderSecondsParam}::float8 ELSE $${failedSecondsParam}::float8 END))`;

/** The recording row `c` is one of the voices of a render that is still queued or rendering. */
const RECORDING_IN_USE = `EXISTS (SELECT 1 FROM render r WHERE r.status IN ('queued', 'rendering')
  AND jsonb_path_exists(r.voices, '$.* ? (@ == $id)', jsonb_build_object('id', c.id)))`;

/** The face row `f` is listed by a render that is still queued or rendering. */
const FACE_IN_USE = `EXISTS (SELECT 1 FROM render r WHERE r.status IN ('queued', 'rendering')
  AND jsonb_path_exists(r.faces, '$.*[*] ? (@ == $id)', jsonb_build_object('id', f.id)))`;

/** How the upload kinds' queries name their row (the alias the in-use clause refers to) and when it is in use. */
const UPLOAD_QUERY: Record<'face' | 'recording', { alias: 'f' | 'c'; inUse: string }> = {
  face: { alias: 'f', inUse: FACE_IN_USE },
  recording: { alias: 'c', inUse: RECORDING_IN_USE },
};

@Injectable()
export class PurgeService {
  private readonly logger = new Logger('Purge');

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DataSource) private readonly dataSource: DataSource,
    @Inject(Database) private readonly database: Database,
    @Inject(StorageCore) private readonly storage: StorageCore,
    @Inject(LifecycleService) readonly lifecycle: LifecycleService,
  ) {}

  /**
   * One purge run. Returns `skipped` when another process holds the purge lock. A dry run takes
   * no lock, changes nothing and reports what a run would remove now.
   */
  async run(options: { dryRun?: boolean } = {}): Promise<PurgeReport> {
    const report = emptyPurgeReport(options.dryRun === true);
    if (report.dryRun) {
      await this.sweep(report);
      return report;
    }
    // A connection of its own, outside the pool: ending it always releases the lock, so a
    // failed unlock can never leave a pooled connection holding it.
    const lock = new Client({ connectionString: this.database.url, application_name: 'talecast-purge', connectionTimeoutMillis: 10_000 });
    lock.on('error', (err) => this.logger.warn(`purge lock connection lost: ${err.message}`));
    await lock.connect();
    try {
      if (!(await tryAdvisoryLock(lock, PURGE_LOCK))) {
        report.skipped = true;
        this.logger.debug('purge skipped: another process holds the purge lock');
        return report;
      }
      await this.sweep(report);
      this.logOutcome(report);
      return report;
    } finally {
      await lock.end().catch(() => undefined);
    }
  }

  private async sweep(report: PurgeReport): Promise<void> {
    await this.purgeRenders(report);
    await this.purgeUploads(report, 'face');
    await this.purgeUploads(report, 'recording');
    await this.removeOrphans(report);
  }

  // Subjects ---------------------------------------------------------------------------------

  private async purgeRenders(report: PurgeReport): Promise<void> {
    const { renderSeconds, failedRenderSeconds } = this.config.retention;
    const rows: { id: string; status: string }[] = await this.dataSource.query(
      `SELECT r.id, r.status FROM render r
       WHERE r.status = 'expired' OR (r.status IN ('done', 'failed', 'cancelled') AND ${renderExpiry(1, 2)} <= now())
       ORDER BY r."createdAt" LIMIT $3`,
      [renderSeconds, failedRenderSeconds, BATCH],
    );
    for (const row of rows) await this.purgeSubject(report, 'render', row.id, row.status === 'expired');
  }

  /**
   * Expired faces or recordings (the parent's uploads). One still listed by a queued or rendering
   * render is kept and reported in use; a later run takes it once that render has finished.
   */
  private async purgeUploads(report: PurgeReport, kind: 'face' | 'recording'): Promise<void> {
    const { alias, inUse } = UPLOAD_QUERY[kind];
    const rows: { id: string; status: string; inUse: boolean }[] = await this.dataSource.query(
      `SELECT ${alias}.id, ${alias}.status, ${inUse} AS "inUse" FROM ${TABLE[kind]} ${alias}
       WHERE ${alias}.status = 'expired' OR (${alias}.status = 'ready' AND ${alias}."expiresAt" <= now())
       ORDER BY ${alias}."expiresAt" LIMIT $1`,
      [BATCH],
    );
    for (const row of rows) {
      if (row.status === 'ready' && row.inUse) {
        report.inUse.push(row.id);
        continue;
      }
      await this.purgeSubject(report, kind, row.id, row.status === 'expired');
    }
  }

  /** expired → files → purged; `resumed` when an earlier run marked it expired and stopped. */
  private async purgeSubject(report: PurgeReport, kind: PurgeKind, id: string, resumed: boolean): Promise<void> {
    const root = this.storage.root(ROOT_OF[kind]);
    // Rows only ever get ids from newId(); a row with any other id can have no files.
    const dir = isRandomId(id)
      ? kind === 'face'
        ? this.storage.faceDir(id)
        : kind === 'recording'
          ? this.storage.recordingDir(id)
          : this.storage.renderDir(id)
      : undefined;
    try {
      if (report.dryRun) {
        if (!resumed) report.expired.push(id);
        report.purged.push({ kind, id, bytes: dir ? (await measureRootEntry(root, dir)).bytes : 0 });
        return;
      }
      if (!resumed) {
        // False when the subject changed meanwhile (deleted by the parent, put to use, extended).
        if (!(await this.markExpired(kind, id))) return;
        report.expired.push(id);
      }
      const bytes = dir ? await removeRootEntry(root, dir) : 0;
      if (await this.markPurged(kind, id, bytes)) report.purged.push({ kind, id, bytes });
    } catch (err) {
      // Left as it is (expired at most): the next run takes it up again.
      const reason =
        (err as Error).name === 'PathOutsideRootError' ? 'refused: resolves outside its root' : (err as Error).message.split('\n')[0].slice(0, 200);
      report.failed.push({ kind, id, reason });
      this.logger.warn(`purge of ${kind} ${short(id)} failed: ${reason}`);
    }
  }

  private markExpired(kind: PurgeKind, id: string): Promise<boolean> {
    if (kind === 'recording') {
      return this.transition(
        kind,
        id,
        'expired',
        {},
        `UPDATE recording c SET status = 'expired' WHERE c.id = $1 AND c.status = 'ready' AND c."expiresAt" <= now() AND NOT ${RECORDING_IN_USE}`,
        [id],
      );
    }
    if (kind === 'face') {
      return this.transition(
        kind,
        id,
        'expired',
        {},
        `UPDATE face f SET status = 'expired' WHERE f.id = $1 AND f.status = 'ready' AND f."expiresAt" <= now() AND NOT ${FACE_IN_USE}`,
        [id],
      );
    }
    const { renderSeconds, failedRenderSeconds } = this.config.retention;
    return this.transition(
      kind,
      id,
      'expired',
      {},
      `UPDATE render r SET status = 'expired', "expiresAt" = ${renderExpiry(2, 3)}, "childName" = NULL
       WHERE r.id = $1 AND r.status IN ('done', 'failed', 'cancelled') AND ${renderExpiry(2, 3)} <= now()`,
      [id, renderSeconds, failedRenderSeconds],
    );
  }

  /** `bytes` is what is on disk now (0), as after a parent's delete; the event keeps what was freed. */
  private markPurged(kind: PurgeKind, id: string, bytesFreed: number): Promise<boolean> {
    return this.transition(
      kind,
      id,
      'purged',
      { bytesFreed },
      `UPDATE "${TABLE[kind]}" SET status = 'purged', "purgedAt" = now(), bytes = 0 WHERE id = $1 AND status = 'expired'`,
      [id],
    );
  }

  /**
   * A conditional state change and its lifecycle event in one transaction: the event is written
   * exactly when the row changed, so a crash can never leave a purged row without its 'purged'
   * event, and two concurrent runs can never both log one.
   */
  private async transition(
    kind: PurgeKind,
    id: string,
    event: LifecycleEventName,
    details: Record<string, number>,
    sql: string,
    params: unknown[],
  ): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const result: QueryResult = await manager.queryRunner!.query(sql, params, true);
      if (!result.affected) return false;
      await manager.insert(LifecycleEventEntity, { subjectKind: kind, subjectId: id, event, details });
      return true;
    });
  }

  // Orphans ----------------------------------------------------------------------------------

  /**
   * Entries directly under uploads/ and generated/ that no live row accounts for (no row, a row
   * already purged or deleted, `.incoming-*` and `*.tmp` leftovers, anything else), once nothing
   * under them has changed for the grace period. A fresh upload or render is never an orphan:
   * its files are younger than the grace period until its row exists.
   */
  private async removeOrphans(report: PurgeReport): Promise<void> {
    const now = Date.now();
    const overlapping = overlappingRoots(this.config.roots);
    for (const rootName of PURGE_ROOTS) {
      const clash = overlapping.find((o) => o.root === rootName);
      if (clash) {
        report.failed.push({ kind: 'orphan', id: rootName, reason: `not swept: the ${rootName} folder overlaps the ${clash.other} folder` });
        continue;
      }
      const root = this.storage.root(rootName);
      let names: string[];
      try {
        names = await fs.readdir(root);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const live = await this.liveIds(
        rootName,
        names.filter((n) => isRandomId(n)),
      );
      for (const name of names) {
        if (isProtectedName(name) || live.has(name)) continue;
        const target = path.join(root, name);
        try {
          const m = await measureRootEntry(root, target);
          if (!m.exists || !isPastGrace(m.newestMtimeMs, now, this.config.retention.orphanGraceSeconds)) continue;
          if (report.dryRun) {
            report.orphans.push({ root: rootName, name, bytes: m.bytes });
            continue;
          }
          const bytes = await removeRootEntry(root, target);
          await this.lifecycle.record(ROOT_KIND[rootName], orphanSubjectId(name), 'orphan-removed', { bytesFreed: bytes });
          report.orphans.push({ root: rootName, name, bytes });
        } catch (err) {
          const reason =
            (err as Error).name === 'PathOutsideRootError' ? 'refused: resolves outside its root' : (err as Error).message.split('\n')[0].slice(0, 200);
          report.failed.push({ kind: 'orphan', id: `${rootName}/${name}`, reason });
          this.logger.warn(`orphan ${rootName}/${short(name)} not removed: ${reason}`);
        }
      }
    }
  }

  /** Ids among `names` whose row still owns its folder (anything but purged or deleted). */
  private async liveIds(rootName: PurgeRootName, names: string[]): Promise<Set<string>> {
    if (names.length === 0) return new Set();
    const table = TABLE[ROOT_KIND[rootName]];
    // uploads/ holds the recordings beside the faces.
    const also = rootName === 'uploads' ? ` UNION SELECT id FROM recording WHERE id = ANY($1::text[]) AND status NOT IN ('purged', 'deleted')` : '';
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM "${table}" WHERE id = ANY($1::text[]) AND status NOT IN ('purged', 'deleted')${also}`,
      [names],
    );
    return new Set(rows.map((r) => r.id));
  }

  private logOutcome(report: PurgeReport): void {
    const t = purgeTotals(report);
    if (t.subjects + t.orphans + report.failed.length === 0) {
      this.logger.debug('purge: nothing had expired');
      return;
    }
    this.logger.log(
      `purge: ${t.subjects} subject(s), ${t.orphans} orphan(s), ${t.bytes} bytes freed${report.inUse.length ? `, ${report.inUse.length} face(s) in use kept` : ''}${report.failed.length ? `, ${report.failed.length} failed` : ''}`,
    );
  }
}

/** Ids in server logs are shortened: a full render id is the key to its video. */
function short(id: string): string {
  return `${id.slice(0, 6)}…`;
}
