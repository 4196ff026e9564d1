// npm run bench: full-size BVLC AlexNet, batch 1, one thread, in one Node process with the engines
// alternated after warm-up. Medians and ratios against onnxruntime-web; writes bench/results/node.json.
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createClassifier, bvlcAlexNet } from '../dist/index.js';
import { convertOnnx } from '../dist/convert.js';
import { concatBytes } from '../test/helpers.js';
import { median } from './median.js';
import { BVLC_STYLE, buildOnnx, heInitialized } from '../test/onnx-builder.js';
import { createOrtSession, runOrt } from '../test/peers/onnxruntime.js';
import { uniform } from '../test/random.js';
import { buildTfjsAlexNet } from './tfjs-alexnet.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const WARMUP = 5;

async function main(): Promise<void> {
  const spec = bvlcAlexNet();
  const weights = heInitialized(spec, 2012);
  const onnx = buildOnnx(spec, weights, BVLC_STYLE);
  const input = uniform(3 * 227 * 227, 5, -2, 2);

  const int8Bytes = concatBytes(convertOnnx(onnx, { quantize: 'int8' }).chunks);
  const f32Bytes = concatBytes(convertOnnx(onnx, { quantize: 'f32' }).chunks);
  const int8 = await createClassifier({ weights: int8Bytes });
  const f32 = await createClassifier({ weights: f32Bytes });
  // Node 20 has relaxed SIMD only behind --experimental-wasm-relaxed-simd (npm run bench passes it); browsers have it on.
  const relaxed = int8.backendReason.some((r) => r.includes('relaxed SIMD with'));
  const int8Baseline = relaxed ? await createClassifier({ weights: int8Bytes, relaxedSimd: false }) : undefined;
  const f32Baseline = relaxed ? await createClassifier({ weights: f32Bytes, relaxedSimd: false }) : undefined;
  const build = relaxed ? 'relaxed SIMD' : 'SIMD';
  const ort = await createOrtSession(onnx);
  const require = createRequire(import.meta.url);
  setWasmPaths(join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')), '/'));
  await tf.setBackend('wasm');
  const tfjsNet = buildTfjsAlexNet(spec, weights);
  // tfjs wants NHWC.
  const nhwc = tf.tidy(() => tf.transpose(tf.tensor4d(input, [1, 3, 227, 227]), [0, 2, 3, 1])) as tf.Tensor4D;

  const engines: Record<string, () => Promise<unknown>> = {
    [`alexnet-web int8 (${build})`]: () => int8.infer(input),
    [`alexnet-web f32 (${build})`]: () => f32.infer(input),
    ...(int8Baseline && f32Baseline ? { 'alexnet-web int8 (SIMD)': () => int8Baseline.infer(input), 'alexnet-web f32 (SIMD)': () => f32Baseline.infer(input) } : {}),
    'onnxruntime-web wasm': () => runOrt(ort, input, [1, 3, 227, 227]),
    'tfjs wasm': async () => {
      const out = tfjsNet.run(nhwc);
      await out.data();
      out.dispose();
    },
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(engines).map((name) => [name, []]));
  for (const run of Object.values(engines)) for (let i = 0; i < WARMUP; i++) await run();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of Object.entries(engines)) {
      const started = performance.now();
      await run();
      times[name].push(performance.now() - started);
    }
  }
  const layerRuns: Record<string, number[]> = {};
  for (let i = 0; i < ROUNDS; i++) {
    for (const { name, ms } of (await int8.profile(input)).layerTimes) (layerRuns[name] ??= []).push(ms);
  }

  const ortMedian = median(times['onnxruntime-web wasm']);
  const rows = Object.entries(times).map(([engine, values]) => ({ engine, medianMs: median(values), minMs: Math.min(...values), ratioToOnnxruntime: median(values) / ortMedian }));
  const layers = Object.entries(layerRuns).map(([name, values]) => ({ name, medianMs: median(values) }));
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
  const result = { date: new Date().toISOString(), model: 'BVLC AlexNet 227x227, batch 1, 1 thread', rounds: ROUNDS, warmup: WARMUP, machine, engines: rows, layers };

  console.log(`${result.model}; ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; median of ${ROUNDS} alternated runs after ${WARMUP} warm-up`);
  console.log('| engine | median ms | min ms | vs onnxruntime-web |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.engine} | ${r.medianMs.toFixed(1)} | ${r.minMs.toFixed(1)} | ${r.ratioToOnnxruntime.toFixed(2)}x |`);
  console.log(`\nalexnet-web int8 (${build}), per layer (median ms):`);
  console.log(layers.map((l) => `${l.name} ${l.medianMs.toFixed(2)}`).join(', '));
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/node.json', import.meta.url), JSON.stringify(result, null, 2) + '\n');

  for (const classifier of [int8, f32, int8Baseline, f32Baseline]) classifier?.dispose();
  await ort.release();
  tfjsNet.dispose();
}

await main();
