// fullyConnected, int8 weights, on devices with WGSL's `packed_4x8_integer_dot_product`: the `int8`
// entry point of fully-connected.wgsl with each word's four weights unpacked by the built-in
// unpack4xI8 (one instruction where the hardware has one) instead of shifts. Same bindings, layout
// and dispatch: out[N, O] = relu?(bias[O] + scale[O] * (int8 weights[O, I] . input[N, I])); byte j
// of word i is the weight of input 4i + j; one workgroup of 64 per output feature and image
// (x = o, y = n); lanes stride over the row, then meet in workgroup memory.
requires packed_4x8_integer_dot_product;

struct FullyConnectedShape {
  N: u32, I: u32, O: u32, relu: u32,
  wordsPerRow: u32, _pad0: u32, _pad1: u32, _pad2: u32,
}

@group(0) @binding(0) var<uniform> shape: FullyConnectedShape;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> packedWeights: array<u32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> output: array<f32>;
@group(0) @binding(5) var<storage, read> scales: array<f32>;

/** Invocations a workgroup: an override the backend sets (a power of two, for the tree reduction). */
override LANES: u32 = 64u;
var<workgroup> partial: array<f32, LANES>;

/** Four inputs from `at`, zero past the end of the row. */
fn inputs4(row: u32, at: u32) -> vec4<f32> {
  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u; j++) {
    if (at + j < shape.I) {
      v[j] = input[row + at + j];
    }
  }
  return v;
}

@compute @workgroup_size(LANES, 1, 1)
fn int8(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>) {
  let o = group.x;
  let n = group.y;
  let lane = local.x;
  let inputRow = n * shape.I;
  let weightRow = o * shape.wordsPerRow;
  var sum = 0.0;
  for (var i = lane; i < shape.wordsPerRow; i += LANES) {
    sum += dot(vec4<f32>(unpack4xI8(packedWeights[weightRow + i])), inputs4(inputRow, i * 4u));
  }
  partial[lane] = sum;
  workgroupBarrier();
  for (var half = LANES / 2u; half > 0u; half /= 2u) {
    if (lane < half) {
      partial[lane] += partial[lane + half];
    }
    workgroupBarrier();
  }
  if (lane == 0u) {
    var value = partial[0] * scales[o] + bias[o];
    if (shape.relu != 0u) {
      value = max(value, 0.0);
    }
    output[n * shape.O + o] = value;
  }
}
