// The admin page bundles libs/precompute/src/masks-file.ts (pure). Its type-only import of
// face-keyframes.ts reaches Node-side libs that the web tsconfig does not resolve; these
// declarations stand in for those two modules in the web type-check only (nothing is bundled:
// Vite drops type-only imports).
declare module '@talecast/face' {
  export function canonicalLandmarks(...args: unknown[]): Float32Array;
  export const CANONICAL_INTER_OCULAR: number;
}
declare module '@talecast/geometry' {
  export function centroid(...args: unknown[]): [number, number];
}
