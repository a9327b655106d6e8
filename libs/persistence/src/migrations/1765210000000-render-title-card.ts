import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The title card's words on the render: the child's name (child data: cleared when the render is
 * deleted, cancelled or expires) and the page's language the card is written in.
 */
export class RenderTitleCard1765210000000 implements MigrationInterface {
  name = 'RenderTitleCard1765210000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "render" ADD COLUMN "childName" varchar(200)`);
    await q.query(`ALTER TABLE "render" ADD COLUMN "language" varchar(8)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "render" DROP COLUMN "language"`);
    await q.query(`ALTER TABLE "render" DROP COLUMN "childName"`);
  }
}
