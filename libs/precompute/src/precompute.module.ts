import { Module } from '@nestjs/common';
import { QueueModule } from '@talecast/queue';
import { PrecomputeService } from './precompute.service';
import { PrecomputeJobs } from './precompute-jobs.service';
import { StoryAdminService } from './story-admin.service';

/** Runs precomputes in this process (the CLI, and workers through PrecomputeJobsModule). */
@Module({ providers: [PrecomputeService], exports: [PrecomputeService] })
export class PrecomputeModule {}

/** Precompute as queued jobs: queued by the API, run by processes in the worker or all role. */
@Module({ imports: [PrecomputeModule, QueueModule], providers: [PrecomputeJobs, StoryAdminService], exports: [PrecomputeJobs, StoryAdminService] })
export class PrecomputeJobsModule {}
