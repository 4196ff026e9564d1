// Uniform structs as the shaders declare them: fields of 4 bytes (u32 or f32) in declaration order,
// the whole struct padded to 16 bytes. Each op lists its fields once; a test reads the WGSL struct and
// checks the list against it, so the two cannot drift apart.

export type UniformField = readonly [name: string, type: 'u32' | 'f32'];
export type UniformLayout = readonly UniformField[];

/** The struct's bytes for `values` (missing fields, such as padding, are 0). */
export function packUniform(layout: UniformLayout, values: Record<string, number | boolean>): ArrayBuffer {
  const bytes = new ArrayBuffer(Math.ceil((layout.length * 4) / 16) * 16);
  const view = new DataView(bytes);
  layout.forEach(([name, type], i) => {
    const value = Number(values[name] ?? 0);
    if (type === 'f32') view.setFloat32(i * 4, value, true);
    else view.setUint32(i * 4, value, true);
  });
  return bytes;
}
