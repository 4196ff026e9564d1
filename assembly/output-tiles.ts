// Where the integer Winograd output transforms put their results: four 2x2 output tiles, one per
// v128 lane, into an output plane [OH][OW].

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
