// A faster Concat kernel for tfjs's WASM backend. The stock kernel (written in JavaScript) copies
// one subarray per outer row; face-api normalises every network input by concatenating three
// one-channel planes along the channel axis, so each landmark or expression inference made
// 112·112 rows of 1 value each (profiled: ~13% of the precompute's analysis CPU, plus the garbage
// collection of the subarrays). This kernel copies short rows value by value instead.
// It only moves values, never computes: results are identical to the stock kernel's.
import type { Tfjs } from './face-api-types';

/** A numeric typed array as the WASM heap exposes it. */
type Values = Float32Array | Int32Array | Uint8Array;

/** Rows shorter than this are copied value by value; longer ones with `set` (native copy). */
const SHORT_ROW = 64;

/**
 * Concatenation of row-major arrays along one axis: every input is `outer` rows of `inner[i]`
 * values; the output is `outer` rows of sum(inner) values, each row the inputs' rows side by side.
 */
export function concatRows(inputs: readonly Values[], inner: readonly number[], outer: number, out: Values): void {
  let o = 0;
  for (let b = 0; b < outer; b++) {
    for (let i = 0; i < inputs.length; i++) {
      const n = inner[i];
      const src = inputs[i];
      const from = b * n;
      if (n < SHORT_ROW) {
        for (let k = 0; k < n; k++) out[o + k] = src[from + k];
      } else {
        out.set(src.subarray(from, from + n), o);
      }
      o += n;
    }
  }
}

interface TensorInfo {
  shape: number[];
  dtype: string;
  dataId: object;
}

interface WasmBackend {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Values;
}

/**
 * Replaces the 'wasm' backend's Concat kernel (call after the backend is registered). Cases it
 * does not handle (strings, empty or single inputs) go to the stock kernel.
 */
export function installWasmConcatKernel(tf: Tfjs): void {
  const stock = tf.getKernel('Concat', 'wasm');
  if (!stock) throw new Error('the wasm backend has no Concat kernel to replace');
  const kernelFunc = (args: { inputs: TensorInfo[]; backend: WasmBackend; attrs: { axis: number | number[] } }) => {
    const { inputs, backend } = args;
    const dtype = inputs[0].dtype;
    const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
    if (inputs.length < 2 || dtype === 'string' || inputs.some((t) => t.dtype !== dtype || size(t.shape) === 0)) return stock.kernelFunc(args);
    const axis = tf.util.parseAxisParam(args.attrs.axis, inputs[0].shape)[0] as number;
    const shapes = inputs.map((t) => t.shape);
    tf.backend_util.assertParamsConsistent(shapes, axis);
    const outShape: number[] = tf.backend_util.computeOutShape(shapes, axis);
    const out = backend.makeOutput(outShape, dtype);
    concatRows(
      inputs.map((t) => backend.typedArrayFromHeap(t)),
      shapes.map((s) => size(s.slice(axis))),
      size(shapes[0].slice(0, axis)),
      backend.typedArrayFromHeap(out),
    );
    return out;
  };
  tf.unregisterKernel('Concat', 'wasm');
  tf.registerKernel({ kernelName: 'Concat', backendName: 'wasm', kernelFunc });
}
