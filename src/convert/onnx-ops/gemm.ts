// Gemm and MatMul -> fullyConnected ([O, I] weights, alpha and beta applied); an Add of a constant
// right after a MatMul is its bias.
import { ONNX_DTYPE } from '../onnx-proto.js';
import { dimsOf } from '../onnx-tensor.js';
import type { NodeImporter } from './chain.js';
import { unsupported } from './node-helpers.js';

function transpose(values: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) out[c * rows + r] = values[r * columns + c];
  return out;
}

export const importGemm: NodeImporter = (node, attrs, chain) => {
  const { shape } = chain;
  if (shape.length !== 1) unsupported(node, `expects a flat input, but the input here is [${shape.join(', ')}]; add a Flatten.`);
  const I = shape[0];
  const b = chain.constantOf(node, node.input[1], 'weight');
  const [rows, columns] = dimsOf(b);
  const transB = node.op_type === 'Gemm' && attrs.int('transB', 0) === 1;
  if (node.op_type === 'Gemm' && attrs.int('transA', 0) !== 0) unsupported(node, 'transA = 1 is not supported.');
  const O = transB ? rows : columns;
  if ((transB ? columns : rows) !== I) unsupported(node, `weight [${rows}, ${columns}]${transB ? ' (transB)' : ''} does not take ${I} input features.`);
  let weight = chain.floats(b);
  weight = transB ? weight : transpose(weight, rows, columns);
  const alpha = attrs.float('alpha', 1);
  if (alpha !== 1) weight = weight.map((v) => v * alpha);
  let bias = new Float32Array(O);
  if (node.op_type === 'Gemm' && node.input[2]) {
    const c = chain.floats(chain.constantOf(node, node.input[2], 'bias'));
    const beta = attrs.float('beta', 1);
    if (c.length !== O && c.length !== 1) unsupported(node, `bias of ${c.length} values does not broadcast to ${O} outputs.`);
    bias = Float32Array.from({ length: O }, (_, o) => beta * c[c.length === 1 ? 0 : o]);
  }
  chain.fcs++;
  chain.push(node, { type: 'fullyConnected', name: chain.uniqueName(`fc${chain.convs + chain.fcs}`), outFeatures: O, relu: false }, { weight, bias });
};

export const importAdd: NodeImporter = (node, _attrs, chain) => {
  const target = chain.lastWeighted();
  const other = node.input.find((name) => name !== chain.current);
  const bias = chain.constant(other);
  if (target?.type !== 'fullyConnected' || target.relu || !bias || bias.data_type !== ONNX_DTYPE.FLOAT) {
    unsupported(node, 'only a constant bias added right after MatMul is supported.');
  }
  const values = chain.floats(bias);
  const layerWeights = chain.weightsOf(target.name);
  if (values.length !== layerWeights.bias.length) unsupported(node, `bias of ${values.length} values does not match ${layerWeights.bias.length} outputs.`);
  layerWeights.bias = layerWeights.bias.map((v, i) => v + values[i]);
};
