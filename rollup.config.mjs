// Builds dist/: ESM bundles for Node, for browsers (page entry + module worker, self-contained so a
// page can import dist/browser.js with no bundler), their .d.ts, and the .wasm files beside them
// (found with new URL('./alexnet-web.wasm', import.meta.url), never inlined).
import { nodeResolve } from '@rollup/plugin-node-resolve';
import typescript from '@rollup/plugin-typescript';
import { builtinModules } from 'node:module';
import { dts } from 'rollup-plugin-dts';
import { cssTextPlugin, fileListPlugin, minifyPlugin, ownSourcesOnlyPlugin, assetUrlsPlugin, wgslPlugin } from './tools/build-plugins.mjs';

const entries = {
  index: 'src/node/index.ts',
  convert: 'src/convert/index.ts',
  cli: 'src/cli/bin.ts',
};

const external = (id) =>
  id.startsWith('node:') || builtinModules.includes(id) || ['protobufjs', 'pngjs', 'jpeg-js', 'comlink'].some((name) => id === name || id.startsWith(`${name}/`));

const compile = () => [
  assetUrlsPlugin({ emit: true }),
  wgslPlugin(),
  cssTextPlugin(),
  typescript({ tsconfig: './tsconfig.json', include: ['src/**/*.ts'], filterRoot: '.', compilerOptions: { declaration: false, noEmit: false, outDir: 'dist', rootDir: 'src' } }),
];

export default [
  {
    input: entries,
    external,
    plugins: compile(),
    output: {
      dir: 'dist',
      format: 'es',
      entryFileNames: '[name].js',
      // Flat: chunks sit beside the wasm and one level below models/, as the URLs in the code expect.
      chunkFileNames: '[name]-[hash].js',
      banner: (chunk) => (chunk.name === 'cli' ? '#!/usr/bin/env node' : ''),
      sourcemap: true,
    },
  },
  {
    // Everything bundled (comlink, hashes): browsers resolve no bare imports. Minified: pages download it.
    input: { browser: 'src/browser/index.ts', worker: 'src/browser/worker.ts', element: 'src/element/index.ts' },
    plugins: [nodeResolve({ browser: true }), ...compile(), minifyPlugin(), ownSourcesOnlyPlugin(), fileListPlugin('browser-files.json')],
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].js', chunkFileNames: 'browser-core-[hash].js', sourcemap: true },
  },
  {
    input: { index: 'src/node/index.ts', convert: 'src/convert/index.ts', browser: 'src/browser/index.ts', element: 'src/element/index.ts' },
    external,
    plugins: [dts({ tsconfig: './tsconfig.json' })],
    output: { dir: 'dist', format: 'es', entryFileNames: '[name].d.ts', chunkFileNames: '[name]-[hash].d.ts' },
  },
];
