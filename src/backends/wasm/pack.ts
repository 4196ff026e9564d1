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

/**
 * [K, C/G, R, S] (R, S <= 6) -> [G][16][ceil(K/G / MR)][C/G * blocks][MR]: the kernel is cut into 3x3
 * blocks (zero-padded), each becomes its 4x4 Winograd F(2x2, 3x3) transform G g G^T with
 * G = [[1,0,0],[1/2,1/2,1/2],[1/2,-1/2,1/2],[0,0,1]], packed per transform position the way
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
  // Distance between two transform positions in `packed`; runs on every load, so scalar code, no arrays of arrays.
  const positionStride = mTiles * depth * MR;
  const g = new Float32Array(9);
  const t = new Float64Array(12);
  for (let k = 0; k < K; k++) {
    const group = Math.floor(k / Kg);
    const m = k % Kg;
    const tileBase = (group * 16 * mTiles + Math.floor(m / MR)) * depth * MR + (m % MR);
    for (let q = 0; q < depth; q++) {
      const c = q % Cg;
      const block = Math.floor(q / Cg);
      const r0 = Math.floor(block / blocksW) * 3;
      const s0 = (block % blocksW) * 3;
      const source = (k * Cg + c) * R;
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) g[i * 3 + j] = r0 + i < R && s0 + j < S ? weight[(source + r0 + i) * S + s0 + j] : 0;
      }
      // t = G g (4x3), then u = t G^T (4x4).
      for (let j = 0; j < 3; j++) {
        const a = g[j];
        const b = g[3 + j];
        const d = g[6 + j];
        t[j] = a;
        t[3 + j] = 0.5 * (a + b + d);
        t[6 + j] = 0.5 * (a - b + d);
        t[9 + j] = d;
      }
      let at = tileBase + q * MR;
      for (let i = 0; i < 4; i++) {
        const a = t[i * 3];
        const b = t[i * 3 + 1];
        const d = t[i * 3 + 2];
        packed[at] = a;
        packed[at + positionStride] = 0.5 * (a + b + d);
        packed[at + 2 * positionStride] = 0.5 * (a - b + d);
        packed[at + 3 * positionStride] = d;
        at += 4 * positionStride;
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
