import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type SubjectKind = 'face' | 'render' | 'story' | 'recording';
export type LifecycleEventName =
  | 'uploaded'
  | 'aligned'
  | 'queued'
  | 'rendering'
  | 'rendered'
  | 'downloaded'
  | 'expired'
  | 'purged'
  | 'deleted-by-parent'
  | 'failed'
  | 'cancelled'
  | 'orphan-removed'
  | 'precomputing'
  | 'published'
  | 'used';

/** Append-only: one row per state change of a face, a render or a story. Never image data. */
@Entity('lifecycle_event')
@Index(['subjectKind', 'subjectId', 'at'])
export class LifecycleEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  subjectKind!: SubjectKind;

  @Column({ type: 'varchar', length: 64 })
  subjectId!: string;

  @Column({ type: 'varchar', length: 24 })
  event!: LifecycleEventName;

  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  details!: Record<string, string | number | boolean | null>;
}
