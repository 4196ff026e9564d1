// lrn on WebGPU (kernels/lrn.wgsl).
import source from '../../../kernels/lrn.wgsl';
import type { LrnShape } from '../backend.js';
import { elementWorkgroups, PER_ELEMENT_CONSTANTS } from './per-element-dispatch.js';
import type { GpuProgram } from './program.js';

export const LRN_PROGRAM: GpuProgram<LrnShape> = {
  name: 'lrn',
  source,
  entryPoint: 'main',
  constants: PER_ELEMENT_CONSTANTS,
  uniform: [
    ['C', 'u32'], ['HW', 'u32'], ['size', 'u32'], ['total', 'u32'],
    ['alpha', 'f32'], ['beta', 'f32'], ['k', 'f32'], ['_pad', 'u32'],
  ],
  bindings: ['input', 'output'],
  uniformValues: (s) => ({ ...s, HW: s.H * s.W, total: s.N * s.C * s.H * s.W }),
  workgroups: (s) => elementWorkgroups(s.N * s.C * s.H * s.W),
};
