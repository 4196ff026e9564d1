// conv2d on WebGPU (kernels/conv2d.wgsl): its program and its weight packing.
import source from '../../../kernels/conv2d.wgsl';
import type { Conv2dShape, Conv2dWeightShape, LayerWeights } from '../backend.js';
import { checkScaleCount, dequantize } from '../int8-weights.js';
import type { GpuProgram } from './program.js';

/** Output channels one invocation computes (a vec4 of weights). */
const CHANNELS = 4;
/**
 * Output columns it covers: the shader's `const COLUMNS` (it sizes an array, which an override cannot),
 * held equal by test/webgpu-programs.test.ts.
 */
export const CONV2D_COLUMNS = 4;

function kTilesOf(shape: Pick<Conv2dShape, 'K' | 'G'>): number {
  return Math.ceil(shape.K / shape.G / CHANNELS);
}

/** f32 [K, C/G, R, S] from f32 or int8 + per-output-channel scales. */
export function conv2dWeightsAsFloat(weights: LayerWeights, K: number): Float32Array {
  const { weight } = weights;
  if (weight.dtype === 'F32') return weight.values;
  checkScaleCount(weight, K, 'conv2d');
  return dequantize(weight);
}

/** f32 [K, C/G, R, S] -> [G][kTiles][C/G * R * S][4], lane j of tile t = channel 4t + j of the group, zero past K/G. */
export function packConv2dWeightsForGpu(weight: Float32Array, shape: Conv2dWeightShape): Float32Array {
  const { K, C, R, S, G } = shape;
  const Kg = K / G;
  const crs = (C / G) * R * S;
  const kTiles = kTilesOf(shape);
  const packed = new Float32Array(G * kTiles * crs * CHANNELS);
  for (let g = 0; g < G; g++) {
    for (let k = 0; k < Kg; k++) {
      const source = (g * Kg + k) * crs;
      const base = (g * kTiles + Math.floor(k / CHANNELS)) * crs * CHANNELS + (k % CHANNELS);
      for (let i = 0; i < crs; i++) packed[base + i * CHANNELS] = weight[source + i];
    }
  }
  return packed;
}

const WORKGROUP = { WORKGROUP_X: 8, WORKGROUP_Y: 8 };

export const CONV2D_PROGRAM: GpuProgram<Conv2dShape> = {
  name: 'conv2d',
  source,
  entryPoint: 'main',
  constants: WORKGROUP,
  uniform: [
    ['N', 'u32'], ['C', 'u32'], ['H', 'u32'], ['W', 'u32'],
    ['K', 'u32'], ['R', 'u32'], ['S', 'u32'], ['G', 'u32'],
    ['strideH', 'u32'], ['strideW', 'u32'], ['padTop', 'u32'], ['padLeft', 'u32'],
    ['OH', 'u32'], ['OW', 'u32'], ['relu', 'u32'], ['kTiles', 'u32'],
  ],
  bindings: ['input', 'weights', 'bias', 'output'],
  uniformValues: (s) => ({ ...s, kTiles: kTilesOf(s) }),
  // Workgroups of 8 x 8: x over blocks of 4 columns, y over rows, z over images x groups x channel tiles.
  workgroups: (s) => [Math.ceil(Math.ceil(s.OW / CONV2D_COLUMNS) / WORKGROUP.WORKGROUP_X), Math.ceil(s.OH / WORKGROUP.WORKGROUP_Y), s.N * s.G * kTilesOf(s)],
};
