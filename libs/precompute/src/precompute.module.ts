import { Module } from '@nestjs/common';
import { QueueModule } from '@talecast/queue';
import { PrecomputeService } from './precompute.service';
import { PrecomputeJobs } from './precompute-jobs.service';

/** Runs precomputes in this process (the CLI, and workers through PrecomputeJobsModule). */
@Module({ providers: [PrecomputeService], exports: [PrecomputeService] })
export class PrecomputeModule {}

/** Precompute as queued jobs: queued by the API, run by processes in the worker or all role. */
@Module({ imports: [PrecomputeModule, QueueModule], providers: [PrecomputeJobs], exports: [PrecomputeJobs] })
export class PrecomputeJobsModule {}
