// Conv -> conv2d (groups, strides, pads, auto_pad), its weight and bias; Relu fuses into it or a Gemm.
import { dimsOf } from '../onnx-tensor.js';
import type { NodeImporter } from './chain.js';
import { invalid, padsOf, spatial, unsupported } from './node-helpers.js';

export const importConv: NodeImporter = (node, attrs, chain) => {
  const [C, H, W] = spatial(node, chain.shape);
  const weightTensor = chain.constantOf(node, node.input[1], 'weight');
  const [K, Cg, R, S] = dimsOf(weightTensor);
  const groups = attrs.int('group', 1);
  if (dimsOf(weightTensor).length !== 4) unsupported(node, 'only 2-D convolutions are supported.');
  if (Cg * groups !== C) unsupported(node, `weight [${dimsOf(weightTensor).join(', ')}] with group ${groups} does not take ${C} input channels.`);
  attrs.requireOnes('dilations');
  const strides = attrs.ints('strides', [1, 1]);
  const pads = padsOf(node, attrs, H, W, [R, S], strides);
  const bias = node.input[2] ? chain.floats(chain.constantOf(node, node.input[2], 'bias')) : new Float32Array(K);
  if (bias.length !== K) invalid(node, `bias of ${bias.length} values does not match the ${K} output channels of its weight.`);
  chain.convs++;
  chain.push(node, {
    type: 'conv2d', name: chain.uniqueName(`conv${chain.convs}`), outChannels: K, kernel: [R, S], stride: [strides[0], strides[1]], pads, groups, relu: false,
  }, { weight: chain.floats(weightTensor), bias });
};

export const importRelu: NodeImporter = (node, _attrs, chain) => {
  const target = chain.lastWeighted();
  if (!target || target.relu) unsupported(node, 'alexnet-web fuses ReLU into the Conv or Gemm right before it; here there is none.');
  target.relu = true;
};
