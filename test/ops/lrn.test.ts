import type { LrnShape } from '../../src/backends/backend.js';
import { runOp } from '../backends.js';
import { uniform } from '../random.js';
import { lrnReference } from '../reference/lrn.js';
import { describeOnBackends } from './op-suite.js';

type Case = LrnShape & { name: string };

const lrn = (name: string, N: number, C: number, H: number, W: number, size: number, alpha: number, beta: number, k: number): Case =>
  ({ name, N, C, H, W, size, alpha, beta, k });

const CASES: Case[] = [
  lrn('AlexNet norm1: 96 x 55 x 55 (Caffe alpha 1e-4 / 5)', 1, 96, 55, 55, 5, 1e-4 / 5, 0.75, 1),
  lrn('AlexNet norm2: 256 x 27 x 27', 1, 256, 27, 27, 5, 1e-4 / 5, 0.75, 1),
  lrn('paper constants (k 2, alpha 1e-4 not divided)', 1, 16, 6, 6, 5, 1e-4, 0.75, 2),
  lrn('channels fewer than the window', 1, 3, 4, 5, 5, 0.1, 0.75, 1),
  lrn('one channel', 2, 1, 3, 3, 5, 0.5, 0.75, 1),
  lrn('even window size (asymmetric window)', 1, 7, 3, 3, 4, 0.2, 0.75, 1),
  lrn('general beta (pow path)', 2, 9, 5, 3, 3, 0.3, 0.6, 1.5),
  lrn('large alpha stresses the first and last channels', 1, 8, 2, 9, 5, 1, 0.75, 0.5),
  lrn('batch 3, channels not divisible by the threads', 3, 7, 4, 5, 5, 1e-2, 0.75, 1),
  // 4.6 million elements: more than 65,535 workgroups of 64, so WebGPU's dispatch spills into y.
  lrn('batch 16 of norm1: the WebGPU dispatch spills past 65535 workgroups', 16, 96, 55, 55, 5, 1e-4 / 5, 0.75, 1),
];

describeOnBackends('lrn', {
  cases: CASES,
  prepare(c) {
    const input = uniform(c.N * c.C * c.H * c.W, 21, -30, 30);
    return { input, expected: lrnReference(input, c) };
  },
  run: (backend, c, { input, expected }) => runOp(backend, input, expected.length, (out, x) => backend.lrn(out, x, c)),
  tolerance: { atol: 1e-5, rtol: 1e-4 },
});
