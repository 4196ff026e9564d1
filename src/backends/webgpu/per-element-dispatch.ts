// Dispatch geometry shared by the one-invocation-per-element kernels (max-pool, lrn): workgroups of
// 64 along x, spilling into y past WebGPU's 65535 workgroups per dimension (the shaders read how many
// there are along x from num_workgroups).
const WORKGROUP_SIZE = 64;
const MAX_GROUPS = 65535;

/** The kernels' `override WORKGROUP_SIZE`. */
export const PER_ELEMENT_CONSTANTS = { WORKGROUP_SIZE };

export function elementWorkgroups(total: number): [number, number, number] {
  const groups = Math.ceil(total / WORKGROUP_SIZE);
  return groups <= MAX_GROUPS ? [groups, 1, 1] : [MAX_GROUPS, Math.ceil(groups / MAX_GROUPS), 1];
}
