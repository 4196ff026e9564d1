// fullyConnected on WebGPU (kernels/fully-connected.wgsl): int8 packing, uniform, dispatch.
import source from '../../../kernels/fully-connected.wgsl';
import type { FullyConnectedShape } from '../backend.js';
import type { UniformLayout } from './uniforms.js';

export const FULLY_CONNECTED_SOURCE = source;

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
