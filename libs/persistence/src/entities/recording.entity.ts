import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export type RecordingStatus = 'ready' | 'expired' | 'purged' | 'deleted';

/**
 * One recording of a child reading a story line, fitted to the line's slot. Holds no audio: the
 * fitted line lives under uploads/<id>/ (the raw upload is never kept). Handled like a face:
 * random id, retention, purge, lifecycle events, never logged.
 */
@Entity('recording')
export class RecordingEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id!: string;

  @Index()
  @Column({ type: 'varchar', length: 64 })
  storyId!: string;

  @Column({ type: 'varchar', length: 40 })
  lineId!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: RecordingStatus;

  /** Facts of the fitting (lengths, tempo, loudness); never samples. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  summary!: Record<string, number>;

  @Column({ type: 'bigint', default: 0, transformer: { to: (v: number) => v, from: (v: string | null) => Number(v ?? 0) } })
  bytes!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  purgedAt!: Date | null;
}
