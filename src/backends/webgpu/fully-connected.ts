// fullyConnected on WebGPU (kernels/fully-connected.wgsl): its programs (int8 weights, f32 weights)
// and the int8 packing.
import source from '../../../kernels/fully-connected.wgsl';
import unpackSource from '../../../kernels/fully-connected-unpack4x8.wgsl';
import type { FullyConnectedShape } from '../backend.js';
import type { GpuProgram } from './program.js';

/** How int8 weights are unpacked in the shader. */
export type Int8Unpack = 'unpack4xI8' | 'shifts';

/** unpack4xI8 where this browser's WGSL has it, shift-and-sign-extend otherwise. */
export function defaultInt8Unpack(): Int8Unpack {
  const features = (globalThis.navigator as Navigator | undefined)?.gpu?.wgslLanguageFeatures;
  return features?.has('packed_4x8_integer_dot_product') ? 'unpack4xI8' : 'shifts';
}

function wordsPerRow(I: number): number {
  return Math.ceil(I / 4);
}

/** int8 [O, I] -> u32 [O, ceil(I / 4)], four weights a word (lowest byte first), rows zero-padded. */
export function packInt8Rows(values: Int8Array, O: number, I: number): Uint32Array {
  const words = wordsPerRow(I);
  if (I % 4 === 0) return new Uint32Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const padded = new Int8Array(O * words * 4);
  for (let o = 0; o < O; o++) padded.set(values.subarray(o * I, (o + 1) * I), o * words * 4);
  return new Uint32Array(padded.buffer);
}

/** The int8 entry point of kernels/fully-connected.wgsl; everything but the entry point is shared. */
export const FULLY_CONNECTED_INT8_PROGRAM: GpuProgram<FullyConnectedShape> = {
  name: 'fullyConnectedInt8',
  source,
  entryPoint: 'int8',
  // Invocations that share one output feature's row.
  constants: { LANES: 64 },
  uniform: [
    ['N', 'u32'], ['I', 'u32'], ['O', 'u32'], ['relu', 'u32'],
    ['wordsPerRow', 'u32'], ['_pad0', 'u32'], ['_pad1', 'u32'], ['_pad2', 'u32'],
  ],
  bindings: ['input', 'packedWeights', 'bias', 'output', 'scales', 'floatWeights'],
  uniformValues: (s) => ({ ...s, wordsPerRow: wordsPerRow(s.I) }),
  // One workgroup per output feature and image.
  workgroups: (s) => [s.O, s.N, 1],
};

/** The same kernel unpacking with unpack4xI8, for devices with the packed_4x8_integer_dot_product WGSL feature. */
export const FULLY_CONNECTED_INT8_UNPACK_PROGRAM: GpuProgram<FullyConnectedShape> = {
  ...FULLY_CONNECTED_INT8_PROGRAM,
  name: 'fullyConnectedInt8Unpack',
  source: unpackSource,
  bindings: ['input', 'packedWeights', 'bias', 'output', 'scales'],
};

export const FULLY_CONNECTED_F32_PROGRAM: GpuProgram<FullyConnectedShape> = { ...FULLY_CONNECTED_INT8_PROGRAM, name: 'fullyConnectedF32', entryPoint: 'float32' };
