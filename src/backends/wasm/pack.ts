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

/** Winograd F(2x2, 3x3) weight transform G g G^T, G = [[1,0,0],[1/2,1/2,1/2],[1/2,-1/2,1/2],[0,0,1]]. */
const G = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]];

/**
 * [K, C/G, R, S] (R, S <= 6) -> [G][16][ceil(K/G / MR)][C/G * blocks][MR]: the kernel is cut into 3x3
 * blocks (zero-padded), each becomes its 4x4 Winograd transform, packed per transform position the way
 * assembly/winograd.ts multiplies it; depth index = block * C/G + c. Rows past K/G are zero.
 */
export function packWinogradWeights(weight: Float32Array, shape: Conv2dWeightShape, MR: number): Float32Array {
  const { K, C, R, S, G: groups } = shape;
  const Kg = K / groups;
  const Cg = C / groups;
  const blocksH = Math.ceil(R / 3);
  const blocksW = Math.ceil(S / 3);
  const depth = Cg * blocksH * blocksW;
  const mTiles = Math.ceil(Kg / MR);
  const packed = new Float32Array(groups * 16 * mTiles * depth * MR);
  const g = new Float64Array(9);
  const rows = [new Float64Array(3), new Float64Array(3), new Float64Array(3), new Float64Array(3)];
  for (let k = 0; k < K; k++) {
    const group = Math.floor(k / Kg);
    const m = k % Kg;
    for (let q = 0; q < depth; q++) {
      const c = q % Cg;
      const block = Math.floor(q / Cg);
      const r0 = Math.floor(block / blocksW) * 3;
      const s0 = (block % blocksW) * 3;
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          const r = r0 + i;
          const s = s0 + j;
          g[i * 3 + j] = r < R && s < S ? weight[((k * Cg + c) * R + r) * S + s] : 0;
        }
      }
      for (let i = 0; i < 4; i++) for (let s = 0; s < 3; s++) rows[i][s] = G[i][0] * g[s] + G[i][1] * g[3 + s] + G[i][2] * g[6 + s];
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 4; j++) {
          const u = rows[i][0] * G[j][0] + rows[i][1] * G[j][1] + rows[i][2] * G[j][2];
          packed[((group * 16 + i * 4 + j) * mTiles + Math.floor(m / MR)) * depth * MR + q * MR + (m % MR)] = u;
        }
      }
    }
  }
  return packed;
}

export type Conv2dAlgorithm = 'direct' | 'winograd' | 'space-to-depth';

/**
 * How the wasm backend runs a convolution, by multiplies per input channel and 2x2 outputs:
 * direct costs 4 * R * S; Winograd 16 per 3x3 block of the kernel (stride 1, kernels up to 6x6:
 * 3x3 is 2.25x fewer, 5x5 1.56x); a strided kernel first turned into a stride-1 one over
 * sH * sW times the channels (space-to-depth) costs 16 * blocks * sH * sW (AlexNet's 11x11/4: 1.9x fewer).
 */
export function chooseConv2dAlgorithm(shape: Conv2dWeightShape): Conv2dAlgorithm {
  const { R, S, strideH, strideW } = shape;
  const direct = 4 * R * S;
  const winogradCost = (r: number, s: number): number => (r <= 6 && s <= 6 ? 16 * Math.ceil(r / 3) * Math.ceil(s / 3) : Infinity);
  if (strideH === 1 && strideW === 1) return winogradCost(R, S) < direct ? 'winograd' : 'direct';
  const folded = winogradCost(Math.ceil(R / strideH), Math.ceil(S / strideW)) * strideH * strideW;
  return folded < direct ? 'space-to-depth' : 'direct';
}

/** The stride-1 convolution a strided one becomes after space-to-depth (see assembly/winograd.ts). */
export function spaceToDepthShape(shape: Conv2dWeightShape): Conv2dWeightShape {
  const { C, K, R, S, G, strideH, strideW } = shape;
  return { C: C * strideH * strideW, K, R: Math.ceil(R / strideH), S: Math.ceil(S / strideW), G, strideH: 1, strideW: 1 };
}

/** [K, C/G, R, S] -> [K, C/G * sH * sW, ceil(R / sH), ceil(S / sW)], input channel c' = (c * sH + i) * sW + j. */
export function spaceToDepthWeights(weight: Float32Array, shape: Conv2dWeightShape): Float32Array {
  const { K, C, R, S, G, strideH: sh, strideW: sw } = shape;
  const folded = spaceToDepthShape(shape);
  const Cg = C / G;
  const foldedCg = folded.C / G;
  const out = new Float32Array(K * foldedCg * folded.R * folded.S);
  for (let k = 0; k < K; k++) {
    for (let c = 0; c < Cg; c++) {
      for (let r = 0; r < R; r++) {
        for (let s = 0; s < S; s++) {
          const channel = (c * sh + (r % sh)) * sw + (s % sw);
          const at = ((k * foldedCg + channel) * folded.R + Math.floor(r / sh)) * folded.S + Math.floor(s / sw);
          out[at] = weight[((k * Cg + c) * R + r) * S + s];
        }
      }
    }
  }
  return out;
}
