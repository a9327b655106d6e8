import { MigrationInterface, QueryRunner } from 'typeorm';

/** Recordings of a child reading story lines, and which recording a render uses per line. */
export class Recordings1765100000000 implements MigrationInterface {
  name = 'Recordings1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "recording" (
      "id" varchar(32) PRIMARY KEY,
      "storyId" varchar(64) NOT NULL,
      "lineId" varchar(40) NOT NULL,
      "status" varchar(16) NOT NULL,
      "summary" jsonb NOT NULL DEFAULT '{}'::jsonb,
      "bytes" bigint NOT NULL DEFAULT 0,
      "createdAt" timestamptz NOT NULL DEFAULT now(),
      "lastUsedAt" timestamptz,
      "expiresAt" timestamptz NOT NULL,
      "purgedAt" timestamptz
    )`);
    await q.query(`CREATE INDEX "IDX_recording_storyId" ON "recording" ("storyId")`);
    await q.query(`CREATE INDEX "recording_expiry" ON "recording" ("expiresAt") WHERE "status" = 'ready'`);
    await q.query(`ALTER TABLE "render" ADD COLUMN "voices" jsonb NOT NULL DEFAULT '{}'::jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "render" DROP COLUMN "voices"`);
    await q.query(`DROP TABLE "recording"`);
  }
}
