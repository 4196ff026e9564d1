// As examples/bundler: alexnet-web's worker is a module worker, and dev pre-bundling would move the
// package away from its .wasm and worker files. esbuild compiles the JSX (React's automatic runtime).
import { defineConfig } from 'vite';

export default defineConfig({
  esbuild: { jsx: 'automatic' },
  worker: { format: 'es' },
  build: { target: 'es2022' },
  optimizeDeps: { exclude: ['alexnet-web'] },
});
