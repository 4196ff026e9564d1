// What pages download (bench/sizes.ts on the built dist/): the split that makes them small (a page in
// worker mode loads no engine code) and the budget for the whole browser package.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { measureSizes, staticGraph } from '../bench/sizes.js';

/** A message only the engine's code holds (the classifier's lifecycle, the wasm backend). */
const ENGINE_MARKER = 'This backend was disposed';

const holdsEngine = (file: string) => readFileSync(new URL(`../dist/${file}`, import.meta.url), 'utf8').includes(ENGINE_MARKER);

describe('page weight (dist/)', () => {
  it('a page in worker mode and the element page load no engine code before the first result; the worker does', () => {
    expect(staticGraph('browser.js').filter(holdsEngine)).toEqual([]);
    expect(staticGraph('element.js').filter(holdsEngine)).toEqual([]);
    expect(staticGraph('worker.js').some(holdsEngine)).toBe(true);
  });

  it('reports the gzipped sizes, and keeps all browser JS plus one wasm build within 60 kB', () => {
    const report = measureSizes();
    for (const row of report.rows) console.log(`${(row.bytes / 1000).toFixed(1)} kB  ${row.name}`);
    expect(report.rows.every((row) => row.bytes > 0)).toBe(true);
    // Gzip sizes of a given build do not vary from run to run: a budget, not a timing.
    expect(report.rows.at(-1)!.bytes).toBeLessThanOrEqual(60_000);
  });
});
