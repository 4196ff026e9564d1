import { describe, expect, it } from 'vitest';
import type { Backend, MaxPoolShape } from '../../src/backends/backend.js';
import { slidingOutputSize } from '../../src/model/shapes.js';
import { runOp, WASM_BUILDS_UNDER_TEST } from '../backends.js';
import { expectClose } from '../close.js';
import { uniform } from '../random.js';
import { maxPoolReference } from '../reference/max-pool.js';
import { describeOnBackends } from './op-suite.js';

interface Case {
  name: string;
  N: number; C: number; H: number; W: number;
  kernel: number; stride: number;
  pads: [number, number, number, number];
  ceilMode: boolean;
}

const pool = (name: string, N: number, C: number, H: number, W: number, kernel: number, stride: number, ceilMode: boolean, pads: Case['pads'] = [0, 0, 0, 0]): Case =>
  ({ name, N, C, H, W, kernel, stride, pads, ceilMode });

const CASES: Case[] = [
  pool('AlexNet pool1: 55 -> 27', 1, 96, 55, 55, 3, 2, false),
  pool('AlexNet pool2: 27 -> 13', 1, 256, 27, 27, 3, 2, false),
  pool('AlexNet pool5: 13 -> 6', 1, 256, 13, 13, 3, 2, false),
  pool('224 input, ceil mode: 54 -> 27 (window clipped at the border)', 1, 96, 54, 54, 3, 2, true),
  pool('ceil mode, 26 -> 13', 2, 4, 26, 26, 3, 2, true),
  pool('asymmetric pads (bvlcalexnet-12 style)', 1, 3, 54, 54, 3, 2, false, [0, 0, 1, 1]),
  pool('pads on every side, rectangular', 2, 3, 7, 10, 3, 2, false, [1, 2, 1, 0]),
  pool('ceil mode where the last window would start in the padding', 1, 2, 5, 5, 2, 2, true, [1, 1, 1, 1]),
  pool('batch 3, kernel = stride', 3, 5, 8, 8, 2, 2, false),
  pool('one output row, planes not divisible by the threads', 1, 7, 3, 9, 3, 2, false),
  pool('left pad 1, wide rows: four-at-a-time blocks from an odd column, a last block that overlaps', 1, 3, 9, 40, 3, 2, false, [1, 1, 1, 0]),
  pool('rows of exactly one block of four, and of fewer than four outputs', 2, 2, 9, 9, 3, 2, false),
  pool('stride 2, ceil mode with a wide row: the clipped last window stays scalar', 1, 2, 6, 36, 3, 2, true),
];

const shapeOf = (c: Case): MaxPoolShape => ({
  N: c.N, C: c.C, H: c.H, W: c.W,
  OH: slidingOutputSize(c.H, c.kernel, c.stride, c.pads[0], c.pads[2], c.ceilMode),
  OW: slidingOutputSize(c.W, c.kernel, c.stride, c.pads[1], c.pads[3], c.ceilMode),
  kernelH: c.kernel, kernelW: c.kernel, strideH: c.stride, strideW: c.stride, padTop: c.pads[0], padLeft: c.pads[1],
});

describeOnBackends('maxPool', {
  cases: CASES,
  prepare(c) {
    // Negative inputs: a padded zero winning a max would show up.
    const input = uniform(c.N * c.C * c.H * c.W, 11, -2, -0.5);
    return { input, expected: maxPoolReference(input, shapeOf(c)) };
  },
  run: (backend, c, { input, expected }) => runOp(backend, input, expected.length, (out, x) => backend.maxPool(out, x, shapeOf(c))),
  tolerance: { atol: 0, rtol: 0 },
});

// The wasm kernel takes its maxima with f32x4.pmax, which drops a NaN, and keeps NaN by a mask of its
// own: a window that holds one gives NaN, so the network's output check reports it. (WGSL may assume
// there is no NaN, so WebGPU is not held to this.)
describe('maxPool keeps NaN on the wasm builds', () => {
  const c = pool('NaN inside four-at-a-time blocks (each row and column of a window) and in a scalar edge window', 1, 2, 9, 40, 3, 2, false);
  const input = uniform(c.N * c.C * c.H * c.W, 12, -2, -0.5);
  for (const at of [2 * 40 + 9, 4 * 40 + 14, 6 * 40 + 20, 8 * 40 + 39, 360 + 3 * 40 + 1]) input[at] = Number.NaN;
  const expected = maxPoolReference(input, shapeOf(c));
  const nanOutputs = (values: Float32Array) => [...values.keys()].filter((i) => Number.isNaN(values[i]));

  it.each(WASM_BUILDS_UNDER_TEST.filter((build) => !build.absentBecause))('$name, threads 1 and 2', async (build) => {
    expect(nanOutputs(expected).length).toBeGreaterThanOrEqual(5);
    for (const threads of [1, 2]) {
      const backend: Backend = await build.create(threads);
      const actual = await runOp(backend, input, expected.length, (out, x) => backend.maxPool(out, x, shapeOf(c)));
      backend.dispose();
      expect(nanOutputs(actual)).toEqual(nanOutputs(expected));
      expectClose(actual.map((v) => (Number.isNaN(v) ? 0 : v)), expected.map((v) => (Number.isNaN(v) ? 0 : v)), 0, 0);
    }
  });
});
