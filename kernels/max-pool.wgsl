// maxPool: out[N, C, OH, OW] = max over a kernelH x kernelW window of input[N, C, H, W], windows
// stepping by the strides from (-padTop, -padLeft). Padding never wins (it is skipped, not zero), and
// ceil mode needs nothing here: OH, OW already count the last, clipped window.
//
// Dispatch: one invocation per output element, WORKGROUP_SIZE (64) invocations a workgroup along x; x + y * (workgroups along x) * WORKGROUP_SIZE indexes
// the flat output (y is used only past 65535 workgroups).

struct MaxPoolShape {
  planes: u32, H: u32, W: u32, OH: u32,
  OW: u32, kernelH: u32, kernelW: u32, strideH: u32,
  strideW: u32, padTop: u32, padLeft: u32, total: u32,
}

@group(0) @binding(0) var<uniform> shape: MaxPoolShape;
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
  let ox = index % shape.OW;
  let oy = (index / shape.OW) % shape.OH;
  let plane = index / (shape.OW * shape.OH);
  let y0 = i32(oy * shape.strideH) - i32(shape.padTop);
  let x0 = i32(ox * shape.strideW) - i32(shape.padLeft);
  let yBegin = u32(max(y0, 0));
  let yEnd = u32(min(y0 + i32(shape.kernelH), i32(shape.H)));
  let xBegin = u32(max(x0, 0));
  let xEnd = u32(min(x0 + i32(shape.kernelW), i32(shape.W)));
  var best = -3.402823e+38;
  for (var y = yBegin; y < yEnd; y++) {
    let row = (plane * shape.H + y) * shape.W;
    for (var x = xBegin; x < xEnd; x++) {
      best = max(best, input[row + x]);
    }
  }
  output[index] = best;
}
