// How the wasm backend runs each convolution; the weight layouts themselves are made in wasm (assembly/pack-weights.ts).
import type { Conv2dWeightShape } from '../backend.js';

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
