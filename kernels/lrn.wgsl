// lrn (across channels): out = x / (k + alpha * sum of x^2 over the window of channels)^beta, the
// window being channels c - floor((size - 1) / 2) .. c + ceil((size - 1) / 2), clipped to [0, C).
// alpha arrives already divided by size where the model uses Caffe's convention.
//
// Dispatch: one invocation per element of [N, C, H * W], WORKGROUP_SIZE (64) invocations a workgroup along x; x + y * (workgroups along x) * WORKGROUP_SIZE
// indexes the flat tensor. Neighbouring invocations read neighbouring pixels of the same channels.

struct LrnShape {
  C: u32, HW: u32, size: u32, total: u32,
  alpha: f32, beta: f32, k: f32, _pad: u32,
}

@group(0) @binding(0) var<uniform> shape: LrnShape;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read_write> output: array<f32>;

/** Set by the backend (per-element-dispatch.ts), which sizes the dispatch with the same number. */
override WORKGROUP_SIZE: u32 = 64u;

@compute @workgroup_size(WORKGROUP_SIZE, 1, 1)
fn main(@builtin(global_invocation_id) id: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let index = id.x + id.y * groups.x * WORKGROUP_SIZE;
  if (index >= shape.total) {
    return;
  }
  let pixel = index % shape.HW;
  let c = (index / shape.HW) % shape.C;
  let imageBase = index - (c * shape.HW + pixel);
  let before = (shape.size - 1u) / 2u;
  let after = shape.size - 1u - before;
  let first = select(0u, c - before, c >= before);
  let last = min(c + after, shape.C - 1u);
  var sum = 0.0;
  for (var j = first; j <= last; j++) {
    let v = input[imageBase + j * shape.HW + pixel];
    sum += v * v;
  }
  let scale = shape.k + shape.alpha * sum;
  // beta = 0.75 (every AlexNet) as two square roots: exact to a few ulp, unlike pow.
  var divisor: f32;
  if (shape.beta == 0.75) {
    let root = sqrt(scale);
    divisor = root * sqrt(root);
  } else {
    divisor = pow(scale, shape.beta);
  }
  output[index] = input[index] / divisor;
}
