import { expect } from 'vitest';
import type { FullyConnectedShape } from '../../src/backends/backend.js';
import { quantizePerChannel } from '../../src/weights/quantize.js';
import { runOp, WEBGPU_SHIFT_UNPACK } from '../backends.js';
import { expectClose } from '../close.js';
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
];

describeOnBackends('fullyConnected', CASES, async (backend, c) => {
  const input = uniform(c.N * c.I, 31, 0, 1);
  const weight = normal(c.O * c.I, 32, Math.sqrt(2 / c.I));
  const bias = uniform(c.O, 33, -0.5, 0.5);
  let expected: Float32Array;
  let uploaded;
  if (c.int8) {
    const q = quantizePerChannel(weight, c.O);
    expected = fullyConnectedReference(input, q.values, q.scales, bias, c);
    uploaded = backend.uploadFullyConnected({ weight: { dtype: 'I8', values: q.values, scales: q.scales }, bias }, c);
  } else {
    expected = fullyConnectedReference(input, weight, undefined, bias, c);
    uploaded = backend.uploadFullyConnected({ weight: { dtype: 'F32', values: weight }, bias }, c);
  }
  const actual = await runOp(backend, input, expected.length, (out, x) => backend.fullyConnected(out, x, uploaded, c));
  expectClose(actual, expected, 1e-5, 1e-4);
  expect(expected.some((v) => v !== 0)).toBe(true);
  backend.release(uploaded);
}, [WEBGPU_SHIFT_UNPACK]);
