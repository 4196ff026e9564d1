// Peak extra memory while createClassifier streams a weights file from disk, in Node: the most
// ArrayBuffer memory alive (garbage collected before each sample) above the baseline, at any progress
// event. The WebAssembly memory the weights are copied into is the model itself and is not counted
// by process.memoryUsage().arrayBuffers. Usage: node --expose-gc --import tsx bench/load-memory.ts FILE
import { statSync } from 'node:fs';
import { createClassifier } from '../dist/index.js';

const file = process.argv[2];
const gc = globalThis.gc;
if (!file || !gc) throw new Error('usage: node --expose-gc --import tsx bench/load-memory.ts weights.safetensors');
const fileBytes = statSync(file).size;
const liveArrayBuffers = (): number => {
  gc();
  return process.memoryUsage().arrayBuffers;
};
const baseline = liveArrayBuffers();
let peak = baseline;
const classifier = await createClassifier({ weights: file, onProgress: () => (peak = Math.max(peak, liveArrayBuffers())) });
const extra = peak - baseline;
console.log(JSON.stringify({ file, fileBytes, peakExtraBytes: extra, peakExtraRatio: +(extra / fileBytes).toFixed(3) }));
classifier.dispose();
