export * from './lifecycle.service';
export * from './records-lifecycle.decorator';
