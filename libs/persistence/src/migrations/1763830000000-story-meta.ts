import { MigrationInterface, QueryRunner } from 'typeorm';

/** A story's metadata from its masks file (titles and descriptions per language, age range). */
export class StoryMeta1763830000000 implements MigrationInterface {
  name = 'StoryMeta1763830000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "story" ADD COLUMN "meta" jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "story" DROP COLUMN "meta"`);
  }
}
