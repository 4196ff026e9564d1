// Builds AlexNet-family ONNX models in-process, in the styles real exporters write, with seeded
// He-initialized weights: the independent input for converter and onnxruntime cross-checks.
import { encodeModel, ONNX_ATTRIBUTE, ONNX_DTYPE, type OnnxAttribute, type OnnxNode, type OnnxTensor } from '../src/convert/onnx-proto.js';
import { planNetwork } from '../src/model/shapes.js';
import type { NetworkSpec } from '../src/model/spec.js';
import { normal, uniform } from './random.js';

export interface OnnxStyle {
  opset: number;
  inputName: string;
  /** Write ceil-mode pools as explicit asymmetric pads (bvlcalexnet-12) instead of ceil_mode = 1. */
  ceilAsPads?: boolean;
  /** How the spatial -> flat step is written. */
  flatten: 'Flatten' | 'Reshape' | 'ReshapeComputed';
  /** Fully connected layers as Gemm with transB = 1 (PyTorch, Caffe2) or MatMul + Add. */
  fullyConnected: 'GemmTransB' | 'MatMulAdd';
  dropout: boolean;
  /** AveragePool 1x1 before flatten, as torchvision's AdaptiveAvgPool2d exports at 224. */
  identityAveragePool?: boolean;
  /** A symbolic batch dimension ("N") instead of 1. */
  symbolicBatch?: boolean;
}

export const TORCHVISION_STYLE: OnnxStyle = { opset: 13, inputName: 'input', flatten: 'Flatten', fullyConnected: 'GemmTransB', dropout: true, identityAveragePool: true, symbolicBatch: true };
export const BVLC_STYLE: OnnxStyle = { opset: 11, inputName: 'data', flatten: 'Reshape', fullyConnected: 'GemmTransB', dropout: true };
export const MODEL_ZOO_STYLE: OnnxStyle = { opset: 9, inputName: 'data_0', ceilAsPads: true, flatten: 'ReshapeComputed', fullyConnected: 'GemmTransB', dropout: true };

export interface FloatWeights {
  weight: Float32Array;
  bias: Float32Array;
}

/** He-normal weights and small biases for every weighted layer of `spec`, from `seed`. */
export function heInitialized(spec: NetworkSpec, seed: number): Map<string, FloatWeights> {
  const weights = new Map<string, FloatWeights>();
  planNetwork(spec).forEach((plan, i) => {
    const shape = plan.weightShapes.get(`${plan.layer.name}.weight`);
    if (!shape) return;
    const count = shape.reduce((a, b) => a * b, 1);
    const fanIn = count / shape[0];
    weights.set(plan.layer.name, { weight: normal(count, seed + 2 * i, Math.sqrt(2 / fanIn)), bias: uniform(shape[0], seed + 2 * i + 1, -0.05, 0.05) });
  });
  return weights;
}

function floatTensor(name: string, dims: number[], values: Float32Array): OnnxTensor {
  return { name, dims, data_type: ONNX_DTYPE.FLOAT, raw_data: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
}

function int64Tensor(name: string, values: number[]): OnnxTensor {
  return { name, dims: [values.length], data_type: ONNX_DTYPE.INT64, raw_data: new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer) };
}

const ints = (name: string, values: number[]): OnnxAttribute => ({ name, ints: values, type: ONNX_ATTRIBUTE.INTS });
const int = (name: string, value: number): OnnxAttribute => ({ name, i: value, type: ONNX_ATTRIBUTE.INT });
const float = (name: string, value: number): OnnxAttribute => ({ name, f: value, type: ONNX_ATTRIBUTE.FLOAT });

function transpose(values: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = values[r * columns + c];
  return out;
}

/** Serialized ONNX ModelProto of `spec` with `weights`, written in `style`. */
export function buildOnnx(spec: NetworkSpec, weights: Map<string, FloatWeights>, style: OnnxStyle): Uint8Array {
  const plans = planNetwork(spec);
  const nodes: OnnxNode[] = [];
  const initializer: OnnxTensor[] = [];
  let current = style.inputName;
  let counter = 0;
  const add = (op: string, inputs: string[], attribute: OnnxAttribute[] = [], outputs = 1): string => {
    const output = `${op.toLowerCase()}_${counter++}`;
    nodes.push({ op_type: op, name: `${op}_${counter}`, input: inputs, output: [output, ...Array.from({ length: outputs - 1 }, (_, i) => `${output}_extra${i}`)], attribute });
    return output;
  };
  for (const plan of plans) {
    const { layer } = plan;
    switch (layer.type) {
      case 'conv2d': {
        const w = weights.get(layer.name)!;
        initializer.push(floatTensor(`${layer.name}_w`, plan.weightShapes.get(`${layer.name}.weight`)!, w.weight));
        initializer.push(floatTensor(`${layer.name}_b`, [layer.outChannels], w.bias));
        current = add('Conv', [current, `${layer.name}_w`, `${layer.name}_b`], [
          ints('kernel_shape', layer.kernel), ints('strides', layer.stride), ints('pads', layer.pads), int('group', layer.groups), ints('dilations', [1, 1]),
        ]);
        if (layer.relu) current = add('Relu', [current]);
        break;
      }
      case 'lrn':
        current = add('LRN', [current], [int('size', layer.size), float('alpha', layer.alpha), float('beta', layer.beta), float('bias', layer.k)]);
        break;
      case 'maxPool': {
        let pads = layer.pads;
        let ceil = layer.ceilMode;
        if (ceil && style.ceilAsPads) {
          // Same output with floor rounding: pad bottom/right by what ceil added.
          const [, H, W] = plan.inputShape as number[];
          const [, OH, OW] = plan.outputShape as number[];
          const extraH = Math.max(0, (OH - 1) * layer.stride[0] + layer.kernel[0] - (H + pads[0] + pads[2]));
          const extraW = Math.max(0, (OW - 1) * layer.stride[1] + layer.kernel[1] - (W + pads[1] + pads[3]));
          pads = [pads[0], pads[1], pads[2] + extraH, pads[3] + extraW];
          ceil = false;
        }
        const attributes = [ints('kernel_shape', layer.kernel), ints('strides', layer.stride), ints('pads', pads)];
        if (style.opset >= 10) attributes.push(int('ceil_mode', ceil ? 1 : 0));
        current = add('MaxPool', [current], attributes);
        break;
      }
      case 'flatten': {
        if (style.identityAveragePool) current = add('AveragePool', [current], [ints('kernel_shape', [1, 1]), ints('strides', [1, 1])]);
        if (style.flatten === 'Flatten') {
          current = add('Flatten', [current], [int('axis', 1)]);
        } else if (style.flatten === 'Reshape') {
          initializer.push(int64Tensor('flat_shape', [1, plan.outputShape[0]]));
          current = add('Reshape', [current, 'flat_shape']);
        } else {
          // x.view(x.size(0), -1) as older exporters write it.
          initializer.push(int64Tensor('zero', [0]), int64Tensor('minus_one', [-1]));
          const shape = add('Shape', [current]);
          const batch = add('Gather', [shape, 'zero'], [int('axis', 0)]);
          const target = add('Concat', [batch, 'minus_one'], [int('axis', 0)]);
          current = add('Reshape', [current, target]);
        }
        break;
      }
      case 'fullyConnected': {
        const w = weights.get(layer.name)!;
        const I = plan.inputShape[0];
        if (style.dropout && layer.name !== 'fc6' && plan !== plans[0]) current = add('Dropout', [current], style.opset >= 12 ? [] : [float('ratio', 0.5)]);
        initializer.push(floatTensor(`${layer.name}_b`, [layer.outFeatures], w.bias));
        if (style.fullyConnected === 'GemmTransB') {
          initializer.push(floatTensor(`${layer.name}_w`, [layer.outFeatures, I], w.weight));
          current = add('Gemm', [current, `${layer.name}_w`, `${layer.name}_b`], [int('transB', 1), float('alpha', 1), float('beta', 1)]);
        } else {
          initializer.push(floatTensor(`${layer.name}_w`, [I, layer.outFeatures], transpose(w.weight, layer.outFeatures, I)));
          current = add('MatMul', [current, `${layer.name}_w`]);
          current = add('Add', [current, `${layer.name}_b`]);
        }
        if (layer.relu) current = add('Relu', [current]);
        break;
      }
      case 'softmax':
        current = add('Softmax', [current], [int('axis', 1)]);
        break;
    }
  }
  const { channels, height, width } = spec.input;
  const batchDim = style.symbolicBatch ? { dim_param: 'N' } : { dim_value: 1 };
  const classes = plans[plans.length - 1].outputShape[0];
  return encodeModel({
    ir_version: style.opset >= 13 ? 7 : 6,
    producer_name: 'alexnet-web tests',
    opset_import: [{ domain: '', version: style.opset }],
    graph: {
      name: 'alexnet',
      node: nodes,
      initializer,
      input: [{ name: style.inputName, type: { tensor_type: { elem_type: ONNX_DTYPE.FLOAT, shape: { dim: [batchDim, { dim_value: channels }, { dim_value: height }, { dim_value: width }] } } } }],
      output: [{ name: current, type: { tensor_type: { elem_type: ONNX_DTYPE.FLOAT, shape: { dim: [batchDim, { dim_value: classes }] } } } }],
    },
  });
}
