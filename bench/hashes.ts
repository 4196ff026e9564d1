// Throughput of the hashes that run while a weights file streams in (ours in plain JS, src/weights/),
// next to hash-wasm (the WebAssembly library they replaced, 15 kB gzipped) and Node's OpenSSL: 64 MiB
// in 64 KiB chunks, as a download arrives; engines alternated, median of 5 runs after a warm-up.
// `node --import tsx bench/hashes.ts` prints MB/s and writes bench/results/hashes.json.
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createSHA256, createXXHash32, createXXHash64 } from 'hash-wasm';
import { createSha256, createSha512 } from '../src/weights/sha2.js';
import { createXxh32 } from '../src/weights/xxh32.js';
import { median } from './median.js';

const BYTES = 64 << 20;
const data = Uint8Array.from({ length: BYTES }, (_, i) => (i * 2654435761) >>> 24);

function inChunks(update: (chunk: Uint8Array) => void): void {
  for (let at = 0; at < BYTES; at += 65536) update(data.subarray(at, at + 65536));
}

const [wasmSha256, wasmXxh32, wasmXxh64] = await Promise.all([createSHA256(), createXXHash32(), createXXHash64()]);
const engines: Record<string, () => void> = {
  'sha256 (ours, JS)': () => {
    const hasher = createSha256();
    inChunks((chunk) => hasher.update(chunk));
    hasher.digest();
  },
  'sha256 (hash-wasm)': () => {
    wasmSha256.init();
    inChunks((chunk) => wasmSha256.update(chunk));
    wasmSha256.digest();
  },
  'sha256 (OpenSSL)': () => {
    const hasher = createHash('sha256');
    inChunks((chunk) => hasher.update(chunk));
    hasher.digest();
  },
  'sha512 (ours, JS)': () => {
    const hasher = createSha512();
    inChunks((chunk) => hasher.update(chunk));
    hasher.digest();
  },
  'xxh32 (ours, JS)': () => {
    const hasher = createXxh32();
    inChunks((chunk) => hasher.update(chunk));
    hasher.digest();
  },
  'xxh32 (hash-wasm)': () => {
    wasmXxh32.init();
    inChunks((chunk) => wasmXxh32.update(chunk));
    wasmXxh32.digest();
  },
  'xxh64 (hash-wasm, the former cache checksum)': () => {
    wasmXxh64.init();
    inChunks((chunk) => wasmXxh64.update(chunk));
    wasmXxh64.digest();
  },
};

const times: Record<string, number[]> = Object.fromEntries(Object.keys(engines).map((name) => [name, []]));
for (let round = 0; round < 6; round++) {
  for (const [name, run] of Object.entries(engines)) {
    const started = performance.now();
    run();
    // Round 0 warms up.
    if (round > 0) times[name].push(performance.now() - started);
  }
}
const results = Object.entries(times).map(([name, ms]) => ({ name, mbPerSecond: Math.round(BYTES / 1e6 / (median(ms) / 1000)) }));
for (const { name, mbPerSecond } of results) console.log(`${String(mbPerSecond).padStart(6)} MB/s  ${name}`);
writeFileSync(new URL('./results/hashes.json', import.meta.url), `${JSON.stringify({ measured: new Date().toISOString(), node: process.version, bytes: BYTES, results }, null, 2)}\n`);
