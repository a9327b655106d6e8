// Where the built parents' and admin pages live (apps/web/dist, made by scripts/build-web.mjs).
// One place for the path, so main.ts's static serving and the private-link page agree.
import path from 'node:path';

/** apps/web/dist, from the compiled dist/apps/api/src/pages/ folder (or the sources under ts-node). */
export function webDistDir(): string {
  return path.resolve(__dirname, '../../../../../apps/web/dist');
}
