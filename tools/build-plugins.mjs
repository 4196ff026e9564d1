// Build plugins shared by rollup (dist/) and vitest (tests run from src/).
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const WASM_ID = 'alexnet-web:wasm-urls';
/**
 * The kernels in two builds, baseline SIMD and relaxed SIMD (fused multiply-add) for engines that have
 * it, each with its own memory and on a shared memory (threads); the script helper threads run.
 */
const WASM_FILES = {
  baselineWasmUrl: 'alexnet-web.wasm',
  relaxedWasmUrl: 'alexnet-web-relaxed.wasm',
  baselineThreadsWasmUrl: 'alexnet-web-threads.wasm',
  relaxedThreadsWasmUrl: 'alexnet-web-relaxed-threads.wasm',
  threadScriptUrl: 'wasm-thread.js',
};
const builtWasm = (file) => fileURLToPath(new URL(`../build/${file}`, import.meta.url));
const DEMO_MODEL_ID = 'alexnet-web:demo-model-url';
const DEMO_MODEL = 'models/fashion-alexnet-mini.safetensors';

/**
 * `import { demoModelUrl } from 'alexnet-web:demo-model-url'` gives the bundled demo model's URL.
 * `import { baselineWasmUrl, ... } from 'alexnet-web:wasm-urls'` gives the URLs of the kernels and of the
 * helper threads' script (WASM_FILES): in a rollup build the files are emitted next to the bundle and found with
 * new URL(..., import.meta.url), so bundlers and Node both resolve them; under vitest they point at build/.
 */
export function assetUrlsPlugin({ emit }) {
  return {
    name: 'alexnet-web-asset-urls',
    resolveId(id) {
      return id === WASM_ID || id === DEMO_MODEL_ID ? `\0${id}` : null;
    },
    load(id) {
      if (id === `\0${DEMO_MODEL_ID}`) {
        // Not emitted: models/ ships beside dist/ in the package, one level up from every chunk.
        const url = emit ? `new URL(${JSON.stringify(`../${DEMO_MODEL}`)}, import.meta.url)` : `new URL(${JSON.stringify(pathToFileURL(fileURLToPath(new URL(`../${DEMO_MODEL}`, import.meta.url))).href)})`;
        return `export const demoModelUrl = ${url};`;
      }
      if (id !== `\0${WASM_ID}`) return null;
      return Object.entries(WASM_FILES)
        .map(([name, file]) => {
          if (!emit) return `export const ${name} = new URL(${JSON.stringify(pathToFileURL(builtWasm(file)).href)});`;
          this.emitFile({ type: 'asset', fileName: file, source: readFileSync(builtWasm(file)) });
          return `export const ${name} = new URL(${JSON.stringify(`./${file}`)}, import.meta.url);`;
        })
        .join('\n');
    },
  };
}

/** WGSL punctuation that no longer token contains: the spaces beside it can go. */
const WGSL_PUNCTUATION = '{}()[],;:';
/** Characters of WGSL's operators: a space between two of them may keep two tokens apart (`a - -b`). */
const WGSL_OPERATOR_CHARACTERS = '=+-*/%!&|^~';

/**
 * A WGSL line without the spaces its tokens do not need: beside punctuation, and between an operator
 * and a name or number. Spaces beside `<` and `>` stay: WGSL tells a comparison from a template list by them.
 */
function compactWgslLine(line) {
  let out = '';
  const text = line.replace(/\s+/g, ' ');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === ' ') {
      const [before, after] = [out.at(-1), text[i + 1]];
      if (WGSL_PUNCTUATION.includes(before) || WGSL_PUNCTUATION.includes(after)) continue;
      const angle = '<>'.includes(before) || '<>'.includes(after);
      if (!angle && WGSL_OPERATOR_CHARACTERS.includes(before) !== WGSL_OPERATOR_CHARACTERS.includes(after)) continue;
    }
    out += text[i];
  }
  return out;
}

/**
 * `import source from '../kernels/conv2d.wgsl'` gives the shader's text: real .wgsl files, no shader built from strings.
 * Comments, indentation, blank lines and spaces between tokens are left out (pages download the shaders: 4.0 -> 2.4 kB
 * gzipped); WGSL has no string literals, so what looks like a comment is one. Lines stay lines, so compiler messages
 * still point somewhere.
 */
export function wgslPlugin() {
  return {
    name: 'alexnet-web-wgsl',
    transform(code, id) {
      if (!id.endsWith('.wgsl')) return null;
      const lines = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '').split('\n').map((line) => line.trim()).filter(Boolean);
      return { code: `export default ${JSON.stringify(lines.map(compactWgslLine).join('\n'))};`, map: { mappings: '' } };
    },
  };
}

/**
 * `import styles from './styles.css?raw'` gives the stylesheet's text, minified (Vite, under vitest,
 * gives it as written): the element's styles live in a real .css file and pages download less.
 */
export function cssTextPlugin() {
  return {
    name: 'alexnet-web-css-text',
    resolveId(source, importer) {
      if (!source.endsWith('.css?raw') || !importer) return null;
      return `${fileURLToPath(new URL(source.slice(0, -'?raw'.length), pathToFileURL(importer)))}?raw`;
    },
    async load(id) {
      if (!id.endsWith('.css?raw')) return null;
      const { transform } = await import('esbuild');
      const { code } = await transform(readFileSync(id.slice(0, -'?raw'.length), 'utf8'), { loader: 'css', minify: true });
      return { code: `export default ${JSON.stringify(code.trim())};`, map: { mappings: '' } };
    },
  };
}

/**
 * Emits `fileName`: the JSON list of every file the build wrote (chunks, worker, wasm; no source maps),
 * so a service worker can precache exactly what a page will fetch, hashed chunk names included.
 */
export function fileListPlugin(fileName) {
  return {
    name: 'alexnet-web-file-list',
    generateBundle(_, bundle) {
      const files = Object.keys(bundle).filter((file) => !file.endsWith('.map') && !file.endsWith('.d.ts')).sort();
      this.emitFile({ type: 'asset', fileName, source: `${JSON.stringify(files, null, 2)}\n` });
    },
  };
}

/** Minifies each chunk with esbuild (the page downloads less; WGSL strings stay readable); rollup chains the source maps. */
export function minifyPlugin() {
  return {
    name: 'alexnet-web-minify',
    async renderChunk(code, chunk) {
      const { transform } = await import('esbuild');
      const result = await transform(code, { minify: true, format: 'esm', target: 'es2022', sourcemap: 'external', sourcefile: chunk.fileName });
      return { code: result.code, map: result.map };
    },
  };
}

/** Source maps carry our own sources but not those of dependencies (comlink): they point at them instead. */
export function ownSourcesOnlyPlugin() {
  return {
    name: 'alexnet-web-own-sources',
    generateBundle(_, bundle) {
      for (const file of Object.values(bundle)) {
        if (file.type !== 'asset' || !file.fileName.endsWith('.map')) continue;
        const map = JSON.parse(String(file.source));
        map.sourcesContent = map.sourcesContent?.map((content, i) => (map.sources[i].includes('node_modules') ? null : content));
        file.source = JSON.stringify(map);
      }
    },
  };
}
