// maxPool on WebGPU (kernels/max-pool.wgsl).
import source from '../../../kernels/max-pool.wgsl';
import type { MaxPoolShape } from '../backend.js';
import { elementWorkgroups, PER_ELEMENT_CONSTANTS } from './per-element-dispatch.js';
import type { GpuProgram } from './program.js';

export const MAX_POOL_PROGRAM: GpuProgram<MaxPoolShape> = {
  name: 'maxPool',
  source,
  entryPoint: 'main',
  constants: PER_ELEMENT_CONSTANTS,
  uniform: [
    ['planes', 'u32'], ['H', 'u32'], ['W', 'u32'], ['OH', 'u32'],
    ['OW', 'u32'], ['kernelH', 'u32'], ['kernelW', 'u32'], ['strideH', 'u32'],
    ['strideW', 'u32'], ['padTop', 'u32'], ['padLeft', 'u32'], ['total', 'u32'],
  ],
  bindings: ['input', 'output'],
  uniformValues: (s) => ({ ...s, planes: s.N * s.C, total: s.N * s.C * s.OH * s.OW }),
  workgroups: (s) => elementWorkgroups(s.N * s.C * s.OH * s.OW),
};
