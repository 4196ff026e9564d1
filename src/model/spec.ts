// The network as data: the layer list stored in every weights file. Layout is NCHW throughout.

export interface Conv2dLayer {
  type: 'conv2d';
  name: string;
  outChannels: number;
  /** [R, S]: kernel height and width. */
  kernel: [number, number];
  stride: [number, number];
  /** [top, left, bottom, right]. */
  pads: [number, number, number, number];
  groups: number;
  /** ReLU fused after bias. */
  relu: boolean;
}

/** Cross-channel local response normalization. */
export interface LrnLayer {
  type: 'lrn';
  name: string;
  size: number;
  alpha: number;
  beta: number;
  k: number;
  /** 'caffe': alpha is divided by size (Caffe, ONNX, PyTorch); 'tf': used as is (TensorFlow, the paper). */
  alphaConvention: 'caffe' | 'tf';
}

export interface MaxPoolLayer {
  type: 'maxPool';
  name: string;
  kernel: [number, number];
  stride: [number, number];
  /** [top, left, bottom, right]. */
  pads: [number, number, number, number];
  /** Round output sizes up (Caffe, bvlcalexnet-12) instead of down. */
  ceilMode: boolean;
}

export interface FlattenLayer {
  type: 'flatten';
  name: string;
}

export interface FullyConnectedLayer {
  type: 'fullyConnected';
  name: string;
  outFeatures: number;
  relu: boolean;
}

export interface SoftmaxLayer {
  type: 'softmax';
  name: string;
}

export type Layer = Conv2dLayer | LrnLayer | MaxPoolLayer | FlattenLayer | FullyConnectedLayer | SoftmaxLayer;

/** Layers that own weight tensors (`<name>.weight`, `<name>.bias`, optional `<name>.weight_scale`). */
export type WeightedLayer = Conv2dLayer | FullyConnectedLayer;

export function isWeighted(layer: Layer): layer is WeightedLayer {
  return layer.type === 'conv2d' || layer.type === 'fullyConnected';
}

export interface NetworkSpec {
  /** One image: [channels, height, width]. */
  input: { channels: number; height: number; width: number };
  layers: Layer[];
}
