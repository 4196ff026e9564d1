// Fully connected layers with int8 arithmetic (W8A8) on a non-negative input: every wasm build at 1-4
// threads equals the scalar int8 reference bit for bit and stays within the derived quantization bound
// of the f32 reference on the same dequantized weights.
import type { FullyConnectedShape } from '../../src/backends/backend.js';
import { quantizePerChannel } from '../../src/weights/quantize.js';
import { runOp } from '../backends.js';
import { expectClose } from '../close.js';
import { normal, uniform } from '../random.js';
import { fullyConnectedReference } from '../reference/fully-connected.js';
import { dequantizeReference, fullyConnectedInt8Reference, excessOverBound, quantizationBound, quantizeImage } from '../reference/quantized.js';
import { describeOnBackends } from './op-suite.js';

type Case = FullyConnectedShape & { name: string; zeroImages?: number[] };

const fc = (name: string, N: number, I: number, O: number, relu = true, zeroImages?: number[]): Case => ({ name, N, I, O, relu, zeroImages });

const CASES: Case[] = [
  fc('AlexNet fc6: 9216 -> 4096', 1, 9216, 4096),
  fc('AlexNet fc8: 4096 -> 1000, no ReLU', 1, 4096, 1000, false),
  fc('batch 5, the fourth image all zeros', 5, 256, 33, true, [3]),
  fc('inputs not a multiple of 32 (tail loop)', 3, 37, 5),
  fc('odd outputs (the last row alone), batch 2', 2, 64, 13),
  fc('two blocks of eight rows, inputs of one 16-byte step and a tail', 2, 24, 16),
  fc('one output, no ReLU', 1, 48, 1, false),
];

describeOnBackends('fullyConnected, int8 arithmetic', {
  cases: CASES,
  arithmetic: 'int8',
  prepare(c) {
    const input = uniform(c.N * c.I, 51, 0, 1);
    for (const n of c.zeroImages ?? []) input.fill(0, n * c.I, (n + 1) * c.I);
    const q = quantizePerChannel(normal(c.O * c.I, 52, Math.sqrt(2 / c.I)), c.O);
    const bias = uniform(c.O, 53, -0.5, 0.5);
    const dequantized = dequantizeReference(q.values, q.scales);
    const magnitudes = new Float32Array(c.O);
    dequantized.forEach((w, i) => (magnitudes[Math.floor(i / c.I)] += Math.abs(w)));
    const steps = Array.from({ length: c.N }, (_, n) => quantizeImage(input.subarray(n * c.I, (n + 1) * c.I)).step);
    const f32Expected = fullyConnectedReference(input, dequantized, undefined, bias, c);
    return {
      input, bias, weights: { dtype: 'I8' as const, values: q.values, scales: q.scales },
      expected: fullyConnectedInt8Reference(input, q.values, q.scales, bias, c),
      f32Expected, bound: quantizationBound(f32Expected, Float32Array.from(f32Expected, (_, i) => magnitudes[i % c.O]), steps, c.O),
    };
  },
  async run(backend, c, { input, bias, weights, expected }) {
    const uploaded = backend.uploadFullyConnected({ weight: weights, bias }, { ...c, name: 'fc', inputNonNegative: true });
    const actual = await runOp(backend, input, expected.length, (out, x) => backend.fullyConnected(out, x, uploaded, c));
    backend.release(uploaded);
    return actual;
  },
  tolerance: { atol: 0, rtol: 0 },
  check(actual, _c, { f32Expected, bound }) {
    expectClose(excessOverBound(actual, f32Expected, bound), new Float32Array(actual.length), 0, 0);
  },
});
