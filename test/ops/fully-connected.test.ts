import type { FullyConnectedShape } from '../../src/backends/backend.js';
import { quantizePerChannel } from '../../src/weights/quantize.js';
import { runOp, WEBGPU_SHIFT_UNPACK } from '../backends.js';
import { normal, uniform } from '../random.js';
import { fullyConnectedReference } from '../reference/fully-connected.js';
import { describeOnBackends } from './op-suite.js';

type Case = FullyConnectedShape & { name: string; int8: boolean };

const fc = (name: string, N: number, I: number, O: number, int8: boolean, relu = true): Case => ({ name, N, I, O, int8, relu });

const CASES: Case[] = [
  fc('AlexNet fc6 int8: 9216 -> 4096', 1, 9216, 4096, true),
  fc('AlexNet fc6 f32', 1, 9216, 4096, false),
  fc('AlexNet fc8 int8: 4096 -> 1000, no ReLU', 1, 4096, 1000, true, false),
  fc('batch 5, int8', 5, 256, 33, true),
  fc('batch 2, f32, no ReLU', 2, 300, 17, false, false),
  fc('inputs not a multiple of 16 (tail loop), int8', 3, 37, 5, true),
  fc('inputs not a multiple of 16, f32, no ReLU', 1, 21, 6, false, false),
  fc('f32, rows eight at a time with an input tail, then three alone, batch 2', 2, 23, 19, false),
  fc('int8, odd outputs (the last row alone), batch 2', 2, 64, 13, true),
  fc('int8, one output, no ReLU', 1, 48, 1, true, false),
];

describeOnBackends('fullyConnected', {
  cases: CASES,
  prepare(c) {
    const input = uniform(c.N * c.I, 31, 0, 1);
    const weight = normal(c.O * c.I, 32, Math.sqrt(2 / c.I));
    const bias = uniform(c.O, 33, -0.5, 0.5);
    if (!c.int8) return { input, bias, weights: { dtype: 'F32' as const, values: weight }, expected: fullyConnectedReference(input, weight, undefined, bias, c) };
    const q = quantizePerChannel(weight, c.O);
    return { input, bias, weights: { dtype: 'I8' as const, values: q.values, scales: q.scales }, expected: fullyConnectedReference(input, q.values, q.scales, bias, c) };
  },
  async run(backend, c, { input, bias, weights, expected }) {
    const uploaded = backend.uploadFullyConnected({ weight: weights, bias }, c);
    const actual = await runOp(backend, input, expected.length, (out, x) => backend.fullyConnected(out, x, uploaded, c));
    backend.release(uploaded);
    return actual;
  },
  tolerance: { atol: 1e-5, rtol: 1e-4 },
  extraBackends: [WEBGPU_SHIFT_UNPACK],
});
