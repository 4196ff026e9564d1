// A WebGPU compute program as data: what the backend needs to compile it once and record it for any
// shape. Each op module (conv2d.ts, max-pool.ts, ...) exports one; the backend has one way to run them.
import type { UniformLayout } from './uniforms.js';

export interface GpuProgram<Shape> {
  /** Names the pipeline and its passes (profiles, GPU errors). */
  name: string;
  /** The whole WGSL file. */
  source: string;
  entryPoint: string;
  /** The shader's `override` constants: compile-time choices, part of the pipeline. */
  constants: Readonly<Record<string, number>>;
  /** The shape struct at @binding(0), field by field (test/webgpu-programs.test.ts holds it to the WGSL). */
  uniform: UniformLayout;
  /** The storage buffers' WGSL names at @binding(1), @binding(2), ...; an entry point binds the ones it uses. */
  bindings: readonly string[];
  uniformValues(shape: Shape): Record<string, number | boolean>;
  workgroups(shape: Shape): [x: number, y: number, z: number];
}

/** The @binding number of storage buffer `name` of `program`. */
export function bindingOf(program: GpuProgram<never>, name: string): number {
  const index = program.bindings.indexOf(name);
  if (index < 0) throw new Error(`${program.name} has no binding named ${name}`);
  return index + 1;
}
