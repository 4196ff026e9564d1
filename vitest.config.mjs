import { defineConfig } from 'vitest/config';
import { assetUrlsPlugin, wgslPlugin } from './tools/build-plugins.mjs';

export default defineConfig({
  plugins: [assetUrlsPlugin({ emit: false }), wgslPlugin()],
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: files run one after another so timings and memory stay sane.
    fileParallelism: false,
    reporters: ['default'],
    // Node 20 has relaxed SIMD behind a flag: with it both kernel builds are tested.
    execArgv: ['--experimental-wasm-relaxed-simd'],
  },
});
