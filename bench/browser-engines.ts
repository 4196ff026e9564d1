// npm run bench (Chromium engines): full-size BVLC AlexNet (227x227, batch 1, He-initialized), one
// inference at a time, in one headless Chromium page: alexnet-web on WebGPU against onnxruntime-web's
// WebGPU execution provider on the same adapter, and alexnet-web WebAssembly against onnxruntime-web
// WebAssembly (one thread each), all from the same ONNX file. Engines alternate; medians after warm-up,
// as ratios. Without a GPU, Chromium's WebGPU adapter is SwiftShader (software): its figures are only
// ratios. Writes bench/results/browser-engines.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bvlcAlexNet } from '../dist/index.js';
import { convertOnnx } from '../dist/convert.js';
import { cosineSimilarity } from '../test/close.js';
import { concatBytes } from '../test/helpers.js';
import { BVLC_STYLE, buildOnnx, heInitialized } from '../test/onnx-builder.js';
import { uniform } from '../test/random.js';
import { launchChromium } from '../tools/chromium.js';
import { startStaticServer } from '../tools/static-server.js';
import { median } from './median.js';

const ROUNDS = Number(process.env.BENCH_ENGINE_ROUNDS ?? 5);
const WARMUP = 1;

interface PageResult {
  adapter: string;
  engines: { name: string; times: number[]; output: number[] }[];
  skipped: { name: string; reason: string }[];
}

// Runs in the page (a string, so no bundler helpers leak in). window.alexnet is the built package.
const PAGE_BENCH = `async ({ rounds, warmup, input }) => {
  const ort = await import('/node_modules/onnxruntime-web/dist/ort.all.min.mjs');
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  ort.env.wasm.numThreads = 1;
  const { createClassifier } = window.alexnet;
  const bytes = async (path) => new Uint8Array(await (await fetch(path)).arrayBuffer());
  const onnx = await bytes('/bench/engines/bvlc.onnx');
  const adapter = await navigator.gpu.requestAdapter();
  const data = Float32Array.from(input);
  const engines = [];
  const skipped = [];
  const add = async (name, create) => {
    try {
      engines.push({ name, ...(await create()), times: [], output: [] });
    } catch (error) {
      skipped.push({ name, reason: String(error && error.message || error) });
    }
  };
  const ours = (weights, backend) => async () => {
    const classifier = await createClassifier({ weights, backend, worker: false, cache: false });
    return { run: () => classifier.infer(data), close: () => classifier.dispose() };
  };
  const theirs = (provider) => async () => {
    const session = await ort.InferenceSession.create(onnx, { executionProviders: [provider], graphOptimizationLevel: 'all' });
    return {
      run: async () => {
        const outputs = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, [1, 3, 227, 227]) });
        return outputs[session.outputNames[0]].getData ? await outputs[session.outputNames[0]].getData() : outputs[session.outputNames[0]].data;
      },
      close: () => session.release(),
    };
  };
  await add('alexnet-web webgpu f32', ours('/bench/engines/bvlc-f32.safetensors', 'webgpu'));
  await add('alexnet-web webgpu int8', ours('/bench/engines/bvlc-int8.safetensors', 'webgpu'));
  await add('onnxruntime-web webgpu', theirs('webgpu'));
  await add('alexnet-web wasm f32', ours('/bench/engines/bvlc-f32.safetensors', 'wasm'));
  await add('alexnet-web wasm int8', ours('/bench/engines/bvlc-int8.safetensors', 'wasm'));
  await add('onnxruntime-web wasm', theirs('wasm'));
  for (const engine of engines) for (let i = 0; i < warmup; i++) engine.output = Array.from(await engine.run());
  for (let round = 0; round < rounds; round++) {
    for (const engine of engines) {
      const started = performance.now();
      await engine.run();
      engine.times.push(performance.now() - started);
    }
  }
  for (const engine of engines) await engine.close();
  const info = adapter && adapter.info;
  return {
    adapter: info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') + (info.isFallbackAdapter ? ' (software fallback)' : '') : 'none',
    engines: engines.map(({ name, times, output }) => ({ name, times, output })),
    skipped,
  };
}`;

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const server = await startStaticServer(root);
  const spec = bvlcAlexNet();
  // Pools as floor-mode with pads: onnxruntime-web's WebGPU MaxPool has no ceil mode (at 227 both give the same shapes).
  const onnx = buildOnnx(spec, heInitialized(spec, 2012), { ...BVLC_STYLE, ceilAsPads: true });
  server.files.set('/bench/engines/bvlc.onnx', onnx);
  server.files.set('/bench/engines/bvlc-f32.safetensors', concatBytes(convertOnnx(onnx, { quantize: 'f32' }).chunks));
  server.files.set('/bench/engines/bvlc-int8.safetensors', concatBytes(convertOnnx(onnx, { quantize: 'int8' }).chunks));
  const input = Array.from(uniform(3 * 227 * 227, 5, -2, 2));

  const browser = await launchChromium();
  const page = await browser.newPage();
  await page.goto(`${server.origin}/test/browser/pages/harness.html`);
  await page.waitForFunction(() => window.harnessReady === true);
  const version = await browser.version();
  page.setDefaultTimeout(0);
  const result = await page.evaluate(`(${PAGE_BENCH})(${JSON.stringify({ rounds: ROUNDS, warmup: WARMUP, input })})`) as PageResult;
  await browser.close();
  await server.close();

  const byName = new Map(result.engines.map((e) => [e.name, e]));
  const peerOf = (name: string): string => (name.includes('webgpu') ? 'onnxruntime-web webgpu' : 'onnxruntime-web wasm');
  const rows = result.engines.map(({ name, times, output }) => {
    const peer = byName.get(peerOf(name));
    return {
      engine: name, medianMs: median(times), minMs: Math.min(...times),
      ratioToOnnxruntime: peer ? median(times) / median(peer.times) : null,
      // A check that the engines computed the same network.
      cosineToOnnxruntime: peer ? cosineSimilarity(output, peer.output) : null,
    };
  });
  const report = { date: new Date().toISOString(), browser: version, adapter: result.adapter, model: 'BVLC AlexNet 227x227, batch 1, He-initialized', rounds: ROUNDS, warmup: WARMUP, engines: rows, skipped: result.skipped };
  console.log(`\nChromium (${version}), WebGPU adapter: ${result.adapter}; ${report.model}; median of ${ROUNDS} alternated runs after ${WARMUP} warm-up run; wasm engines single-threaded`);
  console.log('| engine | median ms | min ms | vs onnxruntime-web (same backend) | output cosine vs onnxruntime-web |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(`| ${r.engine} | ${r.medianMs.toFixed(1)} | ${r.minMs.toFixed(1)} | ${r.ratioToOnnxruntime?.toFixed(2) ?? '-'}x | ${r.cosineToOnnxruntime?.toFixed(5) ?? '-'} |`);
  }
  for (const s of result.skipped) console.log(`skipped ${s.name}: ${s.reason}`);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/browser-engines.json', import.meta.url), JSON.stringify(report, null, 2) + '\n');
}

await main();
