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

/** Anything fed chunks, then asked for its digest once. */
interface Feedable {
  update(chunk: Uint8Array): unknown;
  digest(): unknown;
}

/** hash-wasm's hashers are made once (async) and reset per run. */
const reset = <T extends Feedable & { init(): unknown }>(hasher: T) => (): T => (hasher.init(), hasher);

const [wasmSha256, wasmXxh32, wasmXxh64] = await Promise.all([createSHA256(), createXXHash32(), createXXHash64()]);
/** A fresh (or reset) hasher per run, by name. */
const hashers: Record<string, () => Feedable> = {
  'sha256 (ours, JS)': createSha256,
  'sha256 (hash-wasm)': reset(wasmSha256),
  'sha256 (OpenSSL)': () => createHash('sha256'),
  'sha512 (ours, JS)': createSha512,
  'xxh32 (ours, JS)': createXxh32,
  'xxh32 (hash-wasm)': reset(wasmXxh32),
  'xxh64 (hash-wasm, the former cache checksum)': reset(wasmXxh64),
};

/** The whole buffer through a new hasher, in 64 KiB chunks as a download arrives. */
function hashAll(create: () => Feedable): void {
  const hasher = create();
  for (let at = 0; at < BYTES; at += 65536) hasher.update(data.subarray(at, at + 65536));
  hasher.digest();
}

const times: Record<string, number[]> = Object.fromEntries(Object.keys(hashers).map((name) => [name, []]));
for (let round = 0; round < 6; round++) {
  for (const [name, create] of Object.entries(hashers)) {
    const started = performance.now();
    hashAll(create);
    // Round 0 warms up.
    if (round > 0) times[name].push(performance.now() - started);
  }
}
const results = Object.entries(times).map(([name, ms]) => ({ name, mbPerSecond: Math.round(BYTES / 1e6 / (median(ms) / 1000)) }));
for (const { name, mbPerSecond } of results) console.log(`${String(mbPerSecond).padStart(6)} MB/s  ${name}`);
writeFileSync(new URL('./results/hashes.json', import.meta.url), `${JSON.stringify({ measured: new Date().toISOString(), node: process.version, bytes: BYTES, results }, null, 2)}\n`);
