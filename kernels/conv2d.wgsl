// conv2d: out[N, K, OH, OW] = relu?(bias[K] + sum over c, r, s of weights * input[N, C, H, W]),
// with G groups, strides, asymmetric zero padding (top/left given; bottom/right implied by OH, OW).
//
// Tiling: each invocation computes a 4 x 4 block of outputs: 4 output channels (one vec4 of packed
// weights) at 4 neighbouring output columns of one row. Each weight vec4 loaded is used for 4 columns
// and each input value for 4 channels, so a multiply-add costs half a load instead of two.
// Weights are packed by the backend as [G][kTiles][C/G * R * S] vec4 (lane j = channel tile * 4 + j,
// zero past K/G), so the 4 channels of one reduction step are one load.
//
// Dispatch: workgroups of WORKGROUP_X x WORKGROUP_Y (8 x 8); x over column blocks (ceil(OW / 4)), y over rows (OH),
// z over N * G * kTiles (one tile of 4 output channels of one group of one image).

struct Conv2dShape {
  N: u32, C: u32, H: u32, W: u32,
  K: u32, R: u32, S: u32, G: u32,
  strideH: u32, strideW: u32, padTop: u32, padLeft: u32,
  OH: u32, OW: u32, relu: u32, kTiles: u32,
}

@group(0) @binding(0) var<uniform> shape: Conv2dShape;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;

const COLUMNS = 4u;
/** Workgroup shape: overrides the backend sets, as it sizes the dispatch with the same numbers (conv2d.ts). */
override WORKGROUP_X: u32 = 8u;
override WORKGROUP_Y: u32 = 8u;

@compute @workgroup_size(WORKGROUP_X, WORKGROUP_Y, 1)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let firstColumn = id.x * COLUMNS;
  let oy = id.y;
  if (firstColumn >= shape.OW || oy >= shape.OH) {
    return;
  }
  let tilesPerImage = shape.G * shape.kTiles;
  let n = id.z / tilesPerImage;
  let g = (id.z % tilesPerImage) / shape.kTiles;
  let tile = id.z % shape.kTiles;
  let Cg = shape.C / shape.G;
  let Kg = shape.K / shape.G;
  let rs = shape.R * shape.S;
  let weightBase = (g * shape.kTiles + tile) * Cg * rs;
  let iy0 = i32(oy * shape.strideH) - i32(shape.padTop);
  let ix0 = i32(firstColumn * shape.strideW) - i32(shape.padLeft);

  var acc: array<vec4<f32>, 4>;
  for (var c = 0u; c < Cg; c++) {
    let plane = (n * shape.C + g * Cg + c) * shape.H;
    for (var r = 0u; r < shape.R; r++) {
      let iy = iy0 + i32(r);
      if (iy < 0 || iy >= i32(shape.H)) {
        continue;
      }
      let row = (plane + u32(iy)) * shape.W;
      let weightRow = weightBase + (c * shape.R + r) * shape.S;
      for (var s = 0u; s < shape.S; s++) {
        let w = weights[weightRow + s];
        for (var p = 0u; p < COLUMNS; p++) {
          let ix = ix0 + i32(p * shape.strideW + s);
          if (ix >= 0 && ix < i32(shape.W)) {
            acc[p] += w * input[row + u32(ix)];
          }
        }
      }
    }
  }

  for (var p = 0u; p < COLUMNS; p++) {
    let ox = firstColumn + p;
    if (ox >= shape.OW) {
      break;
    }
    for (var j = 0u; j < 4u; j++) {
      let k = tile * 4u + j;
      if (k >= Kg) {
        break;
      }
      let channel = g * Kg + k;
      var value = acc[p][j] + bias[channel];
      if (shape.relu != 0u) {
        value = max(value, 0.0);
      }
      output[((n * shape.K + channel) * shape.OH + oy) * shape.OW + ox] = value;
    }
  }
}
