export * from './job-queue.service';
export * from './job-wakeups';
