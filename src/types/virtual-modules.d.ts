// Modules the build provides (see tools/build-plugins.mjs).
declare module 'alexnet-web:wasm-urls' {
  /** Where alexnet-web.wasm (baseline SIMD) lies: next to the bundle in dist/, or in build/ during tests. */
  export const baselineWasmUrl: URL;
  /** Where alexnet-web-relaxed.wasm (relaxed SIMD, fused multiply-add) lies. */
  export const relaxedWasmUrl: URL;
  /** alexnet-web-threads.wasm: baseline SIMD on an imported shared memory. */
  export const baselineThreadsWasmUrl: URL;
  /** alexnet-web-relaxed-threads.wasm: relaxed SIMD on an imported shared memory. */
  export const relaxedThreadsWasmUrl: URL;
  /** wasm-thread.js: what each helper thread runs (src/backends/wasm/thread.ts, bundled on its own). */
  export const threadScriptUrl: URL;
}

declare module 'alexnet-web:demo-model-url' {
  /** models/fashion-alexnet-mini.safetensors: beside dist/ in the package, at the repository root in tests. */
  export const demoModelUrl: URL;
}

/** WGSL shaders in kernels/, imported as their source text (tools/build-plugins.mjs). */
declare module '*.wgsl' {
  const source: string;
  export default source;
}

/** Stylesheets imported as their text, minified in dist/ (tools/build-plugins.mjs). */
declare module '*.css?raw' {
  const text: string;
  export default text;
}
