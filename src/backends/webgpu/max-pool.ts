// maxPool on WebGPU (kernels/max-pool.wgsl): uniform and dispatch.
import source from '../../../kernels/max-pool.wgsl';
import type { MaxPoolShape } from '../backend.js';
import { elementWorkgroups } from './per-element-dispatch.js';
import type { UniformLayout } from './uniforms.js';

export const MAX_POOL_SOURCE = source;

export const MAX_POOL_UNIFORM: UniformLayout = [
  ['planes', 'u32'], ['H', 'u32'], ['W', 'u32'], ['OH', 'u32'],
  ['OW', 'u32'], ['kernelH', 'u32'], ['kernelW', 'u32'], ['strideH', 'u32'],
  ['strideW', 'u32'], ['padTop', 'u32'], ['padLeft', 'u32'], ['total', 'u32'],
];

export function maxPoolUniformValues(s: MaxPoolShape): Record<string, number> {
  return { ...s, planes: s.N * s.C, total: s.N * s.C * s.OH * s.OW };
}

export function maxPoolWorkgroups(s: MaxPoolShape): [number, number, number] {
  return elementWorkgroups(s.N * s.C * s.OH * s.OW);
}
