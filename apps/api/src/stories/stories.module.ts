import { Module } from '@nestjs/common';
import { RenderModule } from '@talecast/render';
import { StoriesController } from './stories.controller';
import { HeroPreviewController } from './hero-preview.controller';

@Module({ imports: [RenderModule], controllers: [StoriesController, HeroPreviewController] })
export class StoriesModule {}
