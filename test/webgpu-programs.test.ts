// Each WebGPU op is a program description in TypeScript (src/backends/webgpu/<op>.ts); here every
// description is held to the WGSL file it names: the uniform struct (names, types, order), the
// storage bindings (names and numbers), the override constants, the entry point, and the one shader
// constant TypeScript must repeat. The packer is checked against the byte layout.
import { describe, expect, it } from 'vitest';
import { CONV2D_COLUMNS, CONV2D_PROGRAM } from '../src/backends/webgpu/conv2d.js';
import { FULLY_CONNECTED_F32_PROGRAM, FULLY_CONNECTED_INT8_PROGRAM, FULLY_CONNECTED_INT8_UNPACK_PROGRAM } from '../src/backends/webgpu/fully-connected.js';
import { LRN_PROGRAM } from '../src/backends/webgpu/lrn.js';
import { MAX_POOL_PROGRAM } from '../src/backends/webgpu/max-pool.js';
import type { GpuProgram } from '../src/backends/webgpu/program.js';
import { SOFTMAX_PROGRAM } from '../src/backends/webgpu/softmax.js';
import { packUniform } from '../src/backends/webgpu/uniforms.js';
import conv2dSource from '../kernels/conv2d.wgsl';

const PROGRAMS: GpuProgram<never>[] = [
  CONV2D_PROGRAM, MAX_POOL_PROGRAM, LRN_PROGRAM, FULLY_CONNECTED_INT8_PROGRAM, FULLY_CONNECTED_INT8_UNPACK_PROGRAM, FULLY_CONNECTED_F32_PROGRAM, SOFTMAX_PROGRAM,
];

/** [name, type] of each field of the struct bound at @binding(0) as var<uniform>. */
function uniformFields(source: string): [string, string][] {
  const struct = /@group\(0\)\s*@binding\(0\)\s*var<uniform>\s*\w+\s*:\s*(\w+)/.exec(source)?.[1];
  const body = struct && new RegExp(`struct\\s+${struct}\\s*\\{([^}]*)\\}`).exec(source)?.[1];
  if (!body) throw new Error('no uniform struct at binding 0');
  return [...body.matchAll(/(\w+)\s*:\s*(\w+)/g)].map((m) => [m[1], m[2]]);
}

/** The storage buffers the WGSL declares, by binding number. */
function storageBindings(source: string): Map<number, string> {
  return new Map([...source.matchAll(/@group\(0\)\s*@binding\((\d+)\)\s*var<storage[^>]*>\s*(\w+)/g)].map((m) => [Number(m[1]), m[2]]));
}

describe.each(PROGRAMS.map((program) => [program.name, program] as const))('WebGPU program %s', (_name, program) => {
  const { source } = program;

  it('lists the fields of the uniform struct the shader binds at 0', () => {
    expect(program.uniform.map(([n, t]) => [n, t])).toEqual(uniformFields(source));
  });

  it('names its storage bindings as the shader declares them, in binding order from 1', () => {
    const declared = storageBindings(source);
    expect(program.bindings.map((name, i) => [i + 1, name])).toEqual([...declared.entries()].sort((a, b) => a[0] - b[0]));
  });

  it('sets every override the shader declares, and only those, to the shader defaults', () => {
    const declared = [...source.matchAll(/^override\s+(\w+)\s*:\s*u32\s*=\s*(\d+)u;/gm)];
    expect(declared.map((m) => m[1]).sort()).toEqual(Object.keys(program.constants).sort());
    // The shader's default is the value the dispatch math assumes, so a pipeline made without constants still fits.
    for (const [, name, value] of declared) expect(Number(value)).toBe(program.constants[name]);
  });

  it('names an entry point the shader has', () => {
    expect(source).toMatch(new RegExp(`@compute[^]*?fn\\s+${program.entryPoint}\\s*\\(`));
  });
});

describe('WebGPU shader constants', () => {
  it("conv2d's output columns per invocation: the shader's const COLUMNS is the dispatch's", () => {
    expect(Number(/const COLUMNS\s*=\s*(\d+)u;/.exec(conv2dSource)?.[1])).toBe(CONV2D_COLUMNS);
  });

  it('no shader spells out a WebGPU limit the TypeScript dispatch also assumes (65535 workgroups)', () => {
    for (const program of PROGRAMS) expect(program.source, program.name).not.toMatch(/65535u/);
  });

  it('packs u32 and f32 fields little-endian in order, padded to 16 bytes', () => {
    const bytes = packUniform(LRN_PROGRAM.uniform, { C: 96, HW: 3025, size: 5, total: 290400, alpha: 2e-5, beta: 0.75, k: 1 });
    expect(bytes.byteLength).toBe(32);
    const view = new DataView(bytes);
    expect([0, 4, 8, 12].map((at) => view.getUint32(at, true))).toEqual([96, 3025, 5, 290400]);
    expect([16, 20, 24].map((at) => view.getFloat32(at, true))).toEqual([Math.fround(2e-5), 0.75, 1]);
    expect(packUniform(SOFTMAX_PROGRAM.uniform.slice(0, 3), { N: 1, D: 2 }).byteLength).toBe(16);
  });
});
