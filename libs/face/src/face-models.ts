// Loads the face models once per process: @vladmandic/face-api on tfjs, with the native
// tfjs-node binding when it is installed and loads, else the WASM backend. Weights and .wasm
// files come from node_modules; this module must never fetch anything from the network.
import path from 'node:path';
import { installWasmConcatKernel } from './wasm-concat-kernel';
import type { FaceApi, Tfjs } from './face-api-types';

export type FaceBackend = 'tfjs-node' | 'wasm';

export interface LoadedFaceModels {
  backend: FaceBackend;
  faceapi: FaceApi;
  tf: Tfjs;
  models: string[];
  loadMs: number;
}

/** The face-api networks this project uses. */
export const FACE_NETS = ['ssdMobilenetv1', 'tinyFaceDetector', 'faceLandmark68Net', 'faceExpressionNet', 'faceRecognitionNet'] as const;
export type FaceNetName = (typeof FACE_NETS)[number];

let backendLoading: Promise<Omit<LoadedFaceModels, 'models'>> | undefined;
const netsLoading = new Map<FaceNetName, Promise<void>>();

/** Directory of the model weights shipped inside @vladmandic/face-api. */
export function modelDirectory(): string {
  return path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

/** Directory of the sample photos shipped inside @vladmandic/face-api. */
export function samplePhotoDirectory(): string {
  return path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
}

/**
 * The backend and the networks asked for (every one by default), each loaded once per process (a
 * later call asking for more loads only what is missing). A precompute worker asks for the three it
 * runs: SSD and the recognition net are 0.8 s of loading per worker that it never uses.
 */
export async function loadFaceModels(preference: 'auto' | 'wasm' | 'tfjs-node' = 'auto', nets: readonly FaceNetName[] = FACE_NETS): Promise<LoadedFaceModels> {
  const started = Date.now();
  backendLoading ??= loadBackend(preference).catch((err) => {
    backendLoading = undefined;
    throw err;
  });
  const backend = await backendLoading;
  const dir = modelDirectory();
  for (const name of nets) {
    if (!netsLoading.has(name)) {
      netsLoading.set(
        name,
        backend.faceapi.nets[name].loadFromDisk(dir).catch((err: unknown) => {
          netsLoading.delete(name);
          throw err;
        }),
      );
    }
    await netsLoading.get(name);
  }
  return { ...backend, models: FACE_NETS.filter((n) => netsLoading.has(n)), loadMs: backend.loadMs + (Date.now() - started) };
}

async function loadBackend(preference: 'auto' | 'wasm' | 'tfjs-node'): Promise<Omit<LoadedFaceModels, 'models'>> {
  const started = Date.now();
  // The WASM glue (emscripten) installs a process-wide 'unhandledRejection' handler that rethrows,
  // turning any stray rejection anywhere in the process into a crash; it is removed after loading.
  const rejectionHandlers = new Set(process.listeners('unhandledRejection'));
  let backend: FaceBackend = 'wasm';
  let faceapi: FaceApi;
  let tf: Tfjs;
  if (preference !== 'wasm' && nativeBindingLoads()) {
    tf = require('@tensorflow/tfjs-node');
    faceapi = require('@vladmandic/face-api/dist/face-api.node.js');
    backend = 'tfjs-node';
  } else {
    if (preference === 'tfjs-node') throw new Error('TALECAST_FACE_BACKEND=tfjs-node but @tensorflow/tfjs-node is not installed or its binding does not load');
    tf = require('@tensorflow/tfjs');
    const wasm = require('@tensorflow/tfjs-backend-wasm');
    const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
    // usePlatformFetch=false: emscripten reads the .wasm from disk instead of fetching a URL.
    wasm.setWasmPaths(wasmDir, false);
    faceapi = require('@vladmandic/face-api/dist/face-api.node-wasm.js');
    installWasmConcatKernel(tf);
    await tf.setBackend('wasm');
  }
  await tf.ready();
  for (const l of process.listeners('unhandledRejection')) if (!rejectionHandlers.has(l)) process.removeListener('unhandledRejection', l);
  return { backend, faceapi, tf, loadMs: Date.now() - started };
}

function nativeBindingLoads(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
  } catch {
    return false;
  }
  try {
    require('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}
