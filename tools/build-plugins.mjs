// Build plugins shared by rollup (dist/) and vitest (tests run from src/).
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const WASM_ID = 'alexnet-web:wasm-url';
const WASM_FILE = 'alexnet-web.wasm';
const builtWasm = fileURLToPath(new URL(`../build/${WASM_FILE}`, import.meta.url));

/**
 * `import url from 'alexnet-web:wasm-url'` gives the URL of the kernels: in a rollup build the wasm is
 * emitted next to the bundle and found with new URL(..., import.meta.url), so bundlers and Node both
 * resolve it; under vitest it points at build/.
 */
export function wasmUrlPlugin({ emit }) {
  return {
    name: 'alexnet-web-wasm-url',
    resolveId(id) {
      return id === WASM_ID ? `\0${WASM_ID}` : null;
    },
    load(id) {
      if (id !== `\0${WASM_ID}`) return null;
      if (!emit) return `export default new URL(${JSON.stringify(pathToFileURL(builtWasm).href)});`;
      this.emitFile({ type: 'asset', fileName: WASM_FILE, source: readFileSync(builtWasm) });
      return `export default new URL(${JSON.stringify(`./${WASM_FILE}`)}, import.meta.url);`;
    },
  };
}
