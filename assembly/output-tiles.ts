// The Winograd output transforms' shared steps: A^T M A of four square tiles (F(2x2, 3x3)), one a v128
// lane, and where the results go: four 2x2 output tiles into an output plane [OH][OW].

// A^T M A of four square tiles, rows 0 and 1 of their 2x2 outputs (squareY00 squareY01 over squareY10
// squareY11): wasm globals, one set per instance.
export let squareY00: v128 = i32x4.splat(0);
export let squareY01: v128 = i32x4.splat(0);
export let squareY10: v128 = i32x4.splat(0);
export let squareY11: v128 = i32x4.splat(0);

@inline function add(a: v128, b: v128, float: bool): v128 {
  return float ? f32x4.add(a, b) : i32x4.add(a, b);
}

@inline function sub(a: v128, b: v128, float: bool): v128 {
  return float ? f32x4.sub(a, b) : i32x4.sub(a, b);
}

/**
 * squareY00 .. squareY11 <- A^T M A of four square tiles from their 16 products at m + p * stride (position p = 4r + c),
 * f32 or i32 lanes: z = A^T M down each column c, then y = z A along each row (the f32 path's order
 * from when it took a tile at a time, so the same bits).
 */
@inline export function squareTileOutputs(m: usize, stride: usize, float: bool): void {
  const z00 = add(add(v128.load(m), v128.load(m + 4 * stride), float), v128.load(m + 8 * stride), float);
  const z01 = add(add(v128.load(m + stride), v128.load(m + 5 * stride), float), v128.load(m + 9 * stride), float);
  const z02 = add(add(v128.load(m + 2 * stride), v128.load(m + 6 * stride), float), v128.load(m + 10 * stride), float);
  const z03 = add(add(v128.load(m + 3 * stride), v128.load(m + 7 * stride), float), v128.load(m + 11 * stride), float);
  const z10 = sub(sub(v128.load(m + 4 * stride), v128.load(m + 8 * stride), float), v128.load(m + 12 * stride), float);
  const z11 = sub(sub(v128.load(m + 5 * stride), v128.load(m + 9 * stride), float), v128.load(m + 13 * stride), float);
  const z12 = sub(sub(v128.load(m + 6 * stride), v128.load(m + 10 * stride), float), v128.load(m + 14 * stride), float);
  const z13 = sub(sub(v128.load(m + 7 * stride), v128.load(m + 11 * stride), float), v128.load(m + 15 * stride), float);
  squareY00 = add(add(z00, z01, float), z02, float);
  squareY01 = sub(sub(z01, z02, float), z03, float);
  squareY10 = add(add(z10, z11, float), z12, float);
  squareY11 = sub(sub(z11, z12, float), z13, float);
}

/** Outputs (oh, ow) .. (oh + 1, ow + 1) (y00 y01 over y10 y11) into a plane, those inside OH x OW. */
@inline function storeTile(plane: usize, oh: i32, ow: i32, OH: i32, OW: i32, y00: f32, y01: f32, y10: f32, y11: f32): void {
  if (oh >= OH) return;
  const dst = plane + (<usize>(oh * OW + ow) << 2);
  const right = ow + 1 < OW;
  store<f32>(dst, y00);
  if (right) store<f32>(dst, y01, 4);
  if (oh + 1 >= OH) return;
  const below = dst + (<usize>OW << 2);
  store<f32>(below, y10);
  if (right) store<f32>(below, y11, 4);
}

/**
 * Rows `first` and `first` + 1 of tiles t .. t + 3 (those before t1; tiles of `tileRows` rows and two columns,
 * tilesW a row), lane by lane in y00, y01 (upper row) and y10, y11 (lower row), into the plane.
 */
@inline export function storeTiles(
  plane: usize, t: i32, t1: i32, tilesW: i32, tileRows: i32, first: i32, OH: i32, OW: i32, y00: v128, y01: v128, y10: v128, y11: v128,
): void {
  const ow = (t % tilesW) * 2;
  const oh = (t / tilesW) * tileRows + first;
  if (t + 4 <= t1 && ow + 8 <= OW && oh + 1 < OH) {
    // Four tiles side by side inside the plane: each output row is eight floats, interleaved.
    const dst = plane + (<usize>(oh * OW + ow) << 2);
    v128.store(dst, i8x16.shuffle(y00, y01, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23));
    v128.store(dst, i8x16.shuffle(y00, y01, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31), 16);
    const below = dst + (<usize>OW << 2);
    v128.store(below, i8x16.shuffle(y10, y11, 0, 1, 2, 3, 16, 17, 18, 19, 4, 5, 6, 7, 20, 21, 22, 23));
    v128.store(below, i8x16.shuffle(y10, y11, 8, 9, 10, 11, 24, 25, 26, 27, 12, 13, 14, 15, 28, 29, 30, 31), 16);
    return;
  }
  storeTilesOneByOne(plane, t, t1, tilesW, tileRows, first, OH, OW, y00, y01, y10, y11);
}

// storeTiles at the plane's edges (or the last tiles): tile by tile, those outputs inside. Not inlined: one copy for every caller.
function storeTilesOneByOne(
  plane: usize, t: i32, t1: i32, tilesW: i32, tileRows: i32, first: i32, OH: i32, OW: i32, y00: v128, y01: v128, y10: v128, y11: v128,
): void {
  const ow = (t % tilesW) * 2;
  const oh = (t / tilesW) * tileRows + first;
  storeTile(plane, oh, ow, OH, OW, f32x4.extract_lane(y00, 0), f32x4.extract_lane(y01, 0), f32x4.extract_lane(y10, 0), f32x4.extract_lane(y11, 0));
  if (t + 1 < t1) {
    const u = t + 1;
    storeTile(plane, (u / tilesW) * tileRows + first, (u % tilesW) * 2, OH, OW, f32x4.extract_lane(y00, 1), f32x4.extract_lane(y01, 1), f32x4.extract_lane(y10, 1), f32x4.extract_lane(y11, 1));
  }
  if (t + 2 < t1) {
    const u = t + 2;
    storeTile(plane, (u / tilesW) * tileRows + first, (u % tilesW) * 2, OH, OW, f32x4.extract_lane(y00, 2), f32x4.extract_lane(y01, 2), f32x4.extract_lane(y10, 2), f32x4.extract_lane(y11, 2));
  }
  if (t + 3 < t1) {
    const u = t + 3;
    storeTile(plane, (u / tilesW) * tileRows + first, (u % tilesW) * 2, OH, OW, f32x4.extract_lane(y00, 3), f32x4.extract_lane(y01, 3), f32x4.extract_lane(y10, 3), f32x4.extract_lane(y11, 3));
  }
}
