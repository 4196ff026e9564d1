// softmax over each row of [N, D]: out = exp(x - max) / sum(exp(x - max)).
//
// Dispatch: one workgroup of 64 per row (x = row). The 64 invocations stride over the row and meet
// in workgroup memory twice: once for the maximum, once for the sum.

struct SoftmaxShape {
  N: u32, D: u32, _pad0: u32, _pad1: u32,
}

@group(0) @binding(0) var<uniform> shape: SoftmaxShape;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

/** Invocations a workgroup: an override the backend sets (a power of two, for the tree reduction). */
override LANES: u32 = 64u;
var<workgroup> partial: array<f32, LANES>;

fn reduceMax(lane: u32) {
  for (var half = LANES / 2u; half > 0u; half /= 2u) {
    if (lane < half) {
      partial[lane] = max(partial[lane], partial[lane + half]);
    }
    workgroupBarrier();
  }
}

fn reduceSum(lane: u32) {
  for (var half = LANES / 2u; half > 0u; half /= 2u) {
    if (lane < half) {
      partial[lane] += partial[lane + half];
    }
    workgroupBarrier();
  }
}

@compute @workgroup_size(LANES, 1, 1)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_id) local: vec3<u32>) {
  let lane = local.x;
  let row = group.x * shape.D;
  var largest = -3.402823e+38;
  for (var i = lane; i < shape.D; i += LANES) {
    largest = max(largest, input[row + i]);
  }
  partial[lane] = largest;
  workgroupBarrier();
  reduceMax(lane);
  let rowMax = partial[0];
  workgroupBarrier();

  var sum = 0.0;
  for (var i = lane; i < shape.D; i += LANES) {
    sum += exp(input[row + i] - rowMax);
  }
  partial[lane] = sum;
  workgroupBarrier();
  reduceSum(lane);
  let total = partial[0];

  for (var i = lane; i < shape.D; i += LANES) {
    output[row + i] = exp(input[row + i] - rowMax) / total;
  }
}
