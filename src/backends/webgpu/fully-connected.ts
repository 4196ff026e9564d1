// fullyConnected on WebGPU (kernels/fully-connected.wgsl): int8 packing, uniform, dispatch.
import source from '../../../kernels/fully-connected.wgsl';
import unpackSource from '../../../kernels/fully-connected-unpack4x8.wgsl';
import type { FullyConnectedShape } from '../backend.js';
import type { UniformLayout } from './uniforms.js';

export const FULLY_CONNECTED_SOURCE = source;
/** The shaders' `override LANES`: invocations that share one output feature's row. */
export const FULLY_CONNECTED_CONSTANTS = { LANES: 64 };
/** The int8 entry point with unpack4xI8, for devices with the packed_4x8_integer_dot_product WGSL feature. */
export const FULLY_CONNECTED_UNPACK_SOURCE = unpackSource;

/** How int8 weights are unpacked in the shader. */
export type Int8Unpack = 'unpack4xI8' | 'shifts';

/** unpack4xI8 where this browser's WGSL has it, shift-and-sign-extend otherwise. */
export function defaultInt8Unpack(): Int8Unpack {
  const features = (globalThis.navigator as Navigator | undefined)?.gpu?.wgslLanguageFeatures;
  return features?.has('packed_4x8_integer_dot_product') ? 'unpack4xI8' : 'shifts';
}

export const FULLY_CONNECTED_UNIFORM: UniformLayout = [
  ['N', 'u32'], ['I', 'u32'], ['O', 'u32'], ['relu', 'u32'],
  ['wordsPerRow', 'u32'], ['_pad0', 'u32'], ['_pad1', 'u32'], ['_pad2', 'u32'],
];

export function wordsPerRow(I: number): number {
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

export function fullyConnectedUniformValues(s: FullyConnectedShape): Record<string, number | boolean> {
  return { ...s, wordsPerRow: wordsPerRow(s.I) };
}

/** One workgroup per output feature and image. */
export function fullyConnectedWorkgroups(s: FullyConnectedShape): [number, number, number] {
  return [s.O, s.N, 1];
}
