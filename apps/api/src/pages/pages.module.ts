import { Module } from '@nestjs/common';
import { RenderModule } from '@talecast/render';
import { PrivateLinkController } from './private-link.controller';

/** Page routes outside /api (the private link); the static pages themselves are served by main.ts. */
@Module({ imports: [RenderModule], controllers: [PrivateLinkController] })
export class PagesModule {}
