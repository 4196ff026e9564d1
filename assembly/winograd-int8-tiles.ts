// The tiles of the int8 path's integer Winograd (winograd-int8.ts): which kind a convolution takes, the
// input transform of four tiles' windows at a time, and the output transform of the GEMMs' products.
import { MR, roundUp } from './conv2d';
import { relu4 } from './simd';
import { squareTileOutputs, squareY00, squareY01, squareY10, squareY11, storeTiles } from './output-tiles';
import { locateLanes, lanesColumn, lanesEnd, lanesRow, positionStride, POSITIONS, storeLanes, storeMode } from './winograd';

// Three kinds of tile. Square tiles are winograd-int8.ts's F(2x2, 3x3), on every 3x3 block of the
// kernel. The other two read 6x4 windows: six rows down by Winograd with points 0, 1, -1, 2, -2 and
// infinity, four columns across by F(2, 3) blocks, 24 multiplies a tile per channel and column block:
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
export const SQUARE_TILES: i32 = 0;
export const TALL_TILES: i32 = 1;
const FOUR_ROW_TILES: i32 = 2;
export const SIX_ROW_POSITIONS: i32 = 24;
const SIX_ROW_DEPTH: i32 = 2752; // floor(2^31 / (127 * 128 * 48)) products per sum

/** The tiles a convolution (stride 1, or folded) runs: 6x4 windows while 48x its sums fit i32 and its kernel has at most 5 rows. */
@inline export function tilesOf(C: i32, R: i32, S: i32, G: i32): i32 {
  if ((C / G) * R * S > SIX_ROW_DEPTH || R > 5) return SQUARE_TILES;
  return R > 3 ? TALL_TILES : FOUR_ROW_TILES;
}

/** Output rows of a tile. */
@inline export function tileRowsOf(tiles: i32): i32 {
  return tiles == FOUR_ROW_TILES ? 4 : 2;
}

/** Row i of the six points' B^T (F(2, 5) and F(4, 3) alike) applied to rows d0 .. d5: [4,0,-5,0,1,0], [0,-4,-4,1,1,0], [0,4,-4,-1,1,0], [0,-2,-1,2,1,0], [0,2,-1,-2,1,0], [0,4,0,-5,0,1]. */
@inline function sixPointRow(i: i32, d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128): v128 {
  if (i == 0) return i16x8.add(i16x8.shl(i16x8.sub(d0, d2), 2), i16x8.sub(d4, d2));
  if (i == 1) return i16x8.sub(i16x8.add(d3, d4), i16x8.shl(i16x8.add(d1, d2), 2));
  if (i == 2) return i16x8.add(i16x8.sub(d4, d3), i16x8.shl(i16x8.sub(d1, d2), 2));
  if (i == 3) return i16x8.add(i16x8.sub(d4, d2), i16x8.shl(i16x8.sub(d3, d1), 1));
  if (i == 4) return i16x8.sub(i16x8.sub(d4, d2), i16x8.shl(i16x8.sub(d3, d1), 1));
  return i16x8.add(i16x8.shl(i16x8.sub(d1, d3), 2), i16x8.sub(d5, d3));
}

// Four tiles side by side (tile k's window two columns right of tile k - 1's) and two depth indices q and
// q + 1 in one v128: i16 lanes [q, q + 1] of tiles 0, 1, 2, 3, the panels' own order, so that each
// position is one 16-byte store (tile by tile, a pair took a four-byte store a position; the transforms of
// conv1-5 took 2.17 ms at 1 thread, four at a time 1.15). V fits i16 (|V| <= 2540) and i16 arithmetic
// wraps, so V is exact: B^T along the rows first, then down the columns, gives the same integers.

// One window row of the four tiles after F(2, 3)'s B^T along it: columns [0 - 2, 1 + 2, 2 - 1, 1 - 3].
let w0: v128 = i32x4.splat(0);
let w1: v128 = i32x4.splat(0);
let w2: v128 = i32x4.splat(0);
let w3: v128 = i32x4.splat(0);

// w0 .. w3 <- the row at `a` (depth index q's plane) and `b` (q + 1's, zero without `hasSecond`), lane 0's window first.
@inline function windowRowPairs(a: usize, b: usize, hasSecond: bool): void {
  const zero = i32x4.splat(0);
  const a0 = v128.load(a);
  const a2 = v128.load(a, 4);
  const b0 = hasSecond ? v128.load(b) : zero;
  const b2 = hasSecond ? v128.load(b, 4) : zero;
  // Column c of tile k is column 2k + c of the row: the even columns, the odd ones, then the same two columns on.
  const c0 = i8x16.shuffle(a0, b0, 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29);
  const c1 = i8x16.shuffle(a0, b0, 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
  const c2 = i8x16.shuffle(a2, b2, 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29);
  const c3 = i8x16.shuffle(a2, b2, 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
  w0 = i16x8.sub(c0, c2);
  w1 = i16x8.add(c1, c2);
  w2 = i16x8.sub(c2, c1);
  w3 = i16x8.sub(c1, c3);
}

// Column j's positions 4i + j from its window rows: six rows down by the six points, or four (square tiles) by F(2x2, 3x3)'s B^T.
@inline function storeColumn(
  out: usize, stride: usize, j: i32, square: bool, d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, keep: v128, mode: i32,
): void {
  if (square) {
    storeLanes(out + <usize>j * stride, i16x8.sub(d0, d2), keep, mode);
    storeLanes(out + <usize>(4 + j) * stride, i16x8.add(d1, d2), keep, mode);
    storeLanes(out + <usize>(8 + j) * stride, i16x8.sub(d2, d1), keep, mode);
    storeLanes(out + <usize>(12 + j) * stride, i16x8.sub(d1, d3), keep, mode);
    return;
  }
  for (let i = 0; i < 6; i++) storeLanes(out + <usize>(4 * i + j) * stride, sixPointRow(i, d0, d1, d2, d3, d4, d5), keep, mode);
}

// The positions of four side-by-side windows (6x4, or 4x4 where `square`) at `a` and `b`, rows `rowBytes` apart, to out + p * stride.
function sideBySide(out: usize, stride: usize, a: usize, b: usize, hasSecond: bool, square: bool, rowBytes: usize, keep: v128, mode: i32): void {
  const zero = i32x4.splat(0);
  windowRowPairs(a, b, hasSecond);
  const x00 = w0, x01 = w1, x02 = w2, x03 = w3;
  windowRowPairs(a + rowBytes, b + rowBytes, hasSecond);
  const x10 = w0, x11 = w1, x12 = w2, x13 = w3;
  windowRowPairs(a + 2 * rowBytes, b + 2 * rowBytes, hasSecond);
  const x20 = w0, x21 = w1, x22 = w2, x23 = w3;
  windowRowPairs(a + 3 * rowBytes, b + 3 * rowBytes, hasSecond);
  const x30 = w0, x31 = w1, x32 = w2, x33 = w3;
  let x40 = zero, x41 = zero, x42 = zero, x43 = zero;
  if (!square) {
    windowRowPairs(a + 4 * rowBytes, b + 4 * rowBytes, hasSecond);
    x40 = w0; x41 = w1; x42 = w2; x43 = w3;
    windowRowPairs(a + 5 * rowBytes, b + 5 * rowBytes, hasSecond);
  }
  storeColumn(out, stride, 0, square, x00, x10, x20, x30, x40, w0, keep, mode);
  storeColumn(out, stride, 1, square, x01, x11, x21, x31, x41, w1, keep, mode);
  storeColumn(out, stride, 2, square, x02, x12, x22, x32, x42, w2, keep, mode);
  storeColumn(out, stride, 3, square, x03, x13, x23, x33, x43, w3, keep, mode);
}

/** The i16 lanes of tiles 0 .. count - 1 (two a tile: depth indices q and q + 1). */
@inline function tilePairLanes(count: i32): v128 {
  return i16x8.lt_s(i16x8(0, 0, 1, 1, 2, 2, 3, 3), i16x8.splat(<i16>count));
}

/**
 * Tiles t .. t + 3 (t a multiple of 4) of a kind's windows in planes whose rows are `rowBytes` apart, for
 * depth indices q (window origin `a`) and q + 1 (`b`, where `hasSecond`): their positions to out + p *
 * stride as [q, q + 1] i16 pairs, zeros past the last tile; one pass for each tile row among the four.
 */
export function transformFourTiles(
  out: usize, stride: usize, a: usize, b: usize, hasSecond: bool, kind: i32, t: i32, tiles: i32, tilesW: i32, rowBytes: usize,
): void {
  const square = kind == SQUARE_TILES;
  if (t >= tiles) {
    const positions = square ? POSITIONS : SIX_ROW_POSITIONS;
    for (let p = 0; p < positions; p++) v128.store(out + <usize>p * stride, i32x4.splat(0));
    return;
  }
  const count = min(4, tiles - t);
  for (let from = 0; from < count; from = lanesEnd) {
    locateLanes(t, from, count, tilesW);
    // Lane 0's window; a row that begins among the four has it in the row above's last columns.
    const start = <usize>(<isize>(lanesRow * tileRowsOf(kind)) * <isize>rowBytes + (<isize>lanesColumn << 2));
    const keep = v128.andnot(tilePairLanes(lanesEnd), tilePairLanes(from));
    sideBySide(out, stride, a + start, b + start, hasSecond, square, rowBytes, keep, storeMode(from, lanesEnd));
  }
}

/** The integer convolution y * scale + bias, ReLU'd: four outputs of one kind, one per tile. */
@inline function finishOutputs(y: v128, scale: v128, bias: v128, relu: bool): v128 {
  const v = f32x4.add(f32x4.mul(f32x4.convert_i32x4_s(y), scale), bias);
  return relu ? relu4(v) : v;
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

/** Four tiles of 4x4 windows (F(2x2, 3x3)): y = A^T M A (output-tiles.ts), finished. */
@inline function storeSquareTiles(
  plane: usize, m: usize, stride: usize, scale: v128, bias: v128, relu: bool, t: i32, t1: i32, tilesW: i32, OH: i32, OW: i32,
): void {
  squareTileOutputs(m, stride, false);
  storeTiles(
    plane, t, t1, tilesW, 2, 0, OH, OW,
    finishQuarter(squareY00, scale, bias, relu), finishQuarter(squareY01, scale, bias, relu),
    finishQuarter(squareY10, scale, bias, relu), finishQuarter(squareY11, scale, bias, relu),
  );
}

// out[k][OH][OW] <- the output transform of the products, * scale[k] * step + bias (ReLU), for rows [k0, k1)
// and tiles [t0, t1) of a kind, four tiles a step in the v128 lanes (t0 is a multiple of NR; the products
// have columns up to a multiple of NR).
export function transformOutput(
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

