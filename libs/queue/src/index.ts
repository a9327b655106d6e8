export * from './job-queue.service';
