import { MigrationInterface, QueryRunner } from 'typeorm';

/** A render's worker heartbeat and attempt count, so a render whose worker died is picked up again. */
export class RenderHeartbeat1763810000000 implements MigrationInterface {
  name = 'RenderHeartbeat1763810000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "render" ADD COLUMN "heartbeatAt" timestamptz, ADD COLUMN "attempts" int NOT NULL DEFAULT 0, ADD COLUMN "worker" varchar(64)`);
    await q.query(`CREATE INDEX "render_active" ON "render" ("status", "heartbeatAt") WHERE "status" IN ('queued', 'rendering')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "render_active"`);
    await q.query(`ALTER TABLE "render" DROP COLUMN "heartbeatAt", DROP COLUMN "attempts", DROP COLUMN "worker"`);
  }
}
