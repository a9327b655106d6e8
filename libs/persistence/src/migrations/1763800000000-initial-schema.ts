import { MigrationInterface, QueryRunner } from 'typeorm';

export class InitialSchema1763800000000 implements MigrationInterface {
  name = 'InitialSchema1763800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE "story" (
        "id" varchar(64) PRIMARY KEY,
        "title" varchar(200) NOT NULL,
        "status" varchar(16) NOT NULL,
        "style" varchar(8) NOT NULL DEFAULT 'photo',
        "progress" real NOT NULL DEFAULT 0,
        "error" text,
        "durationSeconds" real,
        "fps" real,
        "width" int,
        "height" int,
        "frameCount" int,
        "segmentCount" int,
        "roles" jsonb NOT NULL DEFAULT '[]'::jsonb,
        "warnings" jsonb NOT NULL DEFAULT '[]'::jsonb,
        "createdAt" timestamptz NOT NULL DEFAULT now(),
        "updatedAt" timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE "face" (
        "id" varchar(32) PRIMARY KEY,
        "status" varchar(16) NOT NULL,
        "expression" varchar(16),
        "summary" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "bytes" bigint NOT NULL DEFAULT 0,
        "createdAt" timestamptz NOT NULL DEFAULT now(),
        "lastUsedAt" timestamptz,
        "expiresAt" timestamptz NOT NULL,
        "purgedAt" timestamptz
      )`);
    await q.query(`CREATE INDEX "face_expiry" ON "face" ("expiresAt") WHERE "purgedAt" IS NULL`);
    await q.query(`
      CREATE TABLE "render" (
        "id" varchar(32) PRIMARY KEY,
        "storyId" varchar(64) NOT NULL,
        "faces" jsonb NOT NULL,
        "requestKey" varchar(64) NOT NULL,
        "status" varchar(16) NOT NULL,
        "progress" real NOT NULL DEFAULT 0,
        "segmentsDone" int NOT NULL DEFAULT 0,
        "segmentsTotal" int NOT NULL DEFAULT 0,
        "error" text,
        "timings" jsonb NOT NULL DEFAULT '{}'::jsonb,
        "bytes" bigint NOT NULL DEFAULT 0,
        "createdAt" timestamptz NOT NULL DEFAULT now(),
        "startedAt" timestamptz,
        "finishedAt" timestamptz,
        "expiresAt" timestamptz,
        "purgedAt" timestamptz
      )`);
    await q.query(`CREATE INDEX "render_story" ON "render" ("storyId")`);
    await q.query(`CREATE INDEX "render_request_key" ON "render" ("requestKey")`);
    await q.query(`CREATE INDEX "render_expiry" ON "render" ("expiresAt") WHERE "purgedAt" IS NULL`);
    await q.query(`
      CREATE TABLE "lifecycle_event" (
        "id" bigserial PRIMARY KEY,
        "subjectKind" varchar(16) NOT NULL,
        "subjectId" varchar(64) NOT NULL,
        "event" varchar(24) NOT NULL,
        "at" timestamptz NOT NULL DEFAULT clock_timestamp(),
        "details" jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX "lifecycle_subject" ON "lifecycle_event" ("subjectKind", "subjectId", "at")`);
    // Append-only: the log refuses updates and deletes.
    await q.query(`
      CREATE FUNCTION lifecycle_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'lifecycle_event is append-only'; END $$`);
    await q.query(`
      CREATE TRIGGER lifecycle_event_no_change BEFORE UPDATE OR DELETE ON "lifecycle_event"
      FOR EACH ROW EXECUTE FUNCTION lifecycle_event_append_only()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "lifecycle_event"`);
    await q.query(`DROP FUNCTION lifecycle_event_append_only`);
    await q.query(`DROP TABLE "render"`);
    await q.query(`DROP TABLE "face"`);
    await q.query(`DROP TABLE "story"`);
  }
}
