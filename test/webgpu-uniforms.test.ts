// Each WebGPU op lists its uniform fields once in TypeScript; here the list is checked against the
// struct the WGSL file declares (names, types, order), and the packer against the byte layout.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONV2D_CONSTANTS, CONV2D_UNIFORM } from '../src/backends/webgpu/conv2d.js';
import { PER_ELEMENT_CONSTANTS } from '../src/backends/webgpu/per-element-dispatch.js';
import { FULLY_CONNECTED_CONSTANTS, FULLY_CONNECTED_UNIFORM } from '../src/backends/webgpu/fully-connected.js';
import { LRN_UNIFORM } from '../src/backends/webgpu/lrn.js';
import { MAX_POOL_UNIFORM } from '../src/backends/webgpu/max-pool.js';
import { SOFTMAX_CONSTANTS, SOFTMAX_UNIFORM } from '../src/backends/webgpu/softmax.js';
import { packUniform, type UniformLayout } from '../src/backends/webgpu/uniforms.js';

const KERNELS: [file: string, struct: string, layout: UniformLayout][] = [
  ['conv2d.wgsl', 'Conv2dShape', CONV2D_UNIFORM],
  ['max-pool.wgsl', 'MaxPoolShape', MAX_POOL_UNIFORM],
  ['lrn.wgsl', 'LrnShape', LRN_UNIFORM],
  ['fully-connected.wgsl', 'FullyConnectedShape', FULLY_CONNECTED_UNIFORM],
  ['fully-connected-unpack4x8.wgsl', 'FullyConnectedShape', FULLY_CONNECTED_UNIFORM],
  ['softmax.wgsl', 'SoftmaxShape', SOFTMAX_UNIFORM],
];

/** The `override` constants each shader declares, and the values the backend compiles it with. */
const OVERRIDES: [file: string, constants: Record<string, number>][] = [
  ['conv2d.wgsl', CONV2D_CONSTANTS],
  ['max-pool.wgsl', PER_ELEMENT_CONSTANTS],
  ['lrn.wgsl', PER_ELEMENT_CONSTANTS],
  ['fully-connected.wgsl', FULLY_CONNECTED_CONSTANTS],
  ['fully-connected-unpack4x8.wgsl', FULLY_CONNECTED_CONSTANTS],
  ['softmax.wgsl', SOFTMAX_CONSTANTS],
];

/** [name, type] of each field of `struct name { ... }` in WGSL source. */
function structFields(source: string, name: string): [string, string][] {
  const body = new RegExp(`struct\\s+${name}\\s*\\{([^}]*)\\}`).exec(source)?.[1];
  if (!body) throw new Error(`struct ${name} not found`);
  return [...body.matchAll(/(\w+)\s*:\s*(\w+)/g)].map((m) => [m[1], m[2]]);
}

describe('WebGPU uniform structs', () => {
  it.each(KERNELS)('%s: the TypeScript field list matches struct %s', (file, struct, layout) => {
    const source = readFileSync(new URL(`../kernels/${file}`, import.meta.url), 'utf8');
    expect(layout.map(([n, t]) => [n, t])).toEqual(structFields(source, struct));
    // Bound as var<uniform>: the struct the shader reads is the one packed.
    expect(source).toMatch(new RegExp(`var<uniform>\\s+\\w+\\s*:\\s*${struct}`));
  });

  it('packs u32 and f32 fields little-endian in order, padded to 16 bytes', () => {
    const bytes = packUniform(LRN_UNIFORM, { C: 96, HW: 3025, size: 5, total: 290400, alpha: 2e-5, beta: 0.75, k: 1 });
    expect(bytes.byteLength).toBe(32);
    const view = new DataView(bytes);
    expect([0, 4, 8, 12].map((at) => view.getUint32(at, true))).toEqual([96, 3025, 5, 290400]);
    expect([16, 20, 24].map((at) => view.getFloat32(at, true))).toEqual([Math.fround(2e-5), 0.75, 1]);
    expect(packUniform(SOFTMAX_UNIFORM.slice(0, 3), { N: 1, D: 2 }).byteLength).toBe(16);
  });
});

describe('WebGPU override constants', () => {
  it.each(OVERRIDES)('%s: the backend sets every override the shader declares, and only those', (file, constants) => {
    const source = readFileSync(new URL(`../kernels/${file}`, import.meta.url), 'utf8');
    const declared = [...source.matchAll(/^override\s+(\w+)\s*:\s*u32\s*=\s*(\d+)u;/gm)];
    expect(declared.map((m) => m[1]).sort()).toEqual(Object.keys(constants).sort());
    // The shader's default is the value the dispatch math assumes, so a pipeline made without constants still fits.
    for (const [, name, value] of declared) expect(Number(value)).toBe(constants[name]);
  });
});
