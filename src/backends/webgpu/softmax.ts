// softmax on WebGPU (kernels/softmax.wgsl): uniform and dispatch.
import source from '../../../kernels/softmax.wgsl';
import type { SoftmaxShape } from '../backend.js';
import type { UniformLayout } from './uniforms.js';

export const SOFTMAX_SOURCE = source;
/** The shader's `override LANES`: invocations that share one row. */
export const SOFTMAX_CONSTANTS = { LANES: 64 };

export const SOFTMAX_UNIFORM: UniformLayout = [['N', 'u32'], ['D', 'u32'], ['_pad0', 'u32'], ['_pad1', 'u32']];

/** One workgroup per row. */
export function softmaxWorkgroups(s: SoftmaxShape): [number, number, number] {
  return [s.N, 1, 1];
}
