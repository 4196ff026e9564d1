// The valid files every fuzz case starts from: a tiny AlexNet-shaped network (every layer type,
// groups, LRN, ceil-mode pools) small enough that thousands of loads fit in CI time.
import type { NetworkSpec } from '../../src/model/spec.js';
import { convertToBytes } from '../helpers.js';
import { encodeJpeg, encodePng, pattern } from '../images.js';
import { BVLC_STYLE, buildOnnx, heInitialized } from '../onnx-builder.js';

export const TINY_SPEC: NetworkSpec = {
  input: { channels: 3, height: 35, width: 35 },
  layers: [
    { type: 'conv2d', name: 'conv1', outChannels: 8, kernel: [5, 5], stride: [2, 2], pads: [0, 0, 0, 0], groups: 1, relu: true },
    { type: 'lrn', name: 'norm1', size: 5, alpha: 1e-4, beta: 0.75, k: 1, alphaConvention: 'caffe' },
    { type: 'maxPool', name: 'pool1', kernel: [3, 3], stride: [2, 2], pads: [0, 0, 0, 0], ceilMode: true },
    { type: 'conv2d', name: 'conv2', outChannels: 16, kernel: [3, 3], stride: [1, 1], pads: [1, 1, 1, 1], groups: 2, relu: true },
    { type: 'maxPool', name: 'pool2', kernel: [3, 3], stride: [2, 2], pads: [0, 0, 0, 0], ceilMode: false },
    { type: 'flatten', name: 'flatten' },
    { type: 'fullyConnected', name: 'fc6', outFeatures: 32, relu: true },
    { type: 'fullyConnected', name: 'fc8', outFeatures: 10, relu: false },
    { type: 'softmax', name: 'prob' },
  ],
};

let onnx: Uint8Array | undefined;
const weights = new Map<string, Uint8Array>();

export function tinyOnnx(): Uint8Array {
  onnx ??= buildOnnx(TINY_SPEC, heInitialized(TINY_SPEC, 11), BVLC_STYLE);
  return onnx;
}

export function tinyWeights(quantize: 'int8' | 'f16' | 'f32'): Uint8Array {
  let bytes = weights.get(quantize);
  if (!bytes) {
    bytes = convertToBytes(tinyOnnx(), { quantize, name: 'tiny' });
    weights.set(quantize, bytes);
  }
  return bytes;
}

export const SEED_IMAGES = {
  png: () => encodePng(pattern(40, 30, 7)),
  jpeg: () => encodeJpeg(pattern(40, 30, 8)),
};
