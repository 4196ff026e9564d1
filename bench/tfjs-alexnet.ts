// The same network built from TensorFlow.js ops on its wasm backend (NHWC): grouped convolutions as
// split + conv + concat, LRN with TF's convention (alpha not divided by the window).
import * as tf from '@tensorflow/tfjs-core';
import type { NetworkSpec } from '../src/model/spec.js';
import { planNetwork } from '../src/model/shapes.js';
import type { FloatWeights } from '../test/onnx-builder.js';

interface Built {
  run(input: tf.Tensor4D): tf.Tensor;
  dispose(): void;
}

// [K, C/G, R, S] -> G tensors [R, S, C/G, K/G] (HWIO)
function convFilters(weight: Float32Array, K: number, Cg: number, R: number, S: number, G: number): tf.Tensor4D[] {
  const Kg = K / G;
  return Array.from({ length: G }, (_, g) => {
    const hwio = new Float32Array(R * S * Cg * Kg);
    for (let k = 0; k < Kg; k++) for (let c = 0; c < Cg; c++) for (let r = 0; r < R; r++) for (let s = 0; s < S; s++) {
      hwio[((r * S + s) * Cg + c) * Kg + k] = weight[(((g * Kg + k) * Cg + c) * R + r) * S + s];
    }
    return tf.tensor4d(hwio, [R, S, Cg, Kg]);
  });
}

export function buildTfjsAlexNet(spec: NetworkSpec, weights: Map<string, FloatWeights>): Built {
  const plans = planNetwork(spec);
  const held: tf.Tensor[] = [];
  const steps: ((x: tf.Tensor) => tf.Tensor)[] = [];
  for (const plan of plans) {
    const { layer } = plan;
    if (layer.type === 'conv2d') {
      const w = weights.get(layer.name)!;
      const [C] = plan.inputShape;
      const [R, S] = layer.kernel;
      const filters = convFilters(w.weight, layer.outChannels, C / layer.groups, R, S, layer.groups);
      const bias = tf.tensor1d(w.bias);
      held.push(...filters, bias);
      const [t, l, b, r] = layer.pads;
      const pad: [[number, number], [number, number], [number, number], [number, number]] = [[0, 0], [t, b], [l, r], [0, 0]];
      steps.push((x) => {
        const parts = layer.groups === 1 ? [x] : tf.split(x, layer.groups, 3);
        const outs = parts.map((part, g) => tf.conv2d(part as tf.Tensor4D, filters[g], layer.stride, pad));
        const joined = outs.length === 1 ? outs[0] : tf.concat(outs, 3);
        const biased = tf.add(joined, bias);
        return layer.relu ? tf.relu(biased) : biased;
      });
    } else if (layer.type === 'lrn') {
      const radius = Math.floor(layer.size / 2);
      const alpha = layer.alphaConvention === 'caffe' ? layer.alpha / layer.size : layer.alpha;
      steps.push((x) => tf.localResponseNormalization(x as tf.Tensor4D, radius, layer.k, alpha, layer.beta));
    } else if (layer.type === 'maxPool') {
      steps.push((x) => tf.maxPool(x as tf.Tensor4D, layer.kernel, layer.stride, 'valid'));
    } else if (layer.type === 'flatten') {
      // Back to NCHW order first so fc6 sees the same feature order as the other engines.
      steps.push((x) => tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [x.shape[0], -1]));
    } else if (layer.type === 'fullyConnected') {
      const w = weights.get(layer.name)!;
      const I = plan.inputShape[0];
      const matrix = tf.transpose(tf.tensor2d(w.weight, [layer.outFeatures, I]));
      const bias = tf.tensor1d(w.bias);
      held.push(matrix, bias);
      steps.push((x) => {
        const y = tf.add(tf.matMul(x as tf.Tensor2D, matrix as tf.Tensor2D), bias);
        return layer.relu ? tf.relu(y) : y;
      });
    } else {
      steps.push((x) => tf.softmax(x));
    }
  }
  return {
    run: (input) => tf.tidy(() => steps.reduce<tf.Tensor>((x, step) => step(x), input)),
    dispose: () => held.forEach((t) => t.dispose()),
  };
}
