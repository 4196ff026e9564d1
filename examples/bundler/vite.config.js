// The only setting alexnet-web needs: its worker is a module worker that imports a shared chunk.
import { defineConfig } from 'vite';

export default defineConfig({
  worker: { format: 'es' },
  // Top-level await in main.js.
  build: { target: 'es2022' },
  // Vite's dev pre-bundling would move the package away from its .wasm and worker files.
  optimizeDeps: { exclude: ['alexnet-web'] },
});
