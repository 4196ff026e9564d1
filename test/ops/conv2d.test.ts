import type { Conv2dShape } from '../../src/backends/backend.js';
import { slidingOutputSize } from '../../src/model/shapes.js';
import { runOp } from '../backends.js';
import { normal, uniform } from '../random.js';
import { conv2dReference } from '../reference/conv2d.js';
import { dequantizeReference } from '../reference/quantized.js';
import { quantizePerChannel } from '../../src/weights/quantize.js';
import { describeOnBackends } from './op-suite.js';

type Case = Omit<Conv2dShape, 'OH' | 'OW' | 'padTop' | 'padLeft'> & { name: string; pads: [number, number, number, number]; int8?: boolean };

const conv = (name: string, N: number, C: number, H: number, K: number, R: number, stride: number, pad: number, G: number, extra: Partial<Case> = {}): Case => ({
  name, N, C, H, W: H, K, R, S: R, G, strideH: stride, strideW: stride, pads: [pad, pad, pad, pad], relu: true, ...extra,
});

const CASES: Case[] = [
  conv('AlexNet conv1: 11x11 stride 4', 1, 3, 227, 96, 11, 4, 0, 1),
  conv('AlexNet conv2: 5x5, groups 2', 1, 96, 27, 256, 5, 1, 2, 2),
  conv('AlexNet conv3: 3x3, depth 2304 > one slice', 1, 256, 13, 384, 3, 1, 1, 1),
  conv('AlexNet conv4: groups 2', 1, 384, 13, 384, 3, 1, 1, 2),
  conv('AlexNet conv5: groups 2', 1, 384, 13, 256, 3, 1, 1, 2),
  conv('torchvision conv1: pad 2, 64 channels, 224 input', 1, 3, 224, 64, 11, 4, 2, 1),
  conv('batch 3 with groups 2', 3, 8, 9, 10, 3, 1, 1, 2),
  conv('channels not a multiple of the tile (K=5), no ReLU', 2, 3, 7, 5, 3, 1, 1, 1, { relu: false }),
  conv('asymmetric pads, rectangular input', 1, 4, 10, 7, 3, 2, 0, 1, { W: 13, pads: [0, 1, 2, 0] }),
  conv('rectangular kernel and stride', 1, 2, 12, 6, 3, 1, 0, 1, { S: 5, strideW: 3, pads: [1, 2, 1, 2] }),
  conv('1x1 kernel', 2, 16, 5, 12, 1, 1, 0, 1),
  conv('3x3 stride 1 (Winograd path): asymmetric pads, odd rectangular output, no ReLU', 2, 5, 8, 7, 3, 1, 0, 1, { W: 11, pads: [0, 1, 2, 0], relu: false }),
  conv('3x3 stride 1 (Winograd path): 1x1 input with padding', 1, 4, 1, 3, 3, 1, 1, 1),
  conv('5x5 stride 1 (Winograd, four 3x3 blocks): asymmetric pads, groups 2', 2, 6, 9, 4, 5, 1, 0, 2, { W: 12, pads: [2, 1, 0, 2] }),
  conv('6x6 stride 1 (Winograd, four full blocks)', 1, 3, 10, 5, 6, 1, 2, 1),
  conv('3x5 kernel, stride 1 (Winograd, one by two blocks)', 1, 4, 7, 6, 3, 1, 1, 1, { S: 5, pads: [1, 2, 1, 2] }),
  conv('int8 weights, groups 4', 1, 8, 11, 12, 3, 1, 1, 4, { int8: true }),
  conv('one output row (Winograd), batch 2, K not divisible by the threads', 2, 6, 3, 7, 3, 1, 0, 1, { W: 20 }),
  conv('one output row (direct, 1x1), channels not divisible by the threads', 1, 5, 1, 11, 1, 1, 0, 1, { W: 37 }),
  conv('strided 3x3 (direct), batch 3, groups 3', 3, 6, 15, 9, 3, 2, 1, 3),
  conv('11x11 stride 4 (space-to-depth), batch 2', 2, 3, 35, 8, 11, 4, 0, 1),
  conv('AlexNet conv2 shape at batch 2', 2, 96, 27, 256, 5, 1, 2, 2),
];

function shapeOf(c: Case): Conv2dShape {
  const OH = slidingOutputSize(c.H, c.R, c.strideH, c.pads[0], c.pads[2], false);
  const OW = slidingOutputSize(c.W, c.S, c.strideW, c.pads[1], c.pads[3], false);
  return { ...c, padTop: c.pads[0], padLeft: c.pads[1], OH, OW };
}

describeOnBackends('conv2d', {
  cases: CASES,
  prepare(c) {
    const fanIn = (c.C / c.G) * c.R * c.S;
    const input = uniform(c.N * c.C * c.H * c.W, 1, -1, 1);
    const weight = normal(c.K * fanIn, 2, Math.sqrt(2 / fanIn));
    const bias = uniform(c.K, 3, -0.1, 0.1);
    if (!c.int8) return { input, bias, weights: { dtype: 'F32' as const, values: weight }, expected: conv2dReference(input, weight, bias, shapeOf(c)) };
    const q = quantizePerChannel(weight, c.K);
    const weights = { dtype: 'I8' as const, values: q.values, scales: q.scales };
    return { input, bias, weights, expected: conv2dReference(input, dequantizeReference(q.values, q.scales), bias, shapeOf(c)) };
  },
  async run(backend, c, { input, bias, weights, expected }) {
    const s = shapeOf(c);
    const uploaded = backend.uploadConv2d({ weight: weights, bias }, s);
    const actual = await runOp(backend, input, expected.length, (out, x) => backend.conv2d(out, x, uploaded, s));
    backend.release(uploaded);
    return actual;
  },
  tolerance: { atol: 1e-5, rtol: 1e-4 },
});
