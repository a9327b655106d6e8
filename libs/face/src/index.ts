export * from './face-types';
export * from './face-models';
export * from './face-detector';
export * from './oriented-landmarks';
export * from './face-analysis.module';
export * from './canonical-face';
export * from './face-api-types';
export * from './iris-model';
