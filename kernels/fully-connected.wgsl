// fullyConnected: out[N, O] = relu?(bias[O] + weights[O, I] . input[N, I]).
// Two entry points share the reduction: `int8` reads weights packed four to a u32 (byte j of word i
// is the weight of input 4i + j; rows padded with zero to whole words) and applies the row's f32
// scale to the sum (W8A32); `float32` reads f32 weights [O, I].
//
// Dispatch: one workgroup of 64 per output feature and image (x = o, y = n), so batch 1 still
// spreads fc6's 4096 rows over 4096 workgroups. Lanes stride over the row, then meet in workgroup
// memory.

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
@group(0) @binding(6) var<storage, read> floatWeights: array<f32>;

/** Invocations a workgroup: an override the backend sets (a power of two, for the tree reduction). */
override LANES: u32 = 64u;
var<workgroup> partial: array<f32, LANES>;

/** The four signed bytes of `word`, lowest first (shift left, then arithmetic shift right). */
fn signedBytes(word: u32) -> vec4<f32> {
  let w = bitcast<i32>(word);
  return vec4<f32>(vec4<i32>((w << 24u) >> 24u, (w << 16u) >> 24u, (w << 8u) >> 24u, w >> 24u));
}

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

/** Sums `partial` across the workgroup and writes the output; every lane calls it. */
fn finish(lane: u32, o: u32, n: u32, scale: f32) {
  workgroupBarrier();
  for (var half = LANES / 2u; half > 0u; half /= 2u) {
    if (lane < half) {
      partial[lane] += partial[lane + half];
    }
    workgroupBarrier();
  }
  if (lane == 0u) {
    var value = partial[0] * scale + bias[o];
    if (shape.relu != 0u) {
      value = max(value, 0.0);
    }
    output[n * shape.O + o] = value;
  }
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
    sum += dot(signedBytes(packedWeights[weightRow + i]), inputs4(inputRow, i * 4u));
  }
  partial[lane] = sum;
  finish(lane, o, n, scales[o]);
}

@compute @workgroup_size(LANES, 1, 1)
fn float32(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>) {
  let o = group.x;
  let n = group.y;
  let lane = local.x;
  let inputRow = n * shape.I;
  let weightRow = o * shape.I;
  var sum = 0.0;
  for (var i = lane; i < shape.I; i += LANES) {
    sum += floatWeights[weightRow + i] * input[inputRow + i];
  }
  partial[lane] = sum;
  finish(lane, o, n, 1.0);
}
