// softmax on WebGPU (kernels/softmax.wgsl): one workgroup per row.
import source from '../../../kernels/softmax.wgsl';
import type { SoftmaxShape } from '../backend.js';
import type { GpuProgram } from './program.js';

export const SOFTMAX_PROGRAM: GpuProgram<SoftmaxShape> = {
  name: 'softmax',
  source,
  entryPoint: 'main',
  // Invocations that share one row.
  constants: { LANES: 64 },
  uniform: [['N', 'u32'], ['D', 'u32'], ['_pad0', 'u32'], ['_pad1', 'u32']],
  bindings: ['input', 'output'],
  uniformValues: (s) => ({ ...s }),
  workgroups: (s) => [s.N, 1, 1],
};
