// ONNX graph -> alexnet-web layer list + float weights. AlexNet-family graphs are one chain:
// each supported node consumes the previous node's output. Shape arithmetic on the side
// (Shape, Gather, Concat feeding a Reshape) is allowed; anything else is refused by name.
import { AlexNetError } from '../errors.js';
import { planNetwork, type ActivationShape } from '../model/shapes.js';
import type { Conv2dLayer, FullyConnectedLayer, Layer, NetworkSpec } from '../model/spec.js';
import { ONNX_DTYPE, toNumber, type OnnxAttribute, type OnnxModel, type OnnxNode, type OnnxTensor } from './onnx-proto.js';
import { dimsOf, tensorToFloat32, tensorToIntegers, type ExternalDataReader } from './onnx-tensor.js';

export interface FloatLayerWeights {
  /** [K, C/G, R, S] or [O, I]. */
  weight: Float32Array;
  bias: Float32Array;
}

export interface ImportedNetwork {
  network: NetworkSpec;
  weights: Map<string, FloatLayerWeights>;
  inputName: string;
  opset: number;
  producer: string;
  /** Nodes dropped because they do nothing at inference (Dropout, Identity, 1x1 AveragePool...). */
  folded: string[];
}

const CHAIN_OPS = ['Conv', 'Relu', 'LRN', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Dropout', 'Identity', 'Flatten', 'Reshape', 'Gemm', 'MatMul', 'Add', 'Softmax'];
const SIDE_OPS = ['Shape', 'Gather', 'Unsqueeze', 'Squeeze', 'Concat', 'Cast', 'Slice', 'Constant'];

function describe(node: OnnxNode): string {
  return `node "${node.name || node.output[0]}" (${node.op_type})`;
}

function unsupported(node: OnnxNode, message: string): never {
  throw new AlexNetError('ONNX_UNSUPPORTED', `ONNX ${describe(node)}: ${message}`);
}

function invalid(node: OnnxNode, message: string): never {
  throw new AlexNetError('ONNX_INVALID', `ONNX ${describe(node)}: ${message}`);
}

/** The shortest decimal that reads back as the same f32 (0.0001, not 0.00009999999747378752). */
function shortestFloat32(value: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === Math.fround(value)) return candidate;
  }
  return value;
}

class Attributes {
  private readonly byName: Map<string, OnnxAttribute>;
  constructor(private readonly node: OnnxNode) {
    this.byName = new Map(node.attribute.map((a) => [a.name, a]));
  }
  int(name: string, fallback: number): number {
    const a = this.byName.get(name);
    return a ? toNumber(a.i) : fallback;
  }
  float(name: string, fallback: number): number {
    const a = this.byName.get(name);
    return a?.f === undefined ? fallback : shortestFloat32(a.f);
  }
  ints(name: string, fallback: number[]): number[] {
    const a = this.byName.get(name);
    return a ? (a.ints ?? []).map(toNumber) : fallback;
  }
  string(name: string, fallback: string): string {
    const a = this.byName.get(name);
    // protobufjs leaves unset bytes fields as an empty array.
    return a?.s?.length ? new TextDecoder().decode(Uint8Array.from(a.s)) : fallback;
  }
  tensor(name: string): OnnxTensor | undefined {
    return this.byName.get(name)?.t;
  }
  requireOnes(name: string): void {
    if (this.ints(name, []).some((v) => v !== 1)) unsupported(this.node, `${name} [${this.ints(name, []).join(', ')}] is not supported; only 1.`);
  }
}

function spatial(node: OnnxNode, shape: ActivationShape): [number, number, number] {
  if (shape.length !== 3) unsupported(node, `expects a [N, C, H, W] input, but the input here is flat [N, ${shape[0]}].`);
  return shape;
}

/** ONNX pads [top, left, bottom, right], resolving auto_pad SAME_UPPER / SAME_LOWER / VALID. */
function padsOf(node: OnnxNode, attrs: Attributes, inH: number, inW: number, kernel: number[], strides: number[]): [number, number, number, number] {
  const autoPad = attrs.string('auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') {
    const pads = attrs.ints('pads', [0, 0, 0, 0]);
    if (pads.length !== 4) unsupported(node, `pads [${pads.join(', ')}] are not 2-D.`);
    return pads as [number, number, number, number];
  }
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') unsupported(node, `auto_pad ${autoPad} is unknown.`);
  const total = [inH, inW].map((size, i) => Math.max(0, (Math.ceil(size / strides[i]) - 1) * strides[i] + kernel[i] - size));
  const small = total.map((t) => Math.floor(t / 2));
  const large = total.map((t, i) => t - small[i]);
  return autoPad === 'SAME_UPPER' ? [small[0], small[1], large[0], large[1]] : [large[0], large[1], small[0], small[1]];
}

function transpose(values: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = values[r * columns + c];
  return out;
}

/** Reads an AlexNet-family ONNX model into a layer list and float weights. */
export function importOnnx(model: OnnxModel, readExternal?: ExternalDataReader): ImportedNetwork {
  const graph = model.graph;
  if (!graph || !graph.node?.length) throw new AlexNetError('ONNX_INVALID', 'The ONNX file has no graph nodes. Is it an ONNX model (ModelProto)?');
  const opset = toNumber(model.opset_import.find((o) => !o.domain || o.domain === 'ai.onnx')?.version) || 1;
  const constants = new Map<string, OnnxTensor>(graph.initializer.map((t) => [t.name!, t]));
  const graphInput = graph.input.find((i) => !constants.has(i.name));
  if (!graphInput) throw new AlexNetError('ONNX_INVALID', 'The ONNX graph has no input that is not an initializer.');
  const dims = (graphInput.type?.tensor_type?.shape?.dim ?? []).map((d) => toNumber(d.dim_value));
  if (dims.length !== 4 || dims.slice(1).some((d) => !(d > 0))) {
    throw new AlexNetError('ONNX_UNSUPPORTED', `Input "${graphInput.name}" has shape [${dims.join(', ')}]; alexnet-web needs [N, C, H, W] with fixed C, H and W. Export with a fixed input size.`);
  }
  const input = { channels: dims[1], height: dims[2], width: dims[3] };
  const layers: Layer[] = [];
  const weights = new Map<string, FloatLayerWeights>();
  const folded: string[] = [];
  let current = graphInput.name;
  let shape = [input.channels, input.height, input.width] as ActivationShape;
  let convs = 0;
  let fcs = 0;

  const constantOf = (node: OnnxNode, name: string | undefined, what: string): OnnxTensor => {
    const tensor = name ? constants.get(name) : undefined;
    if (!tensor) unsupported(node, `its ${what} "${name}" is computed in the graph; alexnet-web needs it as an initializer.`);
    return tensor;
  };
  const uniqueName = (base: string): string => {
    let name = base;
    for (let i = 2; layers.some((l) => l.name === name); i++) name = `${base}_${i}`;
    return name;
  };
  const push = (node: OnnxNode, layer: Layer, layerWeights?: FloatLayerWeights): void => {
    layers.push(layer);
    if (layerWeights) weights.set(layer.name, layerWeights);
    let plans;
    try {
      plans = planNetwork({ input, layers });
    } catch (error) {
      // The loader would refuse this layer (an attribute of 0, say): name the node that made it.
      if (error instanceof AlexNetError && error.code === 'MODEL_INVALID') invalid(node, `it makes a layer alexnet-web cannot load: ${error.message}`);
      throw error;
    }
    shape = plans[plans.length - 1].outputShape;
  };
  const lastWeighted = (): Conv2dLayer | FullyConnectedLayer | undefined => {
    const last = layers[layers.length - 1];
    return last?.type === 'conv2d' || last?.type === 'fullyConnected' ? last : undefined;
  };

  for (const node of graph.node) {
    if (node.domain && node.domain !== 'ai.onnx') unsupported(node, `custom domain "${node.domain}" is not supported.`);
    const attrs = new Attributes(node);
    if (node.op_type === 'Constant') {
      const value = attrs.tensor('value');
      if (value) constants.set(node.output[0], value);
      continue;
    }
    // PyTorch exports shared parameters as Identity(initializer): the output is the same constant.
    const aliased = node.op_type === 'Identity' ? constants.get(node.input[0]) : undefined;
    if (aliased) {
      constants.set(node.output[0], aliased);
      continue;
    }
    if (!node.input.includes(current) || node.op_type === 'Shape') {
      if (!SIDE_OPS.includes(node.op_type)) {
        unsupported(node, `it does not continue the network's single chain (expected it to read "${current}"). alexnet-web runs single-path networks; side computations may only be ${SIDE_OPS.join(', ')}.`);
      }
      continue;
    }
    if (node.input[0] !== current && node.op_type !== 'Add') unsupported(node, `reads "${current}" in a position other than its first input.`);
    switch (node.op_type) {
      case 'Conv': {
        const [C, H, W] = spatial(node, shape);
        const weightTensor = constantOf(node, node.input[1], 'weight');
        const [K, Cg, R, S] = dimsOf(weightTensor);
        const groups = attrs.int('group', 1);
        if (dimsOf(weightTensor).length !== 4) unsupported(node, 'only 2-D convolutions are supported.');
        if (Cg * groups !== C) unsupported(node, `weight [${dimsOf(weightTensor).join(', ')}] with group ${groups} does not take ${C} input channels.`);
        attrs.requireOnes('dilations');
        const strides = attrs.ints('strides', [1, 1]);
        const pads = padsOf(node, attrs, H, W, [R, S], strides);
        const bias = node.input[2] ? tensorToFloat32(constantOf(node, node.input[2], 'bias'), readExternal) : new Float32Array(K);
        if (bias.length !== K) invalid(node, `bias of ${bias.length} values does not match the ${K} output channels of its weight.`);
        convs++;
        const layer: Conv2dLayer = { type: 'conv2d', name: uniqueName(`conv${convs}`), outChannels: K, kernel: [R, S], stride: [strides[0], strides[1]], pads, groups, relu: false };
        push(node, layer, { weight: tensorToFloat32(weightTensor, readExternal), bias });
        break;
      }
      case 'Relu': {
        const target = lastWeighted();
        if (!target || target.relu) unsupported(node, 'alexnet-web fuses ReLU into the Conv or Gemm right before it; here there is none.');
        target.relu = true;
        break;
      }
      case 'LRN':
        spatial(node, shape);
        push(node, {
          type: 'lrn', name: uniqueName(`norm${convs}`), size: attrs.int('size', 0),
          alpha: attrs.float('alpha', 1e-4), beta: attrs.float('beta', 0.75), k: attrs.float('bias', 1), alphaConvention: 'caffe',
        });
        break;
      case 'MaxPool': {
        const [, H, W] = spatial(node, shape);
        if (node.output.length > 1 && node.output[1]) unsupported(node, 'the Indices output is not supported.');
        attrs.requireOnes('dilations');
        const kernel = attrs.ints('kernel_shape', []);
        const strides = attrs.ints('strides', [1, 1]);
        push(node, {
          type: 'maxPool', name: uniqueName(`pool${convs}`), kernel: [kernel[0], kernel[1]], stride: [strides[0], strides[1]],
          pads: padsOf(node, attrs, H, W, kernel, strides), ceilMode: attrs.int('ceil_mode', 0) === 1,
        });
        break;
      }
      case 'AveragePool':
      case 'GlobalAveragePool': {
        const [, H, W] = spatial(node, shape);
        const identity = node.op_type === 'GlobalAveragePool'
          ? H === 1 && W === 1
          : attrs.ints('kernel_shape', []).every((k) => k === 1) && attrs.ints('strides', [1, 1]).every((s) => s === 1) && attrs.ints('pads', [0, 0, 0, 0]).every((p) => p === 0);
        if (!identity) unsupported(node, `only an average pool that does nothing (1x1 window, or global over 1x1) is supported; the input here is ${H}x${W}.`);
        folded.push(describe(node));
        break;
      }
      case 'Dropout':
      case 'Identity':
        folded.push(describe(node));
        break;
      case 'Flatten':
        if (attrs.int('axis', 1) !== 1) unsupported(node, `axis ${attrs.int('axis', 1)} is not supported; only 1 (keep the batch axis).`);
        push(node, { type: 'flatten', name: uniqueName('flatten') });
        break;
      case 'Reshape': {
        const target = node.input[1] ? constants.get(node.input[1]) : undefined;
        if (target) {
          const values = tensorToIntegers(target);
          const features = shape.reduce((a, b) => a * b, 1);
          const flat = values.length === 2 && (values[1] === -1 || values[1] === features);
          if (!flat) unsupported(node, `reshape to [${values.join(', ')}] is not supported; only flattening to [N, ${features}].`);
        }
        push(node, { type: 'flatten', name: uniqueName('flatten') });
        break;
      }
      case 'Gemm':
      case 'MatMul': {
        if (shape.length !== 1) unsupported(node, `expects a flat input, but the input here is [${shape.join(', ')}]; add a Flatten.`);
        const I = shape[0];
        const b = constantOf(node, node.input[1], 'weight');
        const [rows, columns] = dimsOf(b);
        const transB = node.op_type === 'Gemm' && attrs.int('transB', 0) === 1;
        if (node.op_type === 'Gemm' && attrs.int('transA', 0) !== 0) unsupported(node, 'transA = 1 is not supported.');
        const O = transB ? rows : columns;
        if ((transB ? columns : rows) !== I) unsupported(node, `weight [${rows}, ${columns}]${transB ? ' (transB)' : ''} does not take ${I} input features.`);
        let weight = tensorToFloat32(b, readExternal);
        weight = transB ? weight : transpose(weight, rows, columns);
        const alpha = attrs.float('alpha', 1);
        if (alpha !== 1) weight = weight.map((v) => v * alpha);
        let bias = new Float32Array(O);
        if (node.op_type === 'Gemm' && node.input[2]) {
          const c = tensorToFloat32(constantOf(node, node.input[2], 'bias'), readExternal);
          const beta = attrs.float('beta', 1);
          if (c.length !== O && c.length !== 1) unsupported(node, `bias of ${c.length} values does not broadcast to ${O} outputs.`);
          bias = Float32Array.from({ length: O }, (_, o) => beta * c[c.length === 1 ? 0 : o]);
        }
        fcs++;
        push(node, { type: 'fullyConnected', name: uniqueName(`fc${convs + fcs}`), outFeatures: O, relu: false }, { weight, bias });
        break;
      }
      case 'Add': {
        // MatMul + Add exports: fold a constant bias into the layer before.
        const target = lastWeighted();
        const other = node.input.find((name) => name !== current);
        const bias = other ? constants.get(other) : undefined;
        if (target?.type !== 'fullyConnected' || target.relu || !bias || bias.data_type !== ONNX_DTYPE.FLOAT) {
          unsupported(node, 'only a constant bias added right after MatMul is supported.');
        }
        const values = tensorToFloat32(bias, readExternal);
        const layerWeights = weights.get(target.name)!;
        if (values.length !== layerWeights.bias.length) unsupported(node, `bias of ${values.length} values does not match ${layerWeights.bias.length} outputs.`);
        layerWeights.bias = layerWeights.bias.map((v, i) => v + values[i]);
        break;
      }
      case 'Softmax': {
        const axis = attrs.int('axis', opset >= 13 ? -1 : 1);
        if (shape.length !== 1 || (axis !== 1 && axis !== -1)) unsupported(node, `softmax over axis ${axis} of [N, ${shape.join(', ')}] is not supported; only over the classes of a flat output.`);
        push(node, { type: 'softmax', name: uniqueName('prob') });
        break;
      }
      default:
        unsupported(node, `this op is not supported. alexnet-web converts ${CHAIN_OPS.join(', ')} (plus ${SIDE_OPS.join(', ')} for shape arithmetic).`);
    }
    current = node.output[0];
  }
  const output = graph.output[0]?.name;
  if (output !== current) {
    throw new AlexNetError('ONNX_UNSUPPORTED', `The graph output "${output}" is not the end of the layer chain ("${current}"); alexnet-web runs single-output chains.`);
  }
  if (shape.length !== 1) throw new AlexNetError('ONNX_UNSUPPORTED', `The network ends in a [${shape.join(', ')}] tensor; alexnet-web needs class scores [N, classes].`);
  return { network: { input, layers }, weights, inputName: graphInput.name, opset, producer: `${model.producer_name ?? ''} ${model.producer_version ?? ''}`.trim(), folded };
}
