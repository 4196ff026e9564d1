// winogradInt8: int8 arithmetic (W8A8) for the convolutions Winograd runs (stride 1, kernels up to 6x6,
// and strided ones after space-to-depth), with integers end to end.
//
// The input is quantized per image to [-127, 127] (quantize.ts) and the weights are the file's int8
// values, so the exact answer is the integer convolution sum(q_w * q_x), scaled by scale_w[k] * step_x.
// Winograd's F(2x2, 3x3) computes that integer exactly when its transforms are done in integers:
// with G' = 2G = [[2,0,0],[1,1,1],[1,-1,1],[0,0,2]] the weights' transform U' = G' g G'^T = 4 G g G^T
// has integer entries (|U'| <= 9 * 128), the input's V = B^T d B too (|V| <= 4 * 127), both fit i16, and
// A^T (U' . V) A = 4 x the integer convolution. The 16 GEMMs multiply i16 pairs with
// i32x4.dot_i16x8_s (eight multiply-adds an instruction) into i32; the output transform stays in i32,
// drops the factor 4 and converts once: y = f32(sum) * scale_w[k] * step_x + bias. Integer sums do not
// depend on their order, so every split of the items gives the same bits.
//
// Why not the relaxed 8-bit dot product here: V is signed and needs 10 bits, and a direct (im2col)
// int8 GEMM does 2.25x (3x3) to 1.56x (5x5) the multiplies of F(2x2, 3x3) (3x and 2.1x those of the
// 6x4 windows below); measured in Chromium on this project's AVX2 machines (no VNNI), the i8 and i16
// dot products both run about 37 GMAC/s a core, f32 FMA 23, so integer Winograd is the fastest of the
// three. The fully connected layers use the i8 dot product.
//
// Per image, in three passes that threads share out item by item: quantize the input into zero-bordered
// i16 planes (one item a channel), transform it into panels (one item a pair of depth indices), then
// the GEMMs and the output transform (multiplyItems). Scratch: the quantized input [C][rows][columns]
// i16; the panels [G][P][T / NR][pairs][NR][2] i16 (P positions: 16, or 24 for the 6x4 windows below;
// pairs = ceil(depth / 2), depth index q as in winograd.ts); the products [G][P][K/G rounded up to
// MR][T rounded up to NR] i32. Weights: [G][P][ceil(K/G / MR)][pairs][MR][2] i16.
// Each position of the panels and the products starts one cache line after the last one's end (positionStride).
import { itemGroup, itemM0, itemM1, itemN0, itemN1, locateItem, MR, multiplyBlockInt16, multiplyItems, NR, roundUp } from './conv2d';
import { blocksOf, positionStride, POSITIONS } from './winograd';
import { largestOf, quantize1, quantize4, quantizeFactor, stepOf } from './quantize';
import { storeTiles } from './output-tiles';
import { checkRange } from './simd';

// Panels of NR columns that go through the 16 GEMMs before their output transform: 4 keep conv2's 16
// product blocks (16 x 128 x 32 i32 = 256 KiB) in L2; a whole group's (1.6 MiB) falls out of it.
const PANELS_PER_PASS: i32 = 4;

// Three kinds of tile. Square tiles are the F(2x2, 3x3) above, on every 3x3 block of the kernel. The
// other two read 6x4 windows: six rows down by Winograd with points 0, 1, -1, 2, -2 and infinity, four
// columns across by F(2, 3) blocks, 24 multiplies a tile per channel and column block:
//   tall tiles, F(2, 5) down, for kernels of 4 or 5 rows (AlexNet's conv2): 2x2 outputs a tile, where
//     square tiles take 32 per column block (25% fewer multiplies);
//   four-row tiles, F(4, 3) down, for kernels of up to 3 rows (conv1 after space-to-depth, conv3-5):
//     4x2 outputs, where square tiles take 32 for two of them (25% fewer, less the rounding up of OH to 4).
// In integers: G's rows times their denominators N = [4, -6, -6, 24, 24, 1] are, for F(2, 5), [1,0,0,0,0],
// [1,1,1,1,1], [1,-1,1,-1,1], [1,2,4,8,16], [1,-2,4,-8,16], [0,0,0,0,1] (F(4, 3): their first three columns,
// last row [0,0,1]), so U' = G' g G3'^T is an integer (|U'| <= 31 * 3 * 128, i16) and so is V (|V| <=
// 10 * 2 * 127). The output transform with 24 / N folded into A^T gives 48x the integer convolution;
// i32 arithmetic wraps, so only that final value must fit i32 (SIX_ROW_DEPTH, else square tiles); it is
// divided exactly: >> 4, then times 3's inverse modulo 2^32. conv2 took 21-25% less time with tall
// tiles than with square ones (1 and 2 threads, Node).
const SQUARE_TILES: i32 = 0;
const TALL_TILES: i32 = 1;
const FOUR_ROW_TILES: i32 = 2;
const SIX_ROW_POSITIONS: i32 = 24;
const SIX_ROW_DEPTH: i32 = 2752; // floor(2^31 / (127 * 128 * 48)) products per sum

/** The tiles a convolution (stride 1, or folded) runs: 6x4 windows while 48x its sums fit i32 and its kernel has at most 5 rows. */
@inline function tilesOf(C: i32, R: i32, S: i32, G: i32): i32 {
  if ((C / G) * R * S > SIX_ROW_DEPTH || R > 5) return SQUARE_TILES;
  return R > 3 ? TALL_TILES : FOUR_ROW_TILES;
}

/** Output rows of a tile. */
@inline function tileRowsOf(tiles: i32): i32 {
  return tiles == FOUR_ROW_TILES ? 4 : 2;
}

@inline function pairsOf(depth: i32): i32 {
  return (depth + 1) >> 1;
}

/** Depth indices: a channel and a 3x3 block of the kernel (square tiles), or a channel and a column block. */
@inline function depthOf(C: i32, R: i32, S: i32, G: i32): i32 {
  return (C / G) * (tilesOf(C, R, S, G) == SQUARE_TILES ? blocksOf(R) : 1) * blocksOf(S);
}

/** Transform positions of a tile: 16 (4x4 windows) or 24 (6x4). */
@inline function positionsOf(C: i32, R: i32, S: i32, G: i32): i32 {
  return tilesOf(C, R, S, G) == SQUARE_TILES ? POSITIONS : SIX_ROW_POSITIONS;
}

/** GEMM columns: the tiles, rounded up to NR. */
@inline function columnsOf(C: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32): i32 {
  const rows = tileRowsOf(tilesOf(C, R, S, G));
  return roundUp(((OH + rows - 1) / rows) * ((OW + 1) >> 1), NR);
}

/** Rows (or columns) of a quantized, zero-padded plane: every tile's 4x4 window of every kernel block lies inside. */
@inline function paddedSize(outputs: i32, kernel: i32): i32 {
  return 2 * ((outputs + 1) >> 1) + 3 * blocksOf(kernel) - 1;
}

/** Rows of a quantized plane: with up to 3 kernel rows, a four-row tile's 6-row window (or a square one's) lies inside. */
@inline function planeRows(OH: i32, R: i32): i32 {
  return R <= 3 ? 4 * ((OH + 3) >> 2) + 2 : paddedSize(OH, R);
}

/** Bytes of the quantized input [C][plane rows][padded columns] i16, rounded up to 16. */
@inline function quantizedBytes(C: i32, R: i32, S: i32, OH: i32, OW: i32): usize {
  return <usize>roundUp(C * planeRows(OH, R) * paddedSize(OW, S) * 2, 16);
}

/** Bytes from one position's i16 panels to the next's (positionStride). */
@inline function positionPanelBytes(C: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32): usize {
  return positionStride(<usize>pairsOf(depthOf(C, R, S, G)) * <usize>columnsOf(C, R, S, G, OH, OW) << 2);
}

/** Bytes from one position's i32 products to the next's (positionStride). */
@inline function positionProductBytes(C: i32, K: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32): usize {
  return positionStride(<usize>roundUp(K / G, MR) * <usize>columnsOf(C, R, S, G, OH, OW) << 2);
}

/** Bytes of the i16 panels winogradInt8TransformInput writes for one image. */
function panelBytes(C: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32): usize {
  return <usize>(G * positionsOf(C, R, S, G)) * positionPanelBytes(C, R, S, G, OH, OW);
}

/** Bytes of the int8 path's scratch for one image: the quantized input, the panels, then the i32 products. */
export function winogradInt8ScratchBytes(C: i32, K: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32): usize {
  const products = <usize>(G * positionsOf(C, R, S, G)) * positionProductBytes(C, K, R, S, G, OH, OW);
  return quantizedBytes(C, R, S, OH, OW) + panelBytes(C, R, S, G, OH, OW) + products;
}

/** Bytes of the transformed, packed i16 weights. */
export function winogradInt8PackedWeightBytes(C: i32, K: i32, R: i32, S: i32, G: i32): i32 {
  return G * positionsOf(C, R, S, G) * roundUp(K / G, MR) * pairsOf(depthOf(C, R, S, G)) * 4;
}

/** int8 weight (k, c, r, s) of a [K, Cg, R, S] kernel at folded row `row` and column `column` of phase (di, dj); 0 outside. */
@inline function foldedTap(
  weights: usize, k: i32, c: i32, Cg: i32, R: i32, S: i32, foldedR: i32, foldedS: i32,
  strideH: i32, strideW: i32, di: i32, dj: i32, row: i32, column: i32,
): i32 {
  const r = row * strideH + di;
  const s = column * strideW + dj;
  if (row >= foldedR || column >= foldedS || r >= R || s >= S) return 0;
  return <i32>load<i8>(weights + <usize>(((k * Cg + c) * R + r) * S + s));
}

/**
 * The layout winogradInt8Multiply reads, from int8 weights [K, C/G, R, S] (folded by space-to-depth when
 * a stride is > 1, as winogradPackWeights does): each 3x3 block g becomes U' = G' g G'^T, exact.
 */
export function winogradInt8PackWeights(out: usize, weights: usize, K: i32, C: i32, R: i32, S: i32, G: i32, strideH: i32, strideW: i32): void {
  const Cg = C / G;
  const foldedR = (R + strideH - 1) / strideH;
  const foldedS = (S + strideW - 1) / strideW;
  const depth = depthOf(C * strideH * strideW, foldedR, foldedS, G);
  const pairs = pairsOf(depth);
  const Kg = K / G;
  const mTiles = roundUp(Kg, MR) / MR;
  const bytes = <usize>winogradInt8PackedWeightBytes(C * strideH * strideW, K, foldedR, foldedS, G);
  checkRange(out, bytes);
  checkRange(weights, <usize>K * Cg * R * S);
  // Channels past K/G and the odd depth index of the last pair stay zero.
  memory.fill(out, 0, bytes);
  const positionBytes = <usize>mTiles * pairs * MR * 4;
  const tiles = tilesOf(C * strideH * strideW, foldedR, foldedS, G);
  const square = tiles == SQUARE_TILES;
  const positions = square ? POSITIONS : SIX_ROW_POSITIONS;
  for (let k = 0; k < K; k++) {
    const m = k % Kg;
    const base = out + (<usize>((k / Kg) * positions * mTiles + m / MR) * pairs * MR + m % MR) * 4;
    let q = 0;
    // 6x4 windows take all the kernel's rows at once.
    for (let r0 = 0; r0 < foldedR; r0 += square ? 3 : 6) {
      for (let s0 = 0; s0 < foldedS; s0 += 3) {
        for (let c = 0; c < Cg; c++) {
          for (let di = 0; di < strideH; di++) {
            for (let dj = 0; dj < strideW; dj++, q++) {
              const at = base + (<usize>(q >> 1) * MR * 4) + (<usize>(q & 1) << 1);
              if (!square) {
                // t = G' g row by row (the kernel's rows, zeros past them), each row of t one row of U' = t G3'^T.
                const g0 = kernelRow(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, 0, s0);
                const g1 = kernelRow(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, 1, s0);
                const g2 = kernelRow(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, 2, s0);
                const g3 = kernelRow(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, 3, s0);
                const g4 = kernelRow(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, 4, s0);
                const even = i32x4.add(i32x4.add(g0, g2), g4);
                const odd = i32x4.add(g1, g3);
                const evenTwos = i32x4.add(i32x4.add(g0, i32x4.shl(g2, 2)), i32x4.shl(g4, 4));
                const oddTwos = i32x4.add(i32x4.shl(g1, 1), i32x4.shl(g3, 3));
                storeWeightRow(at, positionBytes, g0);
                storeWeightRow(at + 4 * positionBytes, positionBytes, i32x4.add(even, odd));
                storeWeightRow(at + 8 * positionBytes, positionBytes, i32x4.sub(even, odd));
                storeWeightRow(at + 12 * positionBytes, positionBytes, i32x4.add(evenTwos, oddTwos));
                storeWeightRow(at + 16 * positionBytes, positionBytes, i32x4.sub(evenTwos, oddTwos));
                // The point at infinity takes the last tap: row 4 (F(2, 5)) or row 2 (F(4, 3)).
                storeWeightRow(at + 20 * positionBytes, positionBytes, tiles == TALL_TILES ? g4 : g2);
                continue;
              }
              // The block's three kernel rows, then t = G' g row by row, each row of t one row of U' = t G'^T.
              const g0 = kernelRow(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0, s0);
              const g1 = kernelRow(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0 + 1, s0);
              const g2 = kernelRow(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, r0 + 2, s0);
              storeWeightRow(at, positionBytes, i32x4.shl(g0, 1));
              storeWeightRow(at + 4 * positionBytes, positionBytes, i32x4.add(i32x4.add(g0, g1), g2));
              storeWeightRow(at + 8 * positionBytes, positionBytes, i32x4.add(i32x4.sub(g0, g1), g2));
              storeWeightRow(at + 12 * positionBytes, positionBytes, i32x4.shl(g2, 1));
            }
          }
        }
      }
    }
  }
}

/** Columns s0 .. s0 + 2 of folded kernel row `row` in i32 lanes 0-2 (lane 3 zero). */
function kernelRow(
  weights: usize, k: i32, c: i32, Cg: i32, R: i32, S: i32, foldedR: i32, foldedS: i32,
  strideH: i32, strideW: i32, di: i32, dj: i32, row: i32, s0: i32,
): v128 {
  let v = i32x4.splat(foldedTap(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, row, s0));
  v = i32x4.replace_lane(v, 1, foldedTap(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, row, s0 + 1));
  v = i32x4.replace_lane(v, 2, foldedTap(weights, k, c, Cg, R, S, foldedR, foldedS, strideH, strideW, di, dj, row, s0 + 2));
  return i32x4.replace_lane(v, 3, 0);
}

/** A row of U' = t G'^T from a row of t (lanes 0-2): four positions, `stride` bytes apart, as i16. */
function storeWeightRow(at: usize, stride: usize, t: v128): void {
  const t0 = i32x4.extract_lane(t, 0), t1 = i32x4.extract_lane(t, 1), t2 = i32x4.extract_lane(t, 2);
  store<i16>(at, <i16>(2 * t0));
  store<i16>(at + stride, <i16>(t0 + t1 + t2));
  store<i16>(at + 2 * stride, <i16>(t0 - t1 + t2));
  store<i16>(at + 3 * stride, <i16>(2 * t2));
}

/** Row r of V = t B from row r of t = B^T d, four i32 lanes: [t0 - t2, t1 + t2, t2 - t1, t1 - t3]. */
@inline function transformRow(t: v128): v128 {
  const a = i8x16.shuffle(t, t, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 4, 5, 6, 7);
  const b = i8x16.shuffle(t, t, 8, 9, 10, 11, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15);
  // Lanes 0, 2, 3 of a - b and lane 1 of a + b.
  return i8x16.shuffle(i32x4.sub(a, b), i32x4.add(a, b), 0, 1, 2, 3, 20, 21, 22, 23, 8, 9, 10, 11, 12, 13, 14, 15);
}

/** Rows 0-3 of V = B^T d B for one tile and depth index: written to v0 .. v3 (wasm globals, one set per instance). */
let v0: v128 = i32x4.splat(0);
let v1: v128 = i32x4.splat(0);
let v2: v128 = i32x4.splat(0);
let v3: v128 = i32x4.splat(0);
let v4: v128 = i32x4.splat(0);
let v5: v128 = i32x4.splat(0);

/** Four i16 of a quantized row as i32 lanes. */
@inline function quantizedRow(at: usize): v128 {
  return i32x4.extend_low_i16x8_s(v128.load64_zero(at));
}

// v0 .. v3 <- V of the 4x4 window at `at` of a quantized plane whose rows are `rowBytes` apart.
@inline function transformTile(at: usize, rowBytes: usize): void {
  const x0 = quantizedRow(at);
  const x1 = quantizedRow(at + rowBytes);
  const x2 = quantizedRow(at + 2 * rowBytes);
  const x3 = quantizedRow(at + 3 * rowBytes);
  v0 = transformRow(i32x4.sub(x0, x2));
  v1 = transformRow(i32x4.add(x1, x2));
  v2 = transformRow(i32x4.sub(x2, x1));
  v3 = transformRow(i32x4.sub(x1, x3));
}

/** Row i of the six points' B^T (F(2, 5) and F(4, 3) alike) applied to rows d0 .. d5: [4,0,-5,0,1,0], [0,-4,-4,1,1,0], [0,4,-4,-1,1,0], [0,-2,-1,2,1,0], [0,2,-1,-2,1,0], [0,4,0,-5,0,1]. */
@inline function sixPointRow(i: i32, d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128): v128 {
  if (i == 0) return i32x4.add(i32x4.shl(i32x4.sub(d0, d2), 2), i32x4.sub(d4, d2));
  if (i == 1) return i32x4.sub(i32x4.add(d3, d4), i32x4.shl(i32x4.add(d1, d2), 2));
  if (i == 2) return i32x4.add(i32x4.sub(d4, d3), i32x4.shl(i32x4.sub(d1, d2), 2));
  if (i == 3) return i32x4.add(i32x4.sub(d4, d2), i32x4.shl(i32x4.sub(d3, d1), 1));
  if (i == 4) return i32x4.sub(i32x4.sub(d4, d2), i32x4.shl(i32x4.sub(d3, d1), 1));
  return i32x4.add(i32x4.shl(i32x4.sub(d1, d3), 2), i32x4.sub(d5, d3));
}

// v0 .. v5 <- V of the 6x4 window at `at` (tall and four-row tiles): six points down the columns, then F(2, 3) along each row.
function transformSixRowTile(at: usize, rowBytes: usize): void {
  const x0 = quantizedRow(at);
  const x1 = quantizedRow(at + rowBytes);
  const x2 = quantizedRow(at + 2 * rowBytes);
  const x3 = quantizedRow(at + 3 * rowBytes);
  const x4 = quantizedRow(at + 4 * rowBytes);
  const x5 = quantizedRow(at + 5 * rowBytes);
  v0 = transformRow(sixPointRow(0, x0, x1, x2, x3, x4, x5));
  v1 = transformRow(sixPointRow(1, x0, x1, x2, x3, x4, x5));
  v2 = transformRow(sixPointRow(2, x0, x1, x2, x3, x4, x5));
  v3 = transformRow(sixPointRow(3, x0, x1, x2, x3, x4, x5));
  v4 = transformRow(sixPointRow(4, x0, x1, x2, x3, x4, x5));
  v5 = transformRow(sixPointRow(5, x0, x1, x2, x3, x4, x5));
}

/** Row r of two depth indices' V (i32 lanes, one position each) as four i16 pairs, one per position, `stride` bytes apart. */
@inline function storePairRow(at: usize, stride: usize, first: v128, second: v128): void {
  const pairs = i8x16.shuffle(i16x8.narrow_i32x4_s(first, second), first, 0, 1, 8, 9, 2, 3, 10, 11, 4, 5, 12, 13, 6, 7, 14, 15);
  v128.store32_lane(at, pairs, 0);
  v128.store32_lane(at + stride, pairs, 1);
  v128.store32_lane(at + 2 * stride, pairs, 2);
  v128.store32_lane(at + 3 * stride, pairs, 3);
}

/**
 * Items [first, end) of the int8 input quantization for one image, item = channel: the quantized input
 * (at the start of `scratch`) <- input [C, H, W] as i16 in [-127, 127] with the image's largest |x| (from
 * maxima [C], planeMaxima), each plane inside a zero border of padTop rows and padLeft columns (and
 * enough below and right that every tile's windows lie inside).
 */
export function winogradInt8QuantizeInput(
  scratch: usize, input: usize, maxima: usize, C: i32, H: i32, W: i32, R: i32, S: i32, padTop: i32, padLeft: i32, OH: i32, OW: i32,
  first: i32, end: i32,
): void {
  if (R > 6 || S > 6) unreachable();
  const rows = planeRows(OH, R);
  const columns = paddedSize(OW, S);
  checkRange(scratch, quantizedBytes(C, R, S, OH, OW));
  checkRange(input, <usize>C * H * W << 2);
  checkRange(maxima, <usize>C << 2);
  if (first < 0 || end > C || padTop < 0 || padLeft < 0) unreachable();
  const factor = quantizeFactor(largestOf(maxima, C));
  const factors = f32x4.splat(factor);
  // The input's columns that land inside the padded plane.
  const inside = min(W, columns - padLeft);
  for (let c = first; c < end; c++) {
    const plane = scratch + (<usize>c * rows * columns << 1);
    memory.fill(plane, 0, <usize>rows * columns << 1);
    const source = input + (<usize>c * H * W << 2);
    for (let h = 0; h < H && h + padTop < rows; h++) {
      const src = source + (<usize>(h * W) << 2);
      const dst = plane + (<usize>((h + padTop) * columns + padLeft) << 1);
      let w = 0;
      for (; w + 8 <= inside; w += 8) {
        const low = quantize4(v128.load(src + (<usize>w << 2)), factors);
        const high = quantize4(v128.load(src + (<usize>w << 2), 16), factors);
        v128.store(dst + (<usize>w << 1), i16x8.narrow_i32x4_s(low, high));
      }
      for (; w < inside; w++) store<i16>(dst + (<usize>w << 1), <i16>quantize1(load<f32>(src + (<usize>w << 2)), factor));
    }
  }
}

/**
 * Items [first, end) of the int8 input transform for one image, item = g * pairs + pair (depth indices
 * 2 pair and 2 pair + 1, the second zero past the depth = C/G * blocks): the panels (after the quantized
 * input in `scratch`) <- B^T d B of the quantized input winogradInt8QuantizeInput wrote.
 */
export function winogradInt8TransformInput(
  scratch: usize, C: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32, first: i32, end: i32,
): void {
  if (R > 6 || S > 6) unreachable();
  const Cg = C / G;
  const blocksW = blocksOf(S);
  const depth = depthOf(C, R, S, G);
  const pairs = pairsOf(depth);
  const kind = tilesOf(C, R, S, G);
  const sixRows = kind != SQUARE_TILES;
  const tileRows = tileRowsOf(kind);
  const tilesW = (OW + 1) >> 1;
  const tiles = ((OH + tileRows - 1) / tileRows) * tilesW;
  const columns = columnsOf(C, R, S, G, OH, OW);
  const rowBytes = <usize>paddedSize(OW, S) << 1;
  const planeBytes = <usize>planeRows(OH, R) * rowBytes;
  const quantized = scratch;
  const panels = scratch + quantizedBytes(C, R, S, OH, OW);
  checkRange(scratch, quantizedBytes(C, R, S, OH, OW) + panelBytes(C, R, S, G, OH, OW));
  if (first < 0 || end > G * pairs) unreachable();
  const zero = i32x4.splat(0);
  const positionBytes = positionPanelBytes(C, R, S, G, OH, OW);
  const groupBytes = <usize>positionsOf(C, R, S, G) * positionBytes;
  for (let item = first; item < end; item++) {
    const g = item / pairs;
    const pair = item % pairs;
    const q = pair * 2;
    const hasSecond = q + 1 < depth;
    // Each depth index's window origin: its channel's plane, shifted by its kernel block.
    const origin0 = quantized + <usize>(g * Cg + q % Cg) * planeBytes + <usize>((q / Cg) / blocksW * 3) * rowBytes + (<usize>((q / Cg) % blocksW * 3) << 1);
    const q1 = hasSecond ? q + 1 : q;
    const origin1 = quantized + <usize>(g * Cg + q1 % Cg) * planeBytes + <usize>((q1 / Cg) / blocksW * 3) * rowBytes + (<usize>((q1 / Cg) % blocksW * 3) << 1);
    const groupPanels = panels + <usize>g * groupBytes;
    for (let t = 0; t < columns; t++) {
      const column = groupPanels + ((<usize>(t >> 3) * pairs + pair) * NR + (t & 7) << 2);
      let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero;
      let b0 = zero, b1 = zero, b2 = zero, b3 = zero, b4 = zero, b5 = zero;
      if (t < tiles) {
        const offset = <usize>((t / tilesW) * tileRows) * rowBytes + (<usize>((t % tilesW) * 2) << 1);
        if (sixRows) transformSixRowTile(origin0 + offset, rowBytes);
        else transformTile(origin0 + offset, rowBytes);
        a0 = v0; a1 = v1; a2 = v2; a3 = v3; a4 = v4; a5 = v5;
        if (hasSecond) {
          if (sixRows) transformSixRowTile(origin1 + offset, rowBytes);
          else transformTile(origin1 + offset, rowBytes);
          b0 = v0; b1 = v1; b2 = v2; b3 = v3; b4 = v4; b5 = v5;
        }
      }
      storePairRow(column, positionBytes, a0, b0);
      storePairRow(column + 4 * positionBytes, positionBytes, a1, b1);
      storePairRow(column + 8 * positionBytes, positionBytes, a2, b2);
      storePairRow(column + 12 * positionBytes, positionBytes, a3, b3);
      if (!sixRows) continue;
      storePairRow(column + 16 * positionBytes, positionBytes, a4, b4);
      storePairRow(column + 20 * positionBytes, positionBytes, a5, b5);
    }
  }
}

/** The integer convolution y * scale + bias, ReLU'd: four outputs of one kind, one per tile. */
@inline function finishOutputs(y: v128, scale: v128, bias: v128, relu: bool): v128 {
  const v = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(y), scale), bias);
  return relu ? f32x4.max(v, f32x4.splat(0)) : v;
}

/** y / 4 (exact: 3x3 blocks' y is 4x an integer), finished. */
@inline function finishQuarter(y: v128, scale: v128, bias: v128, relu: bool): v128 {
  return finishOutputs(i32x4.shr_s(y, 2), scale, bias, relu);
}

/** y / 48 (exact: a 6x4 window's y is 48x an integer, so y >> 4 is 3x one, and 0xAAAAAAAB is 3's inverse modulo 2^32), finished. */
@inline function finishSixRows(y: v128, scale: v128, bias: v128, relu: bool): v128 {
  return finishOutputs(i32x4.mul(i32x4.shr_s(y, 4), i32x4.splat(0xaaaaaaab)), scale, bias, relu);
}

/** The product at `position` (4r + c) for four tiles. */
@inline function productAt(m: usize, stride: usize, position: i32): v128 {
  return v128.load(m + <usize>position * stride);
}

/**
 * Row `row` of z = A'^T M at column c, A' = A diag(24 / N): F(2, 5)'s rows (tall) [6,-4,-4,1,1,0] and
 * [0,-4,4,2,-2,24]; F(4, 3)'s [6,-4,-4,1,1,0], [0,-4,4,2,-2,0], [0,-4,-4,4,4,0] and [0,-4,4,8,-8,24].
 */
@inline function outputColumn(m: usize, stride: usize, c: i32, row: i32, tall: bool): v128 {
  const m1 = productAt(m, stride, 4 + c), m2 = productAt(m, stride, 8 + c);
  const m3 = productAt(m, stride, 12 + c), m4 = productAt(m, stride, 16 + c);
  if (row == 0) return i32x4.add(i32x4.sub(i32x4.mul(productAt(m, stride, c), i32x4.splat(6)), i32x4.shl(i32x4.add(m1, m2), 2)), i32x4.add(m3, m4));
  if (row == 2) return i32x4.shl(i32x4.sub(i32x4.add(m3, m4), i32x4.add(m1, m2)), 2);
  const odd = i32x4.add(i32x4.shl(i32x4.sub(m2, m1), 2), i32x4.shl(i32x4.sub(m3, m4), row == 1 ? 1 : 3));
  if (row == 1 && !tall) return odd;
  return i32x4.add(odd, i32x4.mul(productAt(m, stride, 20 + c), i32x4.splat(24)));
}

/** Output rows `first` and `first` + 1 of four tiles of 6x4 windows: z's rows, then F(2, 3)'s A along them. */
@inline function storeRowPair(
  plane: usize, m: usize, stride: usize, first: i32, tall: bool, scale: v128, bias: v128, relu: bool,
  t: i32, t1: i32, tilesW: i32, tileRows: i32, OH: i32, OW: i32,
): void {
  const z00 = outputColumn(m, stride, 0, first, tall), z01 = outputColumn(m, stride, 1, first, tall);
  const z02 = outputColumn(m, stride, 2, first, tall), z03 = outputColumn(m, stride, 3, first, tall);
  const z10 = outputColumn(m, stride, 0, first + 1, tall), z11 = outputColumn(m, stride, 1, first + 1, tall);
  const z12 = outputColumn(m, stride, 2, first + 1, tall), z13 = outputColumn(m, stride, 3, first + 1, tall);
  const y00 = finishSixRows(i32x4.add(i32x4.add(z00, z01), z02), scale, bias, relu);
  const y01 = finishSixRows(i32x4.sub(i32x4.sub(z01, z02), z03), scale, bias, relu);
  const y10 = finishSixRows(i32x4.add(i32x4.add(z10, z11), z12), scale, bias, relu);
  const y11 = finishSixRows(i32x4.sub(i32x4.sub(z11, z12), z13), scale, bias, relu);
  storeTiles(plane, t, t1, tilesW, tileRows, first, OH, OW, y00, y01, y10, y11);
}

/** Four tiles of 4x4 windows (F(2x2, 3x3)): z = A^T M by the columns c (position 4r + c), then y = z A. */
@inline function storeSquareTiles(
  plane: usize, m: usize, stride: usize, scale: v128, bias: v128, relu: bool, t: i32, t1: i32, tilesW: i32, OH: i32, OW: i32,
): void {
  const z00 = i32x4.add(i32x4.add(v128.load(m), v128.load(m + 4 * stride)), v128.load(m + 8 * stride));
  const z01 = i32x4.add(i32x4.add(v128.load(m + stride), v128.load(m + 5 * stride)), v128.load(m + 9 * stride));
  const z02 = i32x4.add(i32x4.add(v128.load(m + 2 * stride), v128.load(m + 6 * stride)), v128.load(m + 10 * stride));
  const z03 = i32x4.add(i32x4.add(v128.load(m + 3 * stride), v128.load(m + 7 * stride)), v128.load(m + 11 * stride));
  const z10 = i32x4.sub(i32x4.sub(v128.load(m + 4 * stride), v128.load(m + 8 * stride)), v128.load(m + 12 * stride));
  const z11 = i32x4.sub(i32x4.sub(v128.load(m + 5 * stride), v128.load(m + 9 * stride)), v128.load(m + 13 * stride));
  const z12 = i32x4.sub(i32x4.sub(v128.load(m + 6 * stride), v128.load(m + 10 * stride)), v128.load(m + 14 * stride));
  const z13 = i32x4.sub(i32x4.sub(v128.load(m + 7 * stride), v128.load(m + 11 * stride)), v128.load(m + 15 * stride));
  const y00 = finishQuarter(i32x4.add(i32x4.add(z00, z01), z02), scale, bias, relu);
  const y01 = finishQuarter(i32x4.sub(i32x4.sub(z01, z02), z03), scale, bias, relu);
  const y10 = finishQuarter(i32x4.add(i32x4.add(z10, z11), z12), scale, bias, relu);
  const y11 = finishQuarter(i32x4.sub(i32x4.sub(z11, z12), z13), scale, bias, relu);
  storeTiles(plane, t, t1, tilesW, 2, 0, OH, OW, y00, y01, y10, y11);
}

// out[k][OH][OW] <- the output transform of the products, * scale[k] * step + bias (ReLU), for rows [k0, k1)
// and tiles [t0, t1) of a kind, four tiles a step in the v128 lanes (t0 is a multiple of NR; the products
// have columns up to a multiple of NR).
function transformOutput(
  out: usize, products: usize, scales: usize, step: f32, bias: usize, k0: i32, k1: i32, t0: i32, t1: i32,
  Kg: i32, OH: i32, OW: i32, tilesW: i32, columns: i32, relu: bool, kind: i32,
): void {
  const positionBytes = positionStride(<usize>roundUp(Kg, MR) * columns << 2);
  const tileRows = tileRowsOf(kind);
  for (let k = k0; k < k1; k++) {
    const b = f32x4.splat(load<f32>(bias + (<usize>k << 2)));
    const scale = f32x4.splat(load<f32>(scales + (<usize>k << 2)) * step);
    const plane = out + (<usize>k * OH * OW << 2);
    for (let t = t0; t < t1; t += 4) {
      const m = products + (<usize>(k * columns + t) << 2);
      if (kind == SQUARE_TILES) {
        storeSquareTiles(plane, m, positionBytes, scale, b, relu, t, t1, tilesW, OH, OW);
      } else if (kind == TALL_TILES) {
        storeRowPair(plane, m, positionBytes, 0, true, scale, b, relu, t, t1, tilesW, tileRows, OH, OW);
      } else {
        storeRowPair(plane, m, positionBytes, 0, false, scale, b, relu, t, t1, tilesW, tileRows, OH, OW);
        storeRowPair(plane, m, positionBytes, 2, false, scale, b, relu, t, t1, tilesW, tileRows, OH, OW);
      }
    }
  }
}

/**
 * Items [first, end) of the int8 multiply pass for one image (numbered as multiplyItems says): out
 * [K, OH, OW] <- the packed i16 weights (winogradInt8PackedWeightBytes) with per-channel scales [K] x the
 * panels winogradInt8TransformInput wrote to `scratch`, the input's step from maxima [C], bias [K].
 */
export function winogradInt8Multiply(
  out: usize, scratch: usize, transformedWeights: usize, scales: usize, maxima: usize, bias: usize,
  C: i32, K: i32, R: i32, S: i32, G: i32, OH: i32, OW: i32, relu: bool, mBlock: i32, nBlock: i32, first: i32, end: i32,
): void {
  if (R > 6 || S > 6) unreachable();
  const pairs = pairsOf(depthOf(C, R, S, G));
  const kind = tilesOf(C, R, S, G);
  const tileRows = tileRowsOf(kind);
  const positions = positionsOf(C, R, S, G);
  const Kg = K / G;
  const mTiles = (Kg + MR - 1) / MR;
  const tilesW = (OW + 1) >> 1;
  const tiles = ((OH + tileRows - 1) / tileRows) * tilesW;
  const columns = columnsOf(C, R, S, G, OH, OW);
  const nTiles = columns / NR;
  checkRange(out, <usize>K * OH * OW << 2);
  checkRange(transformedWeights, <usize>winogradInt8PackedWeightBytes(C, K, R, S, G));
  checkRange(scales, <usize>K << 2);
  checkRange(maxima, <usize>C << 2);
  checkRange(bias, <usize>K << 2);
  checkRange(scratch, winogradInt8ScratchBytes(C, K, R, S, G, OH, OW));
  if (mBlock < 1 || nBlock < 1 || first < 0 || end > multiplyItems(mTiles, nTiles, G, mBlock, nBlock)) unreachable();
  const step = stepOf(largestOf(maxima, C));
  const panelStride = positionPanelBytes(C, R, S, G, OH, OW);
  const productBytes = positionProductBytes(C, K, R, S, G, OH, OW);
  const weightBytes = <usize>mTiles * pairs * MR << 2;
  const panelsStart = scratch + quantizedBytes(C, R, S, OH, OW);
  const products = panelsStart + panelBytes(C, R, S, G, OH, OW);
  for (let item = first; item < end; item++) {
    locateItem(item, mTiles, nTiles, mBlock, nBlock);
    const g = itemGroup;
    const groupProducts = products + <usize>(g * positions) * productBytes;
    const groupPanels = panelsStart + <usize>(g * positions) * panelStride;
    const groupWeights = transformedWeights + <usize>(g * positions) * weightBytes;
    const groupOut = out + (<usize>(g * Kg) * OH * OW << 2);
    const groupScales = scales + (<usize>(g * Kg) << 2);
    const groupBias = bias + (<usize>(g * Kg) << 2);
    // A few panels at a time through all 16 (or 24) GEMMs and the output transform, so the products are still in cache.
    for (let n0 = itemN0; n0 < itemN1; n0 += PANELS_PER_PASS) {
      const n1 = min(itemN1, n0 + PANELS_PER_PASS);
      for (let pos = 0; pos < positions; pos++) {
        multiplyBlockInt16(
          groupProducts + <usize>pos * productBytes, columns, groupWeights + <usize>pos * weightBytes,
          groupPanels + <usize>pos * panelStride, itemM0, itemM1, n0, n1, pairs,
        );
      }
      const k1 = min(Kg, itemM1 * MR);
      const t1 = min(tiles, n1 * NR);
      transformOutput(groupOut, groupProducts, groupScales, step, groupBias, itemM0 * MR, k1, n0 * NR, t1, Kg, OH, OW, tilesW, columns, relu, kind);
    }
  }
}
