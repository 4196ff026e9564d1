// npm run build:wasm: the kernels of assembly/ in four builds, and the helper thread's script.
//   alexnet-web.wasm                 baseline SIMD, own memory (one thread)
//   alexnet-web-relaxed.wasm         relaxed SIMD (fused multiply-add), own memory
//   alexnet-web-threads.wasm         baseline SIMD, imported shared memory (threads)
//   alexnet-web-relaxed-threads.wasm relaxed SIMD, imported shared memory
//   wasm-thread.js                   what a helper thread runs (self-contained and minified: browsers and Node load it as is)
import asc from 'assemblyscript/asc';
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';

// 65536 pages = 4 GiB, the most wasm32 can address; the memory given at instantiation may declare less.
const THREADS = ['--sharedMemory', '--importMemory', '--maximumMemory', '65536'];
const BUILDS = [
  { file: 'alexnet-web.wasm', features: 'simd', extra: ['-t', 'build/alexnet-web.wat'] },
  { file: 'alexnet-web-relaxed.wasm', features: 'simd,relaxed-simd', extra: [] },
  { file: 'alexnet-web-threads.wasm', features: 'simd,threads', extra: THREADS },
  { file: 'alexnet-web-relaxed-threads.wasm', features: 'simd,relaxed-simd,threads', extra: THREADS },
];

mkdirSync('build', { recursive: true });
for (const { file, features, extra } of BUILDS) {
  const { error, stderr } = await asc.main([
    'assembly/index.ts', '-o', `build/${file}`, '-O3', '--noAssert', '--runtime', 'stub', '--enable', features, ...extra,
  ]);
  if (error) {
    console.error(stderr.toString());
    throw error;
  }
}
await build({
  entryPoints: ['src/backends/wasm/thread.ts'],
  outfile: 'build/wasm-thread.js',
  bundle: true,
  format: 'esm',
  target: 'es2022',
  // Every isolated page downloads it: minified, 2.6 -> 1.6 kB gzipped.
  minify: true,
  logLevel: 'warning',
});
