// The multiply-add instructions' limit, measured where the engines run (Node's V8 and Chromium's): the
// loops of bench/kernels/dot-peak.ts, in GMAC/s (multiply-adds per second) of one thread.
import asc from 'assemblyscript/asc';

export interface DotPeaks {
  /** i32x4.dot_i16x8_s (+ add): what integer Winograd's GEMMs run on. */
  i16Dot: number;
  /** i32x4.relaxed_dot_i8x16_i7x16_add_s; null where the build has no relaxed SIMD. */
  i8Dot: number | null;
  /** f32x4 multiply-add (fused with relaxed SIMD): what f32 arithmetic runs on. */
  f32Madd: number;
}

/** The two builds of the peak loops, as wasm bytes: baseline SIMD and relaxed SIMD. */
export async function dotPeakBuilds(): Promise<{ baseline: Uint8Array; relaxed: Uint8Array }> {
  const build = async (features: string): Promise<Uint8Array> => {
    let binary: Uint8Array | undefined;
    const { error, stderr } = await asc.main(
      ['bench/kernels/dot-peak.ts', '-o', 'dot-peak.wasm', '-O3', '--noAssert', '--runtime', 'stub', '--enable', features, '--initialMemory', '1'],
      {
        writeFile: (name: string, contents: string | Uint8Array) => {
          if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
        },
      },
    );
    if (error || !binary) throw new Error(`dot-peak build failed: ${stderr.toString()}`);
    return binary;
  };
  return { baseline: await build('simd'), relaxed: await build('simd,relaxed-simd') };
}

/**
 * GMAC/s of one thread for each instruction in the 4 x 8 register tile, best of `repeats` after a
 * warm-up. `bytes`: one build of bench/kernels/dot-peak.ts. Self-contained (no closures over this
 * module), so a page can run it from its source text too.
 */
export async function measureDotPeaks(bytes: Uint8Array, repeats = 7): Promise<DotPeaks> {
  const { instance } = await WebAssembly.instantiate(bytes as Uint8Array<ArrayBuffer>, {});
  const exports = instance.exports as unknown as Record<'i16DotSteps' | 'i8DotSteps' | 'f32MaddSteps', (data: number, steps: number) => number>;
  const { memory } = instance.exports as unknown as { memory: WebAssembly.Memory };
  // Small integers, which are also normal floats (about 1): valid operands for every kind.
  new Float32Array(memory.buffer, 1024, 64 * 4 + 64 * 8).forEach((_, i, view) => (view[i] = 1 + (i % 7) / 64));
  const STEPS = 1 << 21;
  const best = (kernel: (data: number, steps: number) => number, macsPerStep: number): number => {
    kernel(1024, STEPS);
    let fastest = Infinity;
    for (let i = 0; i < repeats; i++) {
      const started = performance.now();
      kernel(1024, STEPS);
      fastest = Math.min(fastest, performance.now() - started);
    }
    return (STEPS * macsPerStep) / fastest / 1e6;
  };
  const { i16DotSteps, i8DotSteps, f32MaddSteps } = exports;
  return { i16Dot: best(i16DotSteps, 64), i8Dot: i8DotSteps(1024, 1) === -1 ? null : best(i8DotSteps, 128), f32Madd: best(f32MaddSteps, 32) };
}
