// MaxPool -> maxPool (ceil mode, pads); AveragePool and GlobalAveragePool only where they do nothing.
import type { NodeImporter } from './chain.js';
import { padsOf, spatial, unsupported } from './node-helpers.js';

export const importMaxPool: NodeImporter = (node, attrs, chain) => {
  const [, H, W] = spatial(node, chain.shape);
  if (node.output.length > 1 && node.output[1]) unsupported(node, 'the Indices output is not supported.');
  attrs.requireOnes('dilations');
  const kernel = attrs.ints('kernel_shape', []);
  const strides = attrs.ints('strides', [1, 1]);
  chain.push(node, {
    type: 'maxPool', name: chain.uniqueName(`pool${chain.convs}`), kernel: [kernel[0], kernel[1]], stride: [strides[0], strides[1]],
    pads: padsOf(node, attrs, H, W, kernel, strides), ceilMode: attrs.int('ceil_mode', 0) === 1,
  });
};

export const importAveragePool: NodeImporter = (node, attrs, chain) => {
  const [, H, W] = spatial(node, chain.shape);
  const identity = node.op_type === 'GlobalAveragePool'
    ? H === 1 && W === 1
    : attrs.ints('kernel_shape', []).every((k) => k === 1) && attrs.ints('strides', [1, 1]).every((s) => s === 1) && attrs.ints('pads', [0, 0, 0, 0]).every((p) => p === 0);
  if (!identity) unsupported(node, `only an average pool that does nothing (1x1 window, or global over 1x1) is supported; the input here is ${H}x${W}.`);
  chain.fold(node);
};
