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

let loading: Promise<LoadedFaceModels> | undefined;

/** Directory of the model weights shipped inside @vladmandic/face-api. */
export function modelDirectory(): string {
  return path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'model');
}

/** Directory of the sample photos shipped inside @vladmandic/face-api. */
export function samplePhotoDirectory(): string {
  return path.join(path.dirname(require.resolve('@vladmandic/face-api/package.json')), 'demo');
}

export function loadFaceModels(preference: 'auto' | 'wasm' | 'tfjs-node' = 'auto'): Promise<LoadedFaceModels> {
  loading ??= load(preference).catch((err) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

async function load(preference: 'auto' | 'wasm' | 'tfjs-node'): Promise<LoadedFaceModels> {
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
  const dir = modelDirectory();
  const nets = faceapi.nets;
  const models = ['ssdMobilenetv1', 'tinyFaceDetector', 'faceLandmark68Net', 'faceExpressionNet', 'faceRecognitionNet'];
  for (const name of models) await nets[name].loadFromDisk(dir);
  return { backend, faceapi, tf, models, loadMs: Date.now() - started };
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
