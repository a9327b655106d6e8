import { Module } from '@nestjs/common';
import { FaceUploadService } from './face-upload.service';

@Module({ providers: [FaceUploadService], exports: [FaceUploadService] })
export class FaceUploadModule {}
