// `purge [--dry-run]`: one purge run now, from the command line, under the same cluster-wide lock
// as the scheduled one. Prints each removal (or, with --dry-run, what would be removed) and a
// summary. Thin wiring only: the rules live in PurgeService; this never deletes anything itself.
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@talecast/config';
import { CoreModule } from '@talecast/core';
import { LifecycleModule } from '@talecast/lifecycle';
import { describePurgeReport, PurgeService, PurgeServiceModule } from '@talecast/purge';
import { parseOptions } from '../cli-args';

export async function purgeCommand(argv: string[]): Promise<void> {
  const o = parseOptions(argv, { 'dry-run': { type: 'boolean', default: false } });
  const app = await NestFactory.createApplicationContext(
    { module: class PurgeCli {}, imports: [CoreModule.forRoot(loadConfig()), LifecycleModule, PurgeServiceModule] },
    { logger: ['error', 'warn'] },
  );
  try {
    const report = await app.get(PurgeService).run({ dryRun: o['dry-run'] === true });
    for (const line of describePurgeReport(report)) console.log(line);
  } finally {
    await app.close();
  }
}
