import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

export type RenderStatus = 'queued' | 'rendering' | 'done' | 'failed' | 'cancelled' | 'expired' | 'purged' | 'deleted';

/** A request to put faces into a story, and the resulting video. */
@Entity('render')
export class RenderEntity {
  @PrimaryColumn({ type: 'varchar', length: 32 })
  id!: string;

  @Index()
  @Column({ type: 'varchar', length: 64 })
  storyId!: string;

  /** role name → ordered face ids (a face set). */
  @Column({ type: 'jsonb' })
  faces!: Record<string, string[]>;

  /** line id → recording id: the child's voice for those lines. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  voices!: Record<string, string>;

  /**
   * The child's name for the title card (checked: at most 40 characters, printable). Child data:
   * never logged, cleared when the render is deleted, cancelled or expires; null = no card.
   */
  @Column({ type: 'varchar', length: 200, nullable: true })
  childName!: string | null;

  /** The page's language when the render was asked for ('en', 'ko'): the title card's language. */
  @Column({ type: 'varchar', length: 8, nullable: true })
  language!: string | null;

  /** Hash of (story, faces, voices, title card) so the same request made twice quickly yields one job. */
  @Index()
  @Column({ type: 'varchar', length: 64 })
  requestKey!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: RenderStatus;

  @Column({ type: 'real', default: 0 })
  progress!: number;

  @Column({ type: 'int', default: 0 })
  segmentsDone!: number;

  @Column({ type: 'int', default: 0 })
  segmentsTotal!: number;

  /** A plain sentence for the parent (never a path or a system error; those go to the server log). */
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  /** The reason code of a failed render (e.g. RENDER_FAILED, FACE_EXPIRED). */
  @Column({ type: 'varchar', length: 32, nullable: true })
  errorCode!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  timings!: Record<string, number>;

  @Column({ type: 'bigint', default: 0, transformer: { to: (v: number) => v, from: (v: string | null) => Number(v ?? 0) } })
  bytes!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  purgedAt!: Date | null;

  /** Last sign of life from the worker rendering it. */
  @Column({ type: 'timestamptz', nullable: true })
  heartbeatAt!: Date | null;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  /** Host and pid of the worker that last took it. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  worker!: string | null;
}
