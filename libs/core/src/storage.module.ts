import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@talecast/config';
import { StorageCore } from '@talecast/storage';

@Global()
@Module({
  providers: [{ provide: StorageCore, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new StorageCore(config.roots) }],
  exports: [StorageCore],
})
export class StorageModule {}
