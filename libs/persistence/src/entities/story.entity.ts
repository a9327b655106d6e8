import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** `unpublished`: precomputed but hidden from parents by an admin (no new renders). */
export type StoryStatus = 'pending' | 'precomputing' | 'ready' | 'failed' | 'unpublished';
export type StoryStyle = 'photo' | 'toon';

/** Shown to parents: words per language (`{en, ko}`), the age range; from the masks file's `meta`. */
export interface StoryMetaSummary {
  title?: Record<string, string>;
  description?: Record<string, string>;
  ages?: [number, number];
  defaultLanguage?: string;
}

export interface StoryRoleSummary {
  name: string;
  faceFrames: number;
}

/** A story video and the state of its offline precompute. */
@Entity('story')
export class StoryEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: StoryStatus;

  @Column({ type: 'varchar', length: 8, default: 'photo' })
  style!: StoryStyle;

  @Column({ type: 'real', default: 0 })
  progress!: number;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'real', nullable: true })
  durationSeconds!: number | null;

  @Column({ type: 'real', nullable: true })
  fps!: number | null;

  @Column({ type: 'int', nullable: true })
  width!: number | null;

  @Column({ type: 'int', nullable: true })
  height!: number | null;

  @Column({ type: 'int', nullable: true })
  frameCount!: number | null;

  @Column({ type: 'int', nullable: true })
  segmentCount!: number | null;

  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  roles!: StoryRoleSummary[];

  @Column({ type: 'jsonb', default: () => "'[]'::jsonb" })
  warnings!: string[];

  @Column({ type: 'jsonb', nullable: true })
  meta!: StoryMetaSummary | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
