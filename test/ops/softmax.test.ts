import type { SoftmaxShape } from '../../src/backends/backend.js';
import { runOp } from '../backends.js';
import { uniform } from '../random.js';
import { softmaxReference } from '../reference/softmax.js';
import { describeOnBackends } from './op-suite.js';

type Case = SoftmaxShape & { name: string; low: number; high: number };

const CASES: Case[] = [
  { name: 'ImageNet: 1000 classes', N: 1, D: 1000, low: -10, high: 10 },
  { name: 'batch 4, 10 classes', N: 4, D: 10, low: -5, high: 5 },
  { name: 'large logits (needs the max subtracted)', N: 2, D: 7, low: 500, high: 900 },
  { name: 'one class', N: 3, D: 1, low: -1, high: 1 },
  { name: 'batch 9 (more rows than threads)', N: 9, D: 1000, low: -10, high: 10 },
];

describeOnBackends('softmax', {
  cases: CASES,
  prepare(c) {
    const input = uniform(c.N * c.D, 41, c.low, c.high);
    return { input, expected: softmaxReference(input, c) };
  },
  run: (backend, c, { input, expected }) => runOp(backend, input, expected.length, (out, x) => backend.softmax(out, x, c)),
  tolerance: { atol: 1e-6, rtol: 1e-4 },
});
