import { Module } from '@nestjs/common';
import { RenderModule } from '@talecast/render';
import { RendersController } from './renders.controller';

@Module({ imports: [RenderModule], controllers: [RendersController] })
export class RendersModule {}
