// Conv weight layouts the kernels read, made once per layer at load time from the file's f32 or int8
// values: here rather than in JS because a full-size AlexNet has 4.4 million packed weights and cold
// JS took 100 ms for them, while the weights stream in.
//
// Source: [K, C/G, R, S], f32, or int8 with one f32 scale per output channel (`scales` != 0).
import { MR, conv2dPackedWeightFloats, roundUp } from './conv2d';
import { winogradPackedWeightFloats } from './winograd';
import { checkRange } from './simd';

/** Weight `index` of output channel `k`, dequantized when `scales` is set. */
@inline function weightAt(weights: usize, scales: usize, k: i32, index: i32): f32 {
  if (scales) return <f32>load<i8>(weights + <usize>index) * load<f32>(scales + (<usize>k << 2));
  return load<f32>(weights + (<usize>index << 2));
}

function checkSource(weights: usize, scales: usize, K: i32, elements: i32): void {
  checkRange(weights, scales ? <usize>elements : <usize>elements << 2);
  if (scales) checkRange(scales, <usize>K << 2);
}

/**
 * conv2d's layout: [G][ceil(K/G / MR)][C/G * R * S][MR], for each group and tile of MR output channels
 * the MR weights of one reduction step together; rows past K/G are zero.
 */
export function conv2dPackWeights(out: usize, weights: usize, scales: usize, K: i32, C: i32, R: i32, S: i32, G: i32): void {
  const Kg = K / G;
  const crs = (C / G) * R * S;
  const mTiles = roundUp(Kg, MR) / MR;
  const bytes = <usize>conv2dPackedWeightFloats(C, K, R, S, G) << 2;
  checkRange(out, bytes);
  checkSource(weights, scales, K, K * crs);
  memory.fill(out, 0, bytes);
  for (let k = 0; k < K; k++) {
    const g = k / Kg;
    const m = k % Kg;
    const base = out + ((<usize>(g * mTiles + m / MR) * crs * MR + m % MR) << 2);
    for (let i = 0; i < crs; i++) store<f32>(base + (<usize>i * MR << 2), weightAt(weights, scales, k, k * crs + i));
  }
}

/** Weight (row, column) of the folded kernel's block, 0 outside the kernel, before scaling: see winogradPackWeights. */
@inline function tap(
  weights: usize, int8: bool, source: i32, R: i32, S: i32, foldedR: i32, foldedS: i32,
  strideH: i32, strideW: i32, di: i32, dj: i32, row: i32, column: i32,
): f64 {
  const r = row * strideH + di;
  const s = column * strideW + dj;
  if (row >= foldedR || column >= foldedS || r >= R || s >= S) return 0;
  const index = (source + r) * S + s;
  return int8 ? <f64>load<i8>(weights + <usize>index) : <f64>load<f32>(weights + (<usize>index << 2));
}

/** One row (a, b, d) of t = G g, times G^T: four transform positions, `stride` bytes apart. */
@inline function storeTransformedRow(at: usize, stride: usize, a: f64, b: f64, d: f64): void {
  store<f32>(at, <f32>a);
  store<f32>(at + stride, <f32>(0.5 * (a + b + d)));
  store<f32>(at + 2 * stride, <f32>(0.5 * (a - b + d)));
  store<f32>(at + 3 * stride, <f32>d);
}

/**
 * conv2dWinograd's layout, [G][16][ceil(K/G / MR)][C'/G * blocks][MR]: the kernel (first folded by
 * space-to-depth when a stride is > 1: channel c' = (c * sH + i) * sW + j, rows ceil(R / sH), columns
 * ceil(S / sW)) is cut into 3x3 blocks, zero-padded, and each block becomes its 4x4 Winograd
 * F(2x2, 3x3) transform G g G^T with G = [[1,0,0],[1/2,1/2,1/2],[1/2,-1/2,1/2],[0,0,1]]; depth index
 * = block * C'/G + c'. Rows past K/G are zero.
 */
export function winogradPackWeights(
  out: usize, weights: usize, scales: usize, K: i32, C: i32, R: i32, S: i32, G: i32, strideH: i32, strideW: i32,
): void {
  const Cg = C / G;
  const foldedCg = Cg * strideH * strideW;
  const foldedR = (R + strideH - 1) / strideH;
  const foldedS = (S + strideW - 1) / strideW;
  const blocksW = (foldedS + 2) / 3;
  const depth = foldedCg * ((foldedR + 2) / 3) * blocksW;
  const Kg = K / G;
  const mTiles = roundUp(Kg, MR) / MR;
  const bytes = <usize>winogradPackedWeightFloats(C * strideH * strideW, K, foldedR, foldedS, G) << 2;
  checkRange(out, bytes);
  checkSource(weights, scales, K, K * Cg * R * S);
  memory.fill(out, 0, bytes);
  // Distance between two transform positions, in bytes.
  const positionStride = <usize>mTiles * depth * MR << 2;
  const int8 = scales != 0;
  for (let k = 0; k < K; k++) {
    const group = k / Kg;
    const m = k % Kg;
    const tileBase = out + ((<usize>(group * 16 * mTiles + m / MR) * depth * MR + m % MR) << 2);
    // The transform is linear: scale the block's raw values once, at the end.
    const scale: f64 = int8 ? <f64>load<f32>(scales + (<usize>k << 2)) : 1;
    // q = block * foldedCg + (c * strideH + di) * strideW + dj, counted up by nested loops, without divisions.
    let q = 0;
    for (let r0 = 0; r0 < foldedR; r0 += 3) {
      for (let s0 = 0; s0 < foldedS; s0 += 3) {
        for (let c = 0; c < Cg; c++) {
          const source = (k * Cg + c) * R;
          for (let di = 0; di < strideH; di++) {
            for (let dj = 0; dj < strideW; dj++, q++) {
              // The 3x3 block g, in locals: this runs once per weight at load, before tier-up, so no memory scratch.
              const g00 = tap(weights, int8, source, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0, s0) * scale;
              const g01 = tap(weights, int8, source, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0, s0 + 1) * scale;
              const g02 = tap(weights, int8, source, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0, s0 + 2) * scale;
              const g10 = tap(weights, int8, source, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0 + 1, s0) * scale;
              const g11 = tap(weights, int8, source, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0 + 1, s0 + 1) * scale;
              const g12 = tap(weights, int8, source, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0 + 1, s0 + 2) * scale;
              const g20 = tap(weights, int8, source, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0 + 2, s0) * scale;
              const g21 = tap(weights, int8, source, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0 + 2, s0 + 1) * scale;
              const g22 = tap(weights, int8, source, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0 + 2, s0 + 2) * scale;
              // Rows of t = G g (4x3); each becomes a row of u = t G^T (4x4), one transform position per element.
              const at = tileBase + (<usize>q * MR << 2);
              storeTransformedRow(at, positionStride, g00, g01, g02);
              storeTransformedRow(at + 4 * positionStride, positionStride, 0.5 * (g00 + g10 + g20), 0.5 * (g01 + g11 + g21), 0.5 * (g02 + g12 + g22));
              storeTransformedRow(at + 8 * positionStride, positionStride, 0.5 * (g00 - g10 + g20), 0.5 * (g01 - g11 + g21), 0.5 * (g02 - g12 + g22));
              storeTransformedRow(at + 12 * positionStride, positionStride, g20, g21, g22);
            }
          }
        }
      }
    }
  }
}
