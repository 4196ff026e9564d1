// Weight layouts the wasm kernels read, made once at load time.
import { AlexNetError } from '../../errors.js';
import type { LayerWeights } from '../../weights/model-file.js';
import { dequantize } from '../../weights/quantize.js';
import type { Conv2dWeightShape } from '../backend.js';

/** f32 [K, C/G, R, S] from f32 or int8 + per-output-channel scales. */
export function conv2dWeightsAsFloat(weights: LayerWeights, K: number): Float32Array {
  const { weight } = weights;
  if (weight.dtype === 'F32') return weight.values;
  if (weight.scales.length !== K) throw new AlexNetError('WEIGHTS_SHAPE_MISMATCH', `conv2d has ${K} output channels but ${weight.scales.length} scales.`);
  return dequantize(weight);
}

/**
 * [K, C/G, R, S] -> [G][ceil(K/G / MR)][CRS][MR]: for each group and tile of MR output channels,
 * the MR weights of one reduction step lie together (assembly/conv2d.ts reads them with one splat each).
 * Rows past K/G are zero.
 */
export function packConv2dWeights(weight: Float32Array, shape: Conv2dWeightShape, MR: number): Float32Array {
  const { K, C, R, S, G } = shape;
  const Kg = K / G;
  const crs = (C / G) * R * S;
  const mTiles = Math.ceil(Kg / MR);
  const packed = new Float32Array(G * mTiles * crs * MR);
  for (let g = 0; g < G; g++) {
    for (let m = 0; m < Kg; m++) {
      const source = (g * Kg + m) * crs;
      const tile = Math.floor(m / MR);
      const lane = m % MR;
      const base = (g * mTiles + tile) * crs * MR + lane;
      for (let kd = 0; kd < crs; kd++) packed[base + kd * MR] = weight[source + kd];
    }
  }
  return packed;
}
