// Nest wiring of the purge. PurgeModule (API and worker processes) runs the scheduled tick, which
// enqueues `purge` jobs, and gives PurgeJobs, whose handler the worker and all roles register
// (it needs QueueModule in the same application). PurgeServiceModule gives only PurgeService, for
// the CLI and tests, and never schedules anything. Both need CoreModule (config, database,
// storage) and LifecycleModule in the same application.
import { Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { PurgeService } from './purge.service';
import { PurgeScheduler } from './purge.scheduler';
import { PurgeJobs } from './purge-job';

@Module({ providers: [PurgeService], exports: [PurgeService] })
export class PurgeServiceModule {}

@Module({
  imports: [ScheduleModule.forRoot(), PurgeServiceModule],
  providers: [PurgeScheduler, PurgeJobs],
  exports: [PurgeServiceModule, PurgeJobs],
})
export class PurgeModule {}
