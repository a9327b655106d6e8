import { Module } from '@nestjs/common';
import { FaceUploadModule } from '@talecast/face-upload';
import { VoiceModule } from '@talecast/voice';
import { RenderService } from './render.service';
import { RenderWorker } from './render-worker.service';

@Module({ imports: [FaceUploadModule, VoiceModule], providers: [RenderService, RenderWorker], exports: [RenderService, RenderWorker] })
export class RenderModule {}
