// Bytes of the kernels' scratch and packed weights, computed here in doubles: the kernels' own size
// exports compute in 32-bit integers and wrap for absurd shapes, and a wrapped size let a kernel write
// past its buffer (a trap). These mirror assembly/conv2d.ts, winograd.ts and winograd-int8.ts exactly
// (test/kernel-sizes.test.ts holds them equal for real shapes).

/** Output channels and pixels of the kernels' register tile. */
export interface Tile {
  MR: number;
  NR: number;
}

/** Sizes of one convolution's parts; C, K, R, S, G as the kernels take them (folded where space-to-depth runs). */
export interface ConvolutionSize {
  C: number;
  K: number;
  R: number;
  S: number;
  G: number;
  OH: number;
  OW: number;
}

const POSITIONS = 16;
/** int8 arithmetic's 6x4 windows (assembly/winograd-int8-tiles.ts): their positions, and the products per sum they take. */
const SIX_ROW_POSITIONS = 24;
const SIX_ROW_DEPTH = 2752;
/** Bytes from one Winograd position's panels (or products) to the next: one cache line more than they take (assembly/winograd.ts). */
const positionStride = (bytes: number): number => bytes + 64;

const roundUp = (value: number, multiple: number): number => Math.ceil(value / multiple) * multiple;
const blocksOf = (size: number): number => Math.ceil(size / 3);
const half = (size: number): number => Math.ceil(size / 2);

function winogradColumns({ OH, OW }: ConvolutionSize, { NR }: Tile): number {
  return roundUp(half(OH) * half(OW), NR);
}

function winogradDepth({ C, R, S, G }: ConvolutionSize): number {
  return Math.floor(C / G) * blocksOf(R) * blocksOf(S);
}

function productBytes(s: ConvolutionSize, tile: Tile, positions: number, columns: number): number {
  return s.G * positions * roundUp(Math.floor(s.K / s.G), tile.MR) * columns * 4;
}

/** conv2dScratchBytes: im2col panels, then the product matrices. */
export function directScratchBytes(s: ConvolutionSize, tile: Tile): number {
  const columns = roundUp(s.OH * s.OW, tile.NR);
  return s.G * Math.floor(s.C / s.G) * s.R * s.S * columns * 4 + productBytes(s, tile, 1, columns);
}

/** conv2dPackedWeightFloats x 4. */
export function directPackedWeightBytes(s: Omit<ConvolutionSize, 'OH' | 'OW'>, tile: Tile): number {
  return s.G * roundUp(Math.floor(s.K / s.G), tile.MR) * Math.floor(s.C / s.G) * s.R * s.S * 4;
}

/** winogradScratchBytes: the 16 positions' panels, then their products. */
export function winogradScratchBytes(s: ConvolutionSize, tile: Tile): number {
  const columns = winogradColumns(s, tile);
  return s.G * POSITIONS * (positionStride(winogradDepth(s) * columns * 4) + positionStride(roundUp(Math.floor(s.K / s.G), tile.MR) * columns * 4));
}

/** winogradPackedWeightFloats x 4. */
export function winogradPackedWeightBytes(s: Omit<ConvolutionSize, 'OH' | 'OW'>, tile: Tile): number {
  return s.G * POSITIONS * roundUp(Math.floor(s.K / s.G), tile.MR) * winogradDepth({ ...s, OH: 0, OW: 0 }) * 4;
}

type Int8Tiles = 'square' | 'tall' | 'four-row';
const int8Tiles = ({ C, R, S, G }: Omit<ConvolutionSize, 'K' | 'OH' | 'OW'>): Int8Tiles =>
  Math.floor(C / G) * R * S > SIX_ROW_DEPTH || R > 5 ? 'square' : R > 3 ? 'tall' : 'four-row';
const int8Positions = (s: Omit<ConvolutionSize, 'K' | 'OH' | 'OW'>): number => (int8Tiles(s) === 'square' ? POSITIONS : SIX_ROW_POSITIONS);

/** Depth indices of the int8 path's GEMMs: a channel and a 3x3 block (square tiles), else a channel and a column block. */
function winogradInt8Depth(s: Omit<ConvolutionSize, 'K' | 'OH' | 'OW'>): number {
  return Math.floor(s.C / s.G) * (int8Tiles(s) === 'square' ? blocksOf(s.R) : 1) * blocksOf(s.S);
}

/**
 * Whether each pair of the int8 path's depth indices holds two channels of one kernel block (or the last
 * alone), so that an item of winogradInt8QuantizeTransform takes two channels, else a whole group
 * (assembly/winograd-int8.ts winogradInt8PairsFold).
 */
export function winogradInt8PairsFold(s: Omit<ConvolutionSize, 'K' | 'OH' | 'OW'>): boolean {
  const Cg = Math.floor(s.C / s.G);
  return Cg % 2 === 0 || winogradInt8Depth(s) === Cg;
}

/** Columns of the int8 path's GEMMs: its tiles (two output columns, and two output rows or four), rounded up to NR. */
export function winogradInt8Columns(s: Omit<ConvolutionSize, 'K'>, { NR }: Tile): number {
  const rows = int8Tiles(s) === 'four-row' ? 4 : 2;
  return roundUp(Math.ceil(s.OH / rows) * half(s.OW), NR);
}

/** winogradInt8ScratchBytes: the quantized, zero-bordered input (i16), the i16 panels, the i32 products. */
export function winogradInt8ScratchBytes(s: ConvolutionSize, tile: Tile): number {
  const columns = winogradInt8Columns(s, tile);
  const padded = (outputs: number, kernel: number): number => 2 * half(outputs) + 3 * blocksOf(kernel) - 1;
  const rows = s.R <= 3 ? 4 * Math.ceil(s.OH / 4) + 2 : padded(s.OH, s.R);
  const quantized = roundUp(s.C * rows * padded(s.OW, s.S) * 2, 16);
  const panels = s.G * int8Positions(s) * positionStride(Math.ceil(winogradInt8Depth(s) / 2) * columns * 4);
  const products = s.G * int8Positions(s) * positionStride(roundUp(Math.floor(s.K / s.G), tile.MR) * columns * 4);
  return quantized + panels + products;
}

/** winogradInt8PackedWeightBytes. */
export function winogradInt8PackedWeightBytes(s: Omit<ConvolutionSize, 'OH' | 'OW'>, tile: Tile): number {
  return s.G * int8Positions(s) * roundUp(Math.floor(s.K / s.G), tile.MR) * Math.ceil(winogradInt8Depth(s) / 2) * 4;
}
