import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export type FaceStatus = 'ready' | 'expired' | 'purged' | 'deleted';

/** One uploaded, aligned photo of a child. Holds no image data: the files live under uploads/. */
@Entity('face')
export class FaceEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: FaceStatus;

  /** Dominant expression label of the photo (for expression matching). */
  @Column({ type: 'varchar', length: 16, nullable: true })
  expression!: string | null;

  /** Quality findings, warnings and the face list summary; never landmarks or pixels. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  summary!: Record<string, unknown>;

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
