import { Module } from '@nestjs/common';
import { PrecomputeService } from './precompute.service';

@Module({ providers: [PrecomputeService], exports: [PrecomputeService] })
export class PrecomputeModule {}
