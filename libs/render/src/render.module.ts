import { Module } from '@nestjs/common';
import { FaceUploadModule } from '@talecast/face-upload';
import { VoiceModule } from '@talecast/voice';
import { RenderService } from './render.service';
import { RenderWorker } from './render-worker.service';
import { HeroPreviewService } from './hero-preview.service';
import { DirectRenderService } from './direct-render.service';

@Module({
  imports: [FaceUploadModule, VoiceModule],
  providers: [RenderService, RenderWorker, HeroPreviewService, DirectRenderService],
  exports: [RenderService, RenderWorker, HeroPreviewService, DirectRenderService],
})
export class RenderModule {}
