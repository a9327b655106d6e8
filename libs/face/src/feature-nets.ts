// face-api's 68-point landmark network and its expression network, run on their loaded weights
// without face-api's wrappers. Both nets are face-api's FaceFeatureExtractor (four dense blocks
// of depthwise-separable convolutions) and a fully connected layer. Around those kernels face-api
// makes, per inference, a NetInput, three constant planes, a concatenation, a subtraction and a
// division to normalise the input, and a dozen more tensors to scale the 136 outputs (121
// kernels and their garbage per landmark run); here the normalisation and the scaling are done in
// JavaScript with float32 rounding at every step, and the network's kernels are the same ones in
// the same order, so the answers are bit for bit face-api's (feature-nets test in
// face-models.int-spec.ts). Fusing the bias and relu into the convolutions would save more
// kernels but changes the float rounding, and the precompute's tracking amplified that into
// visibly different tracks on the tale (docs/notes/2026-12-07-s12/pre12.md).
import type { FaceApi, FaceApiTensor, Tfjs } from './face-api-types';

/** The nets' input side and face-api's normalisation (FaceFeatureExtractor.forwardInput). */
export const FEATURE_NET_INPUT = 112;
const MEAN_RGB = [122.782, 117.001, 104.298].map(Math.fround);

interface SeparableConv {
  depthwise_filter: FaceApiTensor;
  pointwise_filter: FaceApiTensor;
  bias: FaceApiTensor;
}
interface DenseBlock {
  conv0: SeparableConv | { filters: FaceApiTensor; bias: FaceApiTensor };
  conv1: SeparableConv;
  conv2: SeparableConv;
  conv3: SeparableConv;
}
interface FeatureNet {
  faceFeatureExtractor: { params: { dense0: DenseBlock; dense1: DenseBlock; dense2: DenseBlock; dense3: DenseBlock } };
  params: { fc: { weights: FaceApiTensor; bias: FaceApiTensor } };
}

/**
 * The nets' input tensor ([1, 112, 112, 3], ours to dispose) from a crop of 0..255 RGB floats
 * (FEATURE_NET_INPUT² × 3): (value − channel mean) / 255 in float32, as face-api computes it.
 */
export function featureNetInput(tf: Tfjs, rgb: Float32Array): FaceApiTensor {
  const n = FEATURE_NET_INPUT * FEATURE_NET_INPUT * 3;
  if (rgb.length !== n) throw new RangeError(`expected ${n} values, got ${rgb.length}`);
  const normalised = new Float32Array(n);
  for (let i = 0; i < n; i += 3) for (let c = 0; c < 3; c++) normalised[i + c] = Math.fround(Math.fround(rgb[i + c] - MEAN_RGB[c]) / 255);
  return tf.tensor4d(normalised, [1, FEATURE_NET_INPUT, FEATURE_NET_INPUT, 3], 'float32');
}

/** The 68 landmarks (x, y interleaved) in input pixels (0..112) for a featureNetInput tensor: face-api's detectLandmarks on a square input. */
export async function landmarkNetPoints(tf: Tfjs, faceapi: FaceApi, input: FaceApiTensor): Promise<Float32Array> {
  const out = await runNet(tf, faceapi.nets.faceLandmark68Net as FeatureNet, input, false);
  // face-api: (out × 112 − padding 0) / 112 in float32, then × 112 in its Point arithmetic
  // (stored as float32 by our callers, as before).
  const s = FEATURE_NET_INPUT;
  return out.map((v) => Math.fround(Math.fround(v * s) / s) * s);
}

/** The 7 expression probabilities (face-api's order: neutral, happy, sad, angry, fearful, disgusted, surprised) for a featureNetInput tensor. */
export function expressionNetScores(tf: Tfjs, faceapi: FaceApi, input: FaceApiTensor): Promise<Float32Array> {
  return runNet(tf, faceapi.nets.faceExpressionNet as FeatureNet, input, true);
}

async function runNet(tf: Tfjs, net: FeatureNet, input: FaceApiTensor, softmax: boolean): Promise<Float32Array> {
  const extractor = net.faceFeatureExtractor.params;
  if (!extractor || !net.params) throw new Error('load the network before inference');
  const y = tf.tidy(() => {
    let x = denseBlock(tf, input, extractor.dense0, true);
    x = denseBlock(tf, x, extractor.dense1, false);
    x = denseBlock(tf, x, extractor.dense2, false);
    x = denseBlock(tf, x, extractor.dense3, false);
    x = tf.avgPool(x, [7, 7], [2, 2], 'valid');
    const logits = tf.add(tf.matMul(tf.reshape(x, [1, -1]), net.params.fc.weights), net.params.fc.bias);
    return softmax ? tf.softmax(logits) : logits;
  });
  try {
    return Float32Array.from(await y.data());
  } finally {
    y.dispose();
  }
}

/** face-api's denseBlock4, kernel for kernel (the sums in its order: float addition is not associative). */
function denseBlock(tf: Tfjs, x: FaceApiTensor, p: DenseBlock, first: boolean): FaceApiTensor {
  const out1 = tf.relu(
    first && 'filters' in p.conv0 ? tf.add(tf.conv2d(x, p.conv0.filters, [2, 2], 'same'), p.conv0.bias) : separable(tf, x, p.conv0 as SeparableConv, 2),
  );
  const out2 = separable(tf, out1, p.conv1, 1);
  const in3 = tf.relu(tf.add(out1, out2));
  const out3 = separable(tf, in3, p.conv2, 1);
  const in4 = tf.relu(tf.add(out1, tf.add(out2, out3)));
  const out4 = separable(tf, in4, p.conv3, 1);
  return tf.relu(tf.add(out1, tf.add(out2, tf.add(out3, out4))));
}

/** face-api's depthwiseSeparableConv: the separable convolution, then the bias. */
function separable(tf: Tfjs, x: FaceApiTensor, p: SeparableConv, stride: number): FaceApiTensor {
  return tf.add(tf.separableConv2d(x, p.depthwise_filter, p.pointwise_filter, [stride, stride], 'same'), p.bias);
}
