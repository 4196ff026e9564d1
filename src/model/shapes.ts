// Shape inference: walks the layer list once, checks every attribute, and says which layer is wrong.
import { AlexNetError, describeValue } from '../errors.js';
import type { Conv2dLayer, FullyConnectedLayer, Layer, MaxPoolLayer, NetworkSpec } from './spec.js';

/** Shape of one image's activation: [C, H, W] before flatten, [F] after. */
export type ActivationShape = [number, number, number] | [number];

export interface LayerPlan {
  layer: Layer;
  inputShape: ActivationShape;
  outputShape: ActivationShape;
  /** Expected weight tensor shapes by name, for weighted layers. */
  weightShapes: Map<string, number[]>;
  parameters: number;
  /** Whether every input value is >= 0: it comes from a ReLU (through pooling, LRN or flatten). */
  inputNonNegative: boolean;
}

/** Whether a layer's output is never negative, given whether its input is. */
function outputNonNegative(layer: Layer, inputNonNegative: boolean): boolean {
  switch (layer.type) {
    case 'conv2d':
    case 'fullyConnected':
      return layer.relu;
    case 'softmax':
      return true;
    default:
      // Max-pool, flatten and LRN (a positive divisor) keep the sign.
      return inputNonNegative;
  }
}

export function elementsOf(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

/** The most layers a network may have (AlexNet has 23): more is a hostile or broken file. */
export const MAX_LAYERS = 1000;

/** The largest size, channel count, kernel, stride or pad a layer may declare. */
export const MAX_DIMENSION = 1 << 20;

function fail(layer: Layer, message: string): never {
  throw new AlexNetError('MODEL_INVALID', `Layer "${layer.name}" (${layer.type}): ${message}`);
}

/** LRN constants read: k^-beta stays finite in f32 and zero input stays zero (k = 0 would give 0 x Inf). */
export const LRN_RANGES = { k: [1e-4, 1e4], alpha: [0, 1e4], beta: [0, 4] } as const;

function requireInRange(layer: Layer, name: string, value: unknown, [min, max]: readonly [number, number]): void {
  if (typeof value !== 'number' || !(value >= min && value <= max)) fail(layer, `${name} must be a number from ${min} to ${max}, found ${describeValue(value)}.`);
}

function requirePositiveIntegers(layer: Layer, what: string, values: readonly number[], allowZero = false): void {
  for (const value of values) {
    if (!Number.isInteger(value) || value < (allowZero ? 0 : 1) || value > MAX_DIMENSION) {
      fail(layer, `${what} must be ${allowZero ? 'non-negative' : 'positive'} integers up to ${MAX_DIMENSION}, found [${values.map(describeValue).join(', ')}].`);
    }
  }
}

/** A field that must be a list of `length` numbers (checked as integers by requirePositiveIntegers). */
function requireList(layer: Layer, field: string, value: unknown, length: number): number[] {
  if (!Array.isArray(value) || value.length !== length) fail(layer, `${field} must be a list of ${length} integers, found ${describeValue(value)}.`);
  return value as number[];
}

function requireBoolean(layer: Layer, field: string, value: unknown): void {
  if (typeof value !== 'boolean') fail(layer, `${field} must be true or false, found ${describeValue(value)}.`);
}

function requireSpatial(layer: Layer, shape: ActivationShape): [number, number, number] {
  if (shape.length !== 3) fail(layer, `expects a [C, H, W] input but the previous layer gives a flat [${shape[0]}].`);
  return shape;
}

/** Output size of a sliding window: floor or ceil, with the Caffe/PyTorch rule that the last window starts inside. */
export function slidingOutputSize(input: number, kernel: number, stride: number, padBefore: number, padAfter: number, ceil: boolean): number {
  const span = input + padBefore + padAfter - kernel;
  let size = (ceil ? Math.ceil(span / stride) : Math.floor(span / stride)) + 1;
  if (ceil && (size - 1) * stride >= input + padBefore) size -= 1;
  return size;
}

function planConv2d(layer: Conv2dLayer, shape: ActivationShape): [ActivationShape, Map<string, number[]>] {
  const [C, H, W] = requireSpatial(layer, shape);
  const [R, S] = requireList(layer, 'kernel', layer.kernel, 2);
  const stride = requireList(layer, 'stride', layer.stride, 2);
  const pads = requireList(layer, 'pads', layer.pads, 4);
  requireBoolean(layer, 'relu', layer.relu);
  const { outChannels: K, groups: G } = layer;
  requirePositiveIntegers(layer, 'outChannels, kernel, stride and groups', [K, R, S, ...stride, G]);
  requirePositiveIntegers(layer, 'pads', pads, true);
  if (C % G !== 0 || K % G !== 0) fail(layer, `input channels (${C}) and outChannels (${K}) must both divide by groups (${G}).`);
  const OH = slidingOutputSize(H, R, stride[0], pads[0], pads[2], false);
  const OW = slidingOutputSize(W, S, stride[1], pads[1], pads[3], false);
  if (OH < 1 || OW < 1) fail(layer, `a ${R}x${S} kernel does not fit the ${H}x${W} input with pads [${pads.join(', ')}].`);
  const weights = new Map([[`${layer.name}.weight`, [K, C / G, R, S]], [`${layer.name}.bias`, [K]]]);
  return [[K, OH, OW], weights];
}

function planMaxPool(layer: MaxPoolLayer, shape: ActivationShape): ActivationShape {
  const [C, H, W] = requireSpatial(layer, shape);
  const kernel = requireList(layer, 'kernel', layer.kernel, 2);
  const stride = requireList(layer, 'stride', layer.stride, 2);
  const pads = requireList(layer, 'pads', layer.pads, 4);
  requireBoolean(layer, 'ceilMode', layer.ceilMode);
  const { ceilMode } = layer;
  requirePositiveIntegers(layer, 'kernel and stride', [...kernel, ...stride]);
  requirePositiveIntegers(layer, 'pads', pads, true);
  if (pads[0] >= kernel[0] || pads[2] >= kernel[0] || pads[1] >= kernel[1] || pads[3] >= kernel[1]) {
    fail(layer, `pads [${pads.join(', ')}] must be smaller than the ${kernel[0]}x${kernel[1]} kernel, or a window would hold only padding.`);
  }
  const OH = slidingOutputSize(H, kernel[0], stride[0], pads[0], pads[2], ceilMode);
  const OW = slidingOutputSize(W, kernel[1], stride[1], pads[1], pads[3], ceilMode);
  if (OH < 1 || OW < 1) fail(layer, `a ${kernel[0]}x${kernel[1]} window does not fit the ${H}x${W} input.`);
  return [C, OH, OW];
}

function planFullyConnected(layer: FullyConnectedLayer, shape: ActivationShape): [ActivationShape, Map<string, number[]>] {
  requirePositiveIntegers(layer, 'outFeatures', [layer.outFeatures]);
  requireBoolean(layer, 'relu', layer.relu);
  const inFeatures = elementsOf(shape);
  const weights = new Map([[`${layer.name}.weight`, [layer.outFeatures, inFeatures]], [`${layer.name}.bias`, [layer.outFeatures]]]);
  return [[layer.outFeatures], weights];
}

/** Plans every layer of `spec` for one image; throws MODEL_INVALID naming the first bad layer. */
export function planNetwork(spec: NetworkSpec): LayerPlan[] {
  if (typeof spec !== 'object' || spec === null) throw new AlexNetError('MODEL_INVALID', `the network must be an object, found ${describeValue(spec)}.`);
  const { channels, height, width } = typeof spec.input === 'object' && spec.input !== null ? spec.input : ({} as Partial<NetworkSpec['input']>);
  if (![channels, height, width].every((v) => Number.isInteger(v) && v! > 0 && v! <= MAX_DIMENSION)) {
    throw new AlexNetError('MODEL_INVALID', `input must be positive integer {channels, height, width}, found ${describeValue(spec.input)}.`);
  }
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) {
    throw new AlexNetError('MODEL_INVALID', 'the network has no layers.');
  }
  if (spec.layers.length > MAX_LAYERS) throw new AlexNetError('MODEL_INVALID', `the network has ${spec.layers.length} layers; at most ${MAX_LAYERS} are read.`);
  const names = new Set<string>();
  let shape: ActivationShape = [channels!, height!, width!];
  // A normalized image can be negative.
  let nonNegative = false;
  return spec.layers.map((layer) => {
    if (typeof layer?.name !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(layer.name)) {
      throw new AlexNetError('MODEL_INVALID', `every layer needs a name of letters, digits, '_', '.' or '-', found ${describeValue(layer?.name)}.`);
    }
    if (names.has(layer.name)) fail(layer, 'the name is used twice.');
    names.add(layer.name);
    const inputShape = shape;
    let weightShapes = new Map<string, number[]>();
    switch (layer.type) {
      case 'conv2d':
        [shape, weightShapes] = planConv2d(layer, shape);
        break;
      case 'fullyConnected':
        [shape, weightShapes] = planFullyConnected(layer, shape);
        break;
      case 'maxPool':
        shape = planMaxPool(layer, shape);
        break;
      case 'lrn':
        requireSpatial(layer, shape);
        requirePositiveIntegers(layer, 'size', [layer.size]);
        requireInRange(layer, 'k', layer.k, LRN_RANGES.k);
        requireInRange(layer, 'alpha', layer.alpha, LRN_RANGES.alpha);
        requireInRange(layer, 'beta', layer.beta, LRN_RANGES.beta);
        if (layer.alphaConvention !== 'caffe' && layer.alphaConvention !== 'tf') {
          fail(layer, `alphaConvention must be 'caffe' or 'tf', found ${describeValue(layer.alphaConvention)}.`);
        }
        break;
      case 'flatten':
        shape = [elementsOf(shape)];
        break;
      case 'softmax':
        if (shape.length !== 1) fail(layer, 'expects a flat input; add a flatten layer before it.');
        break;
      default:
        throw new AlexNetError('MODEL_INVALID', `Layer "${(layer as Layer).name}" has unknown type ${describeValue((layer as Layer).type)}.`);
    }
    const parameters = [...weightShapes.values()].reduce((sum, s) => sum + elementsOf(s), 0);
    const inputNonNegative = nonNegative;
    nonNegative = outputNonNegative(layer, nonNegative);
    return { layer, inputShape, outputShape: shape, weightShapes, parameters, inputNonNegative };
  });
}

/** [C, H, W] of one input image. */
export function inputShapeOf(spec: NetworkSpec): [number, number, number] {
  return [spec.input.channels, spec.input.height, spec.input.width];
}
