// conv2d with int8 arithmetic (W8A8): every wasm build at 1-4 threads equals the scalar int8 reference
// (test/reference/quantized.ts) bit for bit, and stays within the derived quantization bound of the f32
// reference on the same dequantized weights.
import type { Conv2dShape } from '../../src/backends/backend.js';
import { slidingOutputSize } from '../../src/model/shapes.js';
import { quantizePerChannel } from '../../src/weights/quantize.js';
import { runOp } from '../backends.js';
import { expectClose } from '../close.js';
import { normal, uniform } from '../random.js';
import { conv2dReference } from '../reference/conv2d.js';
import { conv2dInt8Reference, dequantizeReference, excessOverBound, quantizationBound, quantizeImage } from '../reference/quantized.js';
import { describeOnBackends } from './op-suite.js';

type Case = Omit<Conv2dShape, 'OH' | 'OW' | 'padTop' | 'padLeft'> & {
  name: string;
  pads: [number, number, number, number];
  /** The input's range: [-1, 1) (a normalized image) or [0, 1) (after a ReLU). */
  signed: boolean;
  /** Images of the batch that are all zeros (their step is 0). */
  zeroImages?: number[];
};

const conv = (name: string, N: number, C: number, H: number, K: number, R: number, stride: number, pad: number, G: number, extra: Partial<Case> = {}): Case => ({
  name, N, C, H, W: H, K, R, S: R, G, strideH: stride, strideW: stride, pads: [pad, pad, pad, pad], relu: true, signed: false, ...extra,
});

// Every case runs the integer Winograd path (stride 1 up to 6x6, or strided folded by space-to-depth).
const CASES: Case[] = [
  conv('AlexNet conv1: 11x11 stride 4 (space-to-depth), signed input', 1, 3, 227, 96, 11, 4, 0, 1, { signed: true }),
  conv('AlexNet conv2: 5x5, groups 2', 1, 96, 27, 256, 5, 1, 2, 2),
  conv('AlexNet conv3: 3x3, depth 256 pairs 128', 1, 256, 13, 384, 3, 1, 1, 1),
  conv('AlexNet conv4: groups 2', 1, 384, 13, 384, 3, 1, 1, 2),
  conv('AlexNet conv5: groups 2, no ReLU', 1, 384, 13, 256, 3, 1, 1, 2, { relu: false }),
  conv('torchvision conv1: pad 2, 64 channels, 224 input, signed', 1, 3, 224, 64, 11, 4, 2, 1, { signed: true }),
  conv('batch 3 with groups 2, the middle image all zeros', 3, 8, 9, 10, 3, 1, 1, 2, { zeroImages: [1] }),
  conv('odd depth (3 channels), K=5 not a multiple of the tile, no ReLU, signed', 2, 3, 7, 5, 3, 1, 1, 1, { relu: false, signed: true }),
  conv('asymmetric pads, odd rectangular output', 2, 5, 8, 7, 3, 1, 0, 1, { W: 11, pads: [0, 1, 2, 0] }),
  conv('1x1 input with padding', 1, 4, 1, 3, 3, 1, 1, 1),
  conv('5x5, asymmetric pads, groups 2', 2, 6, 9, 4, 5, 1, 0, 2, { W: 12, pads: [2, 1, 0, 2] }),
  conv('6x6 (four full blocks)', 1, 3, 10, 5, 6, 1, 2, 1),
  conv('3x5 kernel (one by two blocks)', 1, 4, 7, 6, 3, 1, 1, 1, { S: 5, pads: [1, 2, 1, 2] }),
  conv('one output row, batch 2, K not divisible by the threads', 2, 6, 3, 7, 3, 1, 0, 1, { W: 20 }),
  conv('11x11 stride 4 (space-to-depth), batch 2, signed', 2, 3, 35, 8, 11, 4, 0, 1, { signed: true }),
  conv('wide output rows (four tiles side by side and edges)', 1, 4, 21, 9, 3, 1, 1, 1, { W: 37 }),
  // 6x4 windows while 48x the sums fit i32: tall tiles (F(2, 5) down) for 4 or 5 kernel rows, four-row tiles (F(4, 3)) for up to 3.
  conv('torchvision conv2: 5x5, 64 channels, one group (tall tiles)', 1, 64, 27, 192, 5, 1, 2, 1),
  conv('4x3 kernel, batch 2, odd depth (tall tiles)', 2, 5, 9, 6, 4, 1, 1, 1, { S: 3, relu: false, signed: true }),
  conv('5x6 kernel (tall tiles, two column blocks)', 1, 4, 10, 7, 5, 1, 2, 1, { S: 6, pads: [2, 3, 2, 2] }),
  conv('9x9 stride 2 (space-to-depth folds it to 5x5: tall tiles), signed', 1, 3, 21, 8, 9, 2, 0, 1, { signed: true }),
  conv('5x5 over 112 channels (2,800 products a sum: 3x3 blocks again)', 1, 112, 7, 4, 5, 1, 2, 1),
  conv('four-row tiles with two rows left over (10x6 output), batch 2', 2, 4, 10, 5, 3, 1, 1, 1, { W: 6 }),
  conv('2x3 kernel (four-row tiles, the third kernel row zero)', 1, 5, 9, 6, 2, 1, 1, 1, { S: 3, W: 11, pads: [1, 1, 0, 1] }),
  conv('3x3 over 384 channels (3,456 products a sum, torchvision conv4: square tiles)', 1, 384, 5, 4, 3, 1, 1, 1),
];

function shapeOf(c: Case): Conv2dShape {
  const OH = slidingOutputSize(c.H, c.R, c.strideH, c.pads[0], c.pads[2], false);
  const OW = slidingOutputSize(c.W, c.S, c.strideW, c.pads[1], c.pads[3], false);
  return { ...c, padTop: c.pads[0], padLeft: c.pads[1], OH, OW };
}

describeOnBackends('conv2d, int8 arithmetic', {
  cases: CASES,
  arithmetic: 'int8',
  prepare(c) {
    const s = shapeOf(c);
    const fanIn = (c.C / c.G) * c.R * c.S;
    const perImage = c.C * c.H * c.W;
    const input = uniform(c.N * perImage, 41, c.signed ? -1 : 0, 1);
    for (const n of c.zeroImages ?? []) input.fill(0, n * perImage, (n + 1) * perImage);
    const q = quantizePerChannel(normal(c.K * fanIn, 42, Math.sqrt(2 / fanIn)), c.K);
    const bias = uniform(c.K, 43, -0.1, 0.1);
    const dequantized = dequantizeReference(q.values, q.scales);
    const magnitudes = new Float32Array(c.K);
    dequantized.forEach((w, i) => (magnitudes[Math.floor(i / fanIn)] += Math.abs(w)));
    const steps = Array.from({ length: c.N }, (_, n) => quantizeImage(input.subarray(n * perImage, (n + 1) * perImage)).step);
    const f32Expected = conv2dReference(input, dequantized, bias, s);
    const outputMagnitudes = Float32Array.from(f32Expected, (_, i) => magnitudes[Math.floor(i / (s.OH * s.OW)) % c.K]);
    return {
      input, bias, weights: { dtype: 'I8' as const, values: q.values, scales: q.scales },
      expected: conv2dInt8Reference(input, q.values, q.scales, bias, s),
      f32Expected, bound: quantizationBound(f32Expected, outputMagnitudes, steps, c.K * s.OH * s.OW),
    };
  },
  async run(backend, c, { input, bias, weights, expected }) {
    const s = shapeOf(c);
    const uploaded = backend.uploadConv2d({ weight: weights, bias }, { ...s, name: 'conv', inputNonNegative: !c.signed });
    const actual = await runOp(backend, input, expected.length, (out, x) => backend.conv2d(out, x, uploaded, s));
    backend.release(uploaded);
    return actual;
  },
  // The same integers and the same f32 epilogue: equal.
  tolerance: { atol: 0, rtol: 0 },
  check(actual, _c, { f32Expected, bound }) {
    // |int8 - f32| <= step / 2 * sum |w| per output, elementwise.
    expectClose(excessOverBound(actual, f32Expected, bound), new Float32Array(actual.length), 0, 0);
  },
});
