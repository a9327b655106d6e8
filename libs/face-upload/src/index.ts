export * from './image-intake';
export * from './face-quality';
export * from './face-aligner';
export * from './face-upload.service';
export * from './face-upload.module';
export * from './photo-analysis-pool';
