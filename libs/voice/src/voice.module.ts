import { Module } from '@nestjs/common';
import { RecordingService } from './recording.service';

/** Recordings of a child's voice (API, CLI and render workers). */
@Module({ providers: [RecordingService], exports: [RecordingService] })
export class VoiceModule {}
