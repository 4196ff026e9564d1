// What a page downloads, gzipped (level 9), from the built dist/: the scripts an entry imports
// statically (what loads before anything runs), per entry, and the whole browser package with one wasm
// build. `npm run size` prints the table and writes bench/results/sizes.json.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const DIST = new URL('../dist/', import.meta.url);

function gzipped(file: string): number {
  return gzipSync(readFileSync(new URL(file, DIST)), { level: 9 }).byteLength;
}

/** `entry` and every script it imports statically, transitively (dynamic import() is left out). */
export function staticGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(new URL(file, DIST), 'utf8');
    // Minified ESM: `import{a}from"./x.js"`, `export{a}from"./x.js"`, `import"./x.js"`.
    for (const match of code.matchAll(/(?:from|import)\s*["']\.\/([^"']+\.js)["']/g)) visit(match[1]);
  };
  visit(entry);
  return [...seen];
}

export interface SizeReport {
  /** Gzipped bytes of each row, and the files it counts. */
  rows: { name: string; bytes: number; files: string[] }[];
}

export function measureSizes(): SizeReport {
  const sum = (files: string[]) => files.reduce((total, file) => total + gzipped(file), 0);
  const browserScripts = readdirSync(DIST).filter((file) => /^(browser|element|worker|wasm-thread|browser-core-.*)\.js$/.test(file));
  const rows = [
    { name: 'page JS before the first result, worker mode (dist/browser.js)', files: staticGraph('browser.js') },
    { name: 'element page (dist/element.js)', files: staticGraph('element.js') },
    { name: 'the engine in its worker (dist/worker.js)', files: staticGraph('worker.js') },
    { name: 'all browser JS + one wasm build (alexnet-web-relaxed-threads.wasm)', files: [...browserScripts, 'alexnet-web-relaxed-threads.wasm'] },
  ];
  return { rows: rows.map((row) => ({ ...row, bytes: sum(row.files) })) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const report = measureSizes();
  for (const row of report.rows) console.log(`${(row.bytes / 1000).toFixed(1).padStart(6)} kB  ${row.name}`);
  writeFileSync(new URL('./results/sizes.json', import.meta.url), `${JSON.stringify({ measured: new Date().toISOString(), gzipLevel: 9, ...report }, null, 2)}\n`);
}
