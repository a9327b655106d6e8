// Nest wiring of the purge. PurgeModule (API and worker processes) runs the scheduled tick;
// PurgeServiceModule gives only PurgeService, for the CLI and tests, and never schedules anything.
// Both need CoreModule (config, database, storage) and LifecycleModule in the same application.
import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { PurgeService } from './purge.service';
import { PurgeScheduler } from './purge.scheduler';

@Module({ providers: [PurgeService], exports: [PurgeService] })
export class PurgeServiceModule {}

@Module({
  imports: [ScheduleModule.forRoot(), PurgeServiceModule],
  providers: [PurgeScheduler],
  exports: [PurgeServiceModule],
})
export class PurgeModule {}
