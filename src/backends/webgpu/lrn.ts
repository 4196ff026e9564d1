// lrn on WebGPU (kernels/lrn.wgsl): uniform and dispatch.
import source from '../../../kernels/lrn.wgsl';
import type { LrnShape } from '../backend.js';
import { elementWorkgroups } from './per-element-dispatch.js';
import type { UniformLayout } from './uniforms.js';

export const LRN_SOURCE = source;

export const LRN_UNIFORM: UniformLayout = [
  ['C', 'u32'], ['HW', 'u32'], ['size', 'u32'], ['total', 'u32'],
  ['alpha', 'f32'], ['beta', 'f32'], ['k', 'f32'], ['_pad', 'u32'],
];

export function lrnUniformValues(s: LrnShape): Record<string, number> {
  return { ...s, HW: s.H * s.W, total: s.N * s.C * s.H * s.W };
}

export function lrnWorkgroups(s: LrnShape): [number, number, number] {
  return elementWorkgroups(s.N * s.C * s.H * s.W);
}
