// Built-in layer lists of the two AlexNets people bring most: Caffe's BVLC network and torchvision's.
import type { Conv2dLayer, Layer, MaxPoolLayer, NetworkSpec } from './spec.js';

const NO_PADS: [number, number, number, number] = [0, 0, 0, 0];

function conv(name: string, outChannels: number, kernel: number, stride: number, pad: number, groups: number): Conv2dLayer {
  return { type: 'conv2d', name, outChannels, kernel: [kernel, kernel], stride: [stride, stride], pads: [pad, pad, pad, pad], groups, relu: true };
}

function pool(name: string, ceilMode: boolean): MaxPoolLayer {
  return { type: 'maxPool', name, kernel: [3, 3], stride: [2, 2], pads: NO_PADS, ceilMode };
}

function classifierHead(hidden: number, classes: number, softmax: boolean): Layer[] {
  const head: Layer[] = [
    { type: 'flatten', name: 'flatten' },
    { type: 'fullyConnected', name: 'fc6', outFeatures: hidden, relu: true },
    { type: 'fullyConnected', name: 'fc7', outFeatures: hidden, relu: true },
    { type: 'fullyConnected', name: 'fc8', outFeatures: classes, relu: false },
  ];
  return softmax ? [...head, { type: 'softmax', name: 'prob' }] : head;
}

/**
 * Caffe's bvlc_alexnet: 227x227 input, groups of 2 in conv2/4/5, LRN (5, 1e-4, 0.75, k 1) after
 * conv1 and conv2, ceil-mode pools, softmax output. `inputSize` 224 gives the ONNX model zoo's geometry.
 */
export function bvlcAlexNet(options: { classes?: number; inputSize?: number; widths?: number[]; hidden?: number } = {}): NetworkSpec {
  const { classes = 1000, inputSize = 227, widths = [96, 256, 384, 384, 256], hidden = 4096 } = options;
  const norm = (name: string): Layer => ({ type: 'lrn', name, size: 5, alpha: 1e-4, beta: 0.75, k: 1, alphaConvention: 'caffe' });
  return {
    input: { channels: 3, height: inputSize, width: inputSize },
    layers: [
      conv('conv1', widths[0], 11, 4, 0, 1), norm('norm1'), pool('pool1', true),
      conv('conv2', widths[1], 5, 1, 2, 2), norm('norm2'), pool('pool2', true),
      conv('conv3', widths[2], 3, 1, 1, 1),
      conv('conv4', widths[3], 3, 1, 1, 2),
      conv('conv5', widths[4], 3, 1, 1, 2), pool('pool5', true),
      ...classifierHead(hidden, classes, true),
    ],
  };
}

/** torchvision.models.alexnet: 224 input, 64/192/384/256/256 channels, no LRN, no groups, logits out. */
export function torchvisionAlexNet(options: { classes?: number } = {}): NetworkSpec {
  const { classes = 1000 } = options;
  return {
    input: { channels: 3, height: 224, width: 224 },
    layers: [
      conv('conv1', 64, 11, 4, 2, 1), pool('pool1', false),
      conv('conv2', 192, 5, 1, 2, 1), pool('pool2', false),
      conv('conv3', 384, 3, 1, 1, 1),
      conv('conv4', 256, 3, 1, 1, 1),
      conv('conv5', 256, 3, 1, 1, 1), pool('pool5', false),
      ...classifierHead(4096, classes, false),
    ],
  };
}
