import { MigrationInterface, QueryRunner } from 'typeorm';

/** A failed render's reason code beside its plain sentence (the parent sees both, never a path). */
export class RenderErrorCode1765000000000 implements MigrationInterface {
  name = 'RenderErrorCode1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "render" ADD COLUMN "errorCode" varchar(32)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "render" DROP COLUMN "errorCode"`);
  }
}
