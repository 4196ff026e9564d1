// ONNX's own node tests (Debian's libonnx-testdata) through our kernels, where the shapes fit our ops,
// on every backend of the op tests' table (test/backends.ts), each within its own f32 tolerance
// (max-pool exactly). Each case: the ONNX node's attributes become our op's shape; inputs and
// expected outputs are the .pb tensors ONNX ships.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Backend } from '../src/backends/backend.js';
import { decodeModel, toNumber, type OnnxNode } from '../src/convert/onnx-proto.js';
import { ModelProto } from '../src/convert/onnx-proto.js';
import { dimsOf, tensorToFloat32 } from '../src/convert/onnx-tensor.js';
import { slidingOutputSize } from '../src/model/shapes.js';
import { runOp, WASM_BUILDS_UNDER_TEST, WEBGPU_UNDER_TEST, type BackendUnderTest, type F32Tolerance } from './backends.js';
import { expectClose } from './close.js';

const ROOT = '/usr/share/libonnx-testdata/data';
const present = existsSync(ROOT);

interface Tensor {
  dims: number[];
  values: Float32Array;
}

function readTensor(path: string): Tensor {
  const TensorProto = ModelProto.lookupType('onnx.TensorProto');
  const tensor = TensorProto.decode(readFileSync(path)) as never;
  return { dims: dimsOf(tensor), values: tensorToFloat32(tensor) };
}

function loadCase(directory: string): { node: OnnxNode; inputs: Tensor[]; initializers: Map<string, Tensor>; expected: Tensor } {
  const model = decodeModel(readFileSync(join(directory, 'model.onnx')));
  const data = join(directory, 'test_data_set_0');
  const inputs = readdirSync(data).filter((f) => f.startsWith('input_')).sort().map((f) => readTensor(join(data, f)));
  const initializers = new Map(model.graph!.initializer.map((t) => [t.name!, { dims: dimsOf(t), values: tensorToFloat32(t) }]));
  return { node: model.graph!.node[0], inputs, initializers, expected: readTensor(join(data, 'output_0.pb')) };
}

function attribute(node: OnnxNode, name: string): { i?: number; f?: number; ints?: number[]; s?: string } | undefined {
  const a = node.attribute.find((x) => x.name === name);
  return a && { i: a.i === undefined ? undefined : toNumber(a.i), f: a.f, ints: a.ints?.map(toNumber), s: a.s?.length ? new TextDecoder().decode(Uint8Array.from(a.s)) : undefined };
}

type Runner = (backend: Backend, directory: string, tolerance: F32Tolerance) => Promise<void>;

const runLrn: Runner = async (backend, directory, { atol, rtol }) => {
  const { node, inputs, expected } = loadCase(directory);
  const [N, C, H, W] = inputs[0].dims;
  const size = attribute(node, 'size')!.i!;
  const shape = { N, C, H, W, size, alpha: (attribute(node, 'alpha')?.f ?? 1e-4) / size, beta: attribute(node, 'beta')?.f ?? 0.75, k: attribute(node, 'bias')?.f ?? 1 };
  expectClose(await runOp(backend, inputs[0].values, expected.values.length, (o, x) => backend.lrn(o, x, shape)), expected.values, atol, rtol);
};

const runMaxPool: Runner = async (backend, directory) => {
  const { node, inputs, expected } = loadCase(directory);
  const [N, C, H, W] = inputs[0].dims;
  const kernel = attribute(node, 'kernel_shape')!.ints!;
  const strides = attribute(node, 'strides')?.ints ?? [1, 1];
  const autoPad = attribute(node, 'auto_pad')?.s ?? 'NOTSET';
  let pads = attribute(node, 'pads')?.ints ?? [0, 0, 0, 0];
  if (autoPad.startsWith('SAME')) {
    const total = [H, W].map((size, i) => Math.max(0, (Math.ceil(size / strides[i]) - 1) * strides[i] + kernel[i] - size));
    const small = total.map((t) => Math.floor(t / 2));
    pads = autoPad === 'SAME_UPPER' ? [small[0], small[1], total[0] - small[0], total[1] - small[1]] : [total[0] - small[0], total[1] - small[1], small[0], small[1]];
  }
  const ceil = attribute(node, 'ceil_mode')?.i === 1;
  const shape = {
    N, C, H, W, kernelH: kernel[0], kernelW: kernel[1], strideH: strides[0], strideW: strides[1], padTop: pads[0], padLeft: pads[1],
    OH: slidingOutputSize(H, kernel[0], strides[0], pads[0], pads[2], ceil), OW: slidingOutputSize(W, kernel[1], strides[1], pads[1], pads[3], ceil),
  };
  expect([N, C, shape.OH, shape.OW]).toEqual(expected.dims);
  expectClose(await runOp(backend, inputs[0].values, expected.values.length, (o, x) => backend.maxPool(o, x, shape)), expected.values, 0, 0);
};

const runConv: Runner = async (backend, directory, { atol, rtol }) => {
  const { node, inputs, initializers, expected } = loadCase(directory);
  const [N, C, H, W] = inputs[0].dims;
  const weight = initializers.get(node.input[1]) ?? inputs[1];
  const biasSource = node.input[2] ? initializers.get(node.input[2]) ?? inputs[2] : undefined;
  const [K, , R, S] = weight.dims;
  const G = attribute(node, 'group')?.i ?? 1;
  const strides = attribute(node, 'strides')?.ints ?? [1, 1];
  const pads = attribute(node, 'pads')?.ints ?? [0, 0, 0, 0];
  const shape = {
    N, C, H, W, K, R, S, G, strideH: strides[0], strideW: strides[1], padTop: pads[0], padLeft: pads[1], relu: false,
    OH: slidingOutputSize(H, R, strides[0], pads[0], pads[2], false), OW: slidingOutputSize(W, S, strides[1], pads[1], pads[3], false),
  };
  const weights = backend.uploadConv2d({ weight: { dtype: 'F32', values: weight.values }, bias: biasSource?.values ?? new Float32Array(K) }, shape);
  expectClose(await runOp(backend, inputs[0].values, expected.values.length, (o, x) => backend.conv2d(o, x, weights, shape)), expected.values, atol, rtol);
};

const runGemm: Runner = async (backend, directory, { atol, rtol }) => {
  const { node, inputs, expected } = loadCase(directory);
  const transA = attribute(node, 'transA')?.i === 1;
  const transB = attribute(node, 'transB')?.i === 1;
  const alpha = attribute(node, 'alpha')?.f ?? 1;
  const beta = attribute(node, 'beta')?.f ?? 1;
  const [a, b, c] = inputs;
  const transpose = (t: Tensor): Float32Array => {
    const [rows, columns] = t.dims;
    return Float32Array.from({ length: rows * columns }, (_, i) => t.values[(i % rows) * columns + Math.floor(i / rows)]);
  };
  const N = transA ? a.dims[1] : a.dims[0];
  const I = transA ? a.dims[0] : a.dims[1];
  const O = transB ? b.dims[0] : b.dims[1];
  // Our layout is weight [O, I]: B^T, scaled by alpha; C must broadcast per output column.
  const weight = (transB ? b.values : transpose(b)).map((v) => v * alpha);
  const bias = new Float32Array(O).map((_, o) => (c ? beta * c.values[c.values.length === 1 ? 0 : o] : 0));
  const shape = { N, I, O, relu: false };
  const weights = backend.uploadFullyConnected({ weight: { dtype: 'F32', values: weight }, bias }, shape);
  const input = transA ? transpose(a) : a.values;
  expectClose(await runOp(backend, input, N * O, (o, x) => backend.fullyConnected(o, x, weights, shape)), expected.values, atol, rtol);
};

const runSoftmax: Runner = async (backend, directory, { atol, rtol }) => {
  const { inputs, expected } = loadCase(directory);
  const dims = inputs[0].dims;
  const D = dims[dims.length - 1];
  const shape = { N: inputs[0].values.length / D, D };
  expectClose(await runOp(backend, inputs[0].values, expected.values.length, (o, x) => backend.softmax(o, x, shape)), expected.values, atol, rtol);
};

const CASES: [string, Runner][] = [
  ['node/test_lrn', runLrn],
  ['node/test_lrn_default', runLrn],
  ['node/test_maxpool_2d_default', runMaxPool],
  ['node/test_maxpool_2d_ceil', runMaxPool],
  ['node/test_maxpool_2d_pads', runMaxPool],
  ['node/test_maxpool_2d_precomputed_pads', runMaxPool],
  ['node/test_maxpool_2d_precomputed_strides', runMaxPool],
  ['node/test_maxpool_2d_precomputed_same_upper', runMaxPool],
  ['node/test_maxpool_2d_same_upper', runMaxPool],
  ['node/test_maxpool_2d_same_lower', runMaxPool],
  ['node/test_maxpool_2d_strides', runMaxPool],
  ['node/test_conv_with_strides_padding', runConv],
  ['node/test_conv_with_strides_no_padding', runConv],
  ['node/test_conv_with_strides_and_asymmetric_padding', runConv],
  ['pytorch-converted/test_Conv2d_groups', runConv],
  ['pytorch-converted/test_Conv2d_groups_thnn', runConv],
  ['pytorch-converted/test_Conv2d_strided', runConv],
  ['pytorch-converted/test_Conv2d_padding', runConv],
  ['pytorch-converted/test_Conv2d_no_bias', runConv],
  ['node/test_gemm_default_no_bias', runGemm],
  ['node/test_gemm_default_vector_bias', runGemm],
  ['node/test_gemm_default_scalar_bias', runGemm],
  ['node/test_gemm_default_single_elem_vector_bias', runGemm],
  ['node/test_gemm_transposeA', runGemm],
  ['node/test_gemm_transposeB', runGemm],
  ['node/test_gemm_alpha', runGemm],
  ['node/test_softmax_example', runSoftmax],
  ['node/test_softmax_large_number', runSoftmax],
  ['node/test_softmax_default_axis', runSoftmax],
  ['node/test_softmax_negative_axis', runSoftmax],
  ['node/test_softmax_axis_2', runSoftmax],
  ['pytorch-converted/test_Softmax', runSoftmax],
  ['pytorch-converted/test_softmax_lastdim', runSoftmax],
];

/** Each wasm build at 2 threads (the op tables cover every count), and WebGPU. */
const BACKENDS: BackendUnderTest[] = [
  ...WASM_BUILDS_UNDER_TEST.map((build) => ({ ...build, name: `${build.name}, 2 threads`, create: () => build.create(2) })),
  WEBGPU_UNDER_TEST,
];

describe.skipIf(!present)(`ONNX node tests from libonnx-testdata${present ? '' : ' (skipped: apt-get install libonnx-testdata)'}`, () => {
  for (const backendCase of BACKENDS) {
    describe.skipIf(backendCase.absentBecause)(`on ${backendCase.name}${backendCase.absentBecause ? ` (skipped: ${backendCase.absentBecause})` : ''}`, () => {
      let backend: Backend;
      beforeAll(async () => {
        backend = await backendCase.create();
      });
      afterAll(() => backend?.dispose());
      it.each(CASES)('%s', (name, runner) => runner(backend, join(ROOT, name), backendCase.tolerance));
    });
  }
});
