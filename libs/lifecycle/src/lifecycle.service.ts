// Appends to the lifecycle log (one row per state change of a face, a render or a story) and
// reads a subject's history. Details are small facts (bytes freed, a reason code) — never image
// data, landmarks or anything from a photo.
import { Global, Inject, Injectable, Logger, Module } from '@nestjs/common';
import { EntityManager, Repository } from 'typeorm';
import { LIFECYCLE_REPOSITORY, LifecycleEventEntity, LifecycleEventName, SubjectKind } from '@talecast/persistence';

export type LifecycleDetails = Record<string, string | number | boolean | null>;

@Injectable()
export class LifecycleService {
  private readonly logger = new Logger('Lifecycle');

  constructor(@Inject(LIFECYCLE_REPOSITORY) private readonly events: Repository<LifecycleEventEntity>) {}

  /** Appends one event; with `manager`, inside that transaction (so a state change and its event land together). */
  async record(subjectKind: SubjectKind, subjectId: string, event: LifecycleEventName, details: LifecycleDetails = {}, manager?: EntityManager): Promise<void> {
    await (manager ? manager.getRepository(LifecycleEventEntity) : this.events).insert({ subjectKind, subjectId, event, details: sanitise(details) });
    this.logger.debug(`${subjectKind} ${subjectId.slice(0, 6)}… ${event}`);
  }

  async history(subjectKind: SubjectKind, subjectId: string): Promise<{ event: LifecycleEventName; at: string; details: LifecycleDetails }[]> {
    const rows = await this.events.find({ where: { subjectKind, subjectId }, order: { at: 'ASC', id: 'ASC' } });
    return rows.map((r) => ({ event: r.event, at: r.at.toISOString(), details: r.details }));
  }
}

/** Only short scalar details pass; long strings are cut. */
function sanitise(details: LifecycleDetails): LifecycleDetails {
  const out: LifecycleDetails = {};
  for (const [k, v] of Object.entries(details)) {
    if (v === null || typeof v === 'number' || typeof v === 'boolean') out[k] = v;
    else if (typeof v === 'string') out[k] = v.slice(0, 200);
  }
  return out;
}

@Global()
@Module({ providers: [LifecycleService], exports: [LifecycleService] })
export class LifecycleModule {}
