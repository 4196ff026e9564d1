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
  const value = sourceAt(weights, scales != 0, index);
  return scales ? value * load<f32>(scales + (<usize>k << 2)) : value;
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

/** One value per output channel of a tile (lane m: element `index + m * kStride`; MR = 4 lanes), 0 past `lanes`: weights or scales. */
@inline function tileWeights(weights: usize, int8: bool, index: i32, kStride: i32, lanes: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, sourceAt(weights, int8, index));
  if (lanes > 1) v = f32x4.replace_lane(v, 1, sourceAt(weights, int8, index + kStride));
  if (lanes > 2) v = f32x4.replace_lane(v, 2, sourceAt(weights, int8, index + 2 * kStride));
  if (lanes > 3) v = f32x4.replace_lane(v, 3, sourceAt(weights, int8, index + 3 * kStride));
  return v;
}

/** Element `index` of an int8 or f32 array, as f32. */
@inline function sourceAt(weights: usize, int8: bool, index: i32): f32 {
  return int8 ? <f32>load<i8>(weights + <usize>index) : load<f32>(weights + (<usize>index << 2));
}

/**
 * Weight (row, column) of the folded kernel's block for a tile's output channels, scaled; 0 outside the
 * kernel. `source` is the first channel's index of input channel c, row 0 (see winogradPackWeights).
 */
function tap(
  weights: usize, int8: bool, scale: v128, source: i32, kStride: i32, lanes: i32, R: i32, S: i32, foldedR: i32, foldedS: i32,
  strideH: i32, strideW: i32, di: i32, dj: i32, row: i32, column: i32,
): v128 {
  const r = row * strideH + di;
  const s = column * strideW + dj;
  if (row >= foldedR || column >= foldedS || r >= R || s >= S) return f32x4.splat(0);
  return f32x4.mul(tileWeights(weights, int8, (source + r) * S + s, kStride, lanes), scale);
}

/** One row (a, b, d) of t = G g, times G^T: four transform positions, `stride` bytes apart, MR output channels each. */
function storeTransformedRow(at: usize, stride: usize, a: v128, b: v128, d: v128): void {
  v128.store(at, a);
  v128.store(at + stride, halfSum(a, b, d));
  v128.store(at + 2 * stride, halfDifference(a, b, d));
  v128.store(at + 3 * stride, d);
}

/** (x + y + z) / 2: G's second row. */
@inline function halfSum(x: v128, y: v128, z: v128): v128 {
  return f32x4.mul(f32x4.splat(0.5), f32x4.add(f32x4.add(x, y), z));
}

/** (x - y + z) / 2: G's third row. */
@inline function halfDifference(x: v128, y: v128, z: v128): v128 {
  return f32x4.mul(f32x4.splat(0.5), f32x4.add(f32x4.sub(x, y), z));
}

/**
 * conv2dWinograd's layout, [G][16][ceil(K/G / MR)][C'/G * blocks][MR]: the kernel (first folded by
 * space-to-depth when a stride is > 1: channel c' = (c * sH + i) * sW + j, rows ceil(R / sH), columns
 * ceil(S / sW)) is cut into 3x3 blocks, zero-padded, and each block becomes its 4x4 Winograd
 * F(2x2, 3x3) transform G g G^T with G = [[1,0,0],[1/2,1/2,1/2],[1/2,-1/2,1/2],[0,0,1]]; depth index
 * = block * C'/G + c'. Rows past K/G are zero. The MR output channels of a tile are transformed
 * together, one per v128 lane, so each store fills the tile's MR slots of one depth index.
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
  // Distance between two transform positions, in bytes.
  const positionStride = <usize>mTiles * depth * MR << 2;
  const int8 = scales != 0;
  // Between the same weight of two neighbouring output channels.
  const kStride = Cg * R * S;
  // Every slot is written (lanes past K/G as zeros): no fill first.
  for (let group = 0; group < G; group++) {
    for (let tile = 0; tile < mTiles; tile++) {
      const k0 = group * Kg + tile * MR;
      const lanes = min(MR, Kg - tile * MR);
      // The transform is linear: scaling the taps is scaling the block.
      const scale = int8 ? tileWeights(scales, false, k0, 1, lanes) : f32x4.splat(1);
      const tileBase = out + (<usize>(group * 16 * mTiles + tile) * depth * MR << 2);
      // q = block * foldedCg + (c * strideH + di) * strideW + dj, counted up by nested loops, without divisions.
      let q = 0;
      for (let r0 = 0; r0 < foldedR; r0 += 3) {
        for (let s0 = 0; s0 < foldedS; s0 += 3) {
          for (let c = 0; c < Cg; c++) {
            const source = (k0 * Cg + c) * R;
            for (let di = 0; di < strideH; di++) {
              for (let dj = 0; dj < strideW; dj++, q++) {
                const g00 = tap(weights, int8, scale, source, kStride, lanes, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0, s0);
                const g01 = tap(weights, int8, scale, source, kStride, lanes, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0, s0 + 1);
                const g02 = tap(weights, int8, scale, source, kStride, lanes, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0, s0 + 2);
                const g10 = tap(weights, int8, scale, source, kStride, lanes, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0 + 1, s0);
                const g11 = tap(weights, int8, scale, source, kStride, lanes, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0 + 1, s0 + 1);
                const g12 = tap(weights, int8, scale, source, kStride, lanes, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0 + 1, s0 + 2);
                const g20 = tap(weights, int8, scale, source, kStride, lanes, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0 + 2, s0);
                const g21 = tap(weights, int8, scale, source, kStride, lanes, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0 + 2, s0 + 1);
                const g22 = tap(weights, int8, scale, source, kStride, lanes, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0 + 2, s0 + 2);
                // Rows of t = G g (4x3); each becomes a row of u = t G^T (4x4), one transform position per element.
                const at = tileBase + (<usize>q * MR << 2);
                storeTransformedRow(at, positionStride, g00, g01, g02);
                storeTransformedRow(at + 4 * positionStride, positionStride, halfSum(g00, g10, g20), halfSum(g01, g11, g21), halfSum(g02, g12, g22));
                storeTransformedRow(at + 8 * positionStride, positionStride, halfDifference(g00, g10, g20), halfDifference(g01, g11, g21), halfDifference(g02, g12, g22));
                storeTransformedRow(at + 12 * positionStride, positionStride, g20, g21, g22);
              }
            }
          }
        }
      }
    }
  }
}
