// Modules the build provides (see tools/build-plugins.mjs).
declare module 'alexnet-web:wasm-url' {
  /** Where alexnet-web.wasm lies, next to the bundle in dist/ or in build/ during tests. */
  const url: URL;
  export default url;
}
