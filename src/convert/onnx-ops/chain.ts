// The layer chain an ONNX graph is read into, as each node importer sees it: the activation shape so
// far, the graph's constants, and the layer list it appends to.
import type { ActivationShape } from '../../model/shapes.js';
import type { Conv2dLayer, FullyConnectedLayer, Layer } from '../../model/spec.js';
import type { OnnxNode, OnnxTensor } from '../onnx-proto.js';
import type { Attributes } from './node-helpers.js';

/** Float weights of one imported layer: [K, C/G, R, S] or [O, I], and the bias. */
export interface FloatLayerWeights {
  weight: Float32Array;
  bias: Float32Array;
}

export interface Chain {
  /** [C, H, W] or [features] of the chain's output so far (batch left out). */
  readonly shape: ActivationShape;
  /** The name of the chain's output so far. */
  readonly current: string;
  readonly opset: number;
  /** Convolutions and fully connected layers so far: layers are named conv1, norm1, pool1, fc6... by them. */
  convs: number;
  fcs: number;
  /** An initializer (or Constant) by name. */
  constant(name: string | undefined): OnnxTensor | undefined;
  /** The initializer `name` a node reads as its `what`; ONNX_UNSUPPORTED when it is computed in the graph. */
  constantOf(node: OnnxNode, name: string | undefined, what: string): OnnxTensor;
  /** A float tensor's values (external data read where it lives). */
  floats(tensor: OnnxTensor): Float32Array;
  /** `base`, or `base_2`... when a layer has it already. */
  uniqueName(base: string): string;
  /** Appends a layer (checked as the loader would, naming `node` when it cannot load). */
  push(node: OnnxNode, layer: Layer, weights?: FloatLayerWeights): void;
  /** The last layer where it is a conv2d or fullyConnected (ReLU and bias fold into it). */
  lastWeighted(): Conv2dLayer | FullyConnectedLayer | undefined;
  weightsOf(layer: string): FloatLayerWeights;
  /** Drops a node that does nothing at inference, and says so. */
  fold(node: OnnxNode): void;
}

/** Reads one chain node: appends its layer, folds it into the one before, or refuses it. */
export type NodeImporter = (node: OnnxNode, attrs: Attributes, chain: Chain) => void;
