import { Module } from '@nestjs/common';
import { FaceUploadModule } from '@talecast/face-upload';
import { RenderService } from './render.service';
import { RenderWorker } from './render-worker.service';

@Module({ imports: [FaceUploadModule], providers: [RenderService, RenderWorker], exports: [RenderService, RenderWorker] })
export class RenderModule {}
