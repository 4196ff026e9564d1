// npm run bench (Chromium engines): full-size BVLC AlexNet (227x227, batch 1, He-initialized), one
// inference at a time, in headless Chromium pages (cross-origin isolated), every engine from the same
// ONNX file and its output cross-checked against onnxruntime-web's. onnxruntime-web reads its thread
// count once per page, so there are two pages:
//   1 thread:  alexnet-web WebGPU against onnxruntime-web's WebGPU on the same adapter; alexnet-web
//              wasm against onnxruntime-web wasm, one thread each.
//   2 threads: alexnet-web at 1 and 2 threads alternated among themselves (scaling); then alexnet-web
//              at 2 threads (in its worker, the default, and on the page's thread with worker: false)
//              against onnxruntime-web wasm at 2 threads (its default: the page's thread and a pthread).
// Each group's engines alternate, the order rotating every round; medians after warm-up, as ratios. Without a GPU, Chromium's WebGPU
// adapter is SwiftShader (software): its figures are only ratios. Writes bench/results/browser-engines.json.
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
const WASM_ROUNDS = Number(process.env.BENCH_ENGINE_WASM_ROUNDS ?? 15);
const WARMUP = 1;

/** An engine the page builds: ours with createClassifier options, or onnxruntime-web with an execution provider. */
type EngineSpec = { name: string; weights: 'f32' | 'int8'; options: Record<string, unknown> } | { name: string; provider: 'webgpu' | 'wasm' };

interface PageSpec {
  ortThreads: number;
  /** Each group's engines alternate among themselves. */
  groups: { name: string; rounds: number; engines: EngineSpec[] }[];
}

interface PageResult {
  adapter: string;
  groups: { name: string; engines: { name: string; times: number[]; output: number[] }[] }[];
  skipped: { name: string; reason: string }[];
}

// Runs in the page (a string, so no bundler helpers leak in). window.alexnet is the built package.
const PAGE_BENCH = `async ({ warmup, input, ortThreads, groups }) => {
  const ort = await import('/node_modules/onnxruntime-web/dist/ort.all.min.mjs');
  ort.env.wasm.wasmPaths = '/node_modules/onnxruntime-web/dist/';
  ort.env.wasm.numThreads = ortThreads;
  const { createClassifier } = window.alexnet;
  const onnx = new Uint8Array(await (await fetch('/bench/engines/bvlc.onnx')).arrayBuffer());
  const adapter = await navigator.gpu.requestAdapter();
  const data = Float32Array.from(input);
  const built = new Map();
  const skipped = [];
  const build = async (spec) => {
    if (spec.provider) {
      const session = await ort.InferenceSession.create(onnx, { executionProviders: [spec.provider], graphOptimizationLevel: 'all' });
      return {
        run: async () => {
          const outputs = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, [1, 3, 227, 227]) });
          const out = outputs[session.outputNames[0]];
          return out.getData ? await out.getData() : out.data;
        },
        close: () => session.release(),
      };
    }
    const classifier = await createClassifier({ weights: '/bench/engines/bvlc-' + spec.weights + '.safetensors', cache: false, ...spec.options });
    const threads = spec.options.threads;
    if (threads && classifier.threads !== threads) throw new Error('asked for ' + threads + ' threads: ' + classifier.backendReason.join('; '));
    return { run: () => classifier.infer(data), close: () => classifier.dispose() };
  };
  const results = [];
  for (const group of groups) {
    const engines = [];
    for (const spec of group.engines) {
      try {
        if (!built.has(spec.name)) built.set(spec.name, await build(spec));
        engines.push({ name: spec.name, engine: built.get(spec.name), times: [], output: [] });
      } catch (error) {
        skipped.push({ name: spec.name, reason: String(error && error.message || error) });
      }
    }
    for (const e of engines) for (let i = 0; i < warmup; i++) e.output = Array.from(await e.engine.run());
    for (let round = 0; round < group.rounds; round++) {
      // Each round starts one engine later: every engine follows every other equally often.
      const shift = round % engines.length;
      for (const e of [...engines.slice(shift), ...engines.slice(0, shift)]) {
        // Idle first: the engine before has stopped spinning its thread pool (onnxruntime's does after a run).
        await new Promise((resolve) => setTimeout(resolve, 50));
        const started = performance.now();
        await e.engine.run();
        e.times.push(performance.now() - started);
      }
    }
    results.push({ name: group.name, engines: engines.map(({ name, times, output }) => ({ name, times, output })) });
  }
  for (const engine of built.values()) await engine.close();
  const info = adapter && adapter.info;
  return {
    adapter: info ? [info.vendor, info.architecture, info.description].filter(Boolean).join(' ') + (info.isFallbackAdapter ? ' (software fallback)' : '') : 'none',
    groups: results,
    skipped,
  };
}`;

const ours = (name: string, weights: 'f32' | 'int8', options: Record<string, unknown>): EngineSpec => ({ name, weights, options });

const PAGES: PageSpec[] = [
  {
    ortThreads: 1,
    groups: [
      {
        name: 'WebGPU', rounds: ROUNDS, engines: [
          ours('alexnet-web webgpu f32', 'f32', { backend: 'webgpu', worker: false }),
          ours('alexnet-web webgpu int8', 'int8', { backend: 'webgpu', worker: false }),
          { name: 'onnxruntime-web webgpu', provider: 'webgpu' },
        ],
      },
      {
        name: 'wasm, 1 thread', rounds: WASM_ROUNDS, engines: [
          ours('alexnet-web wasm f32, 1 thread', 'f32', { backend: 'wasm', threads: 1 }),
          ours('alexnet-web wasm int8, 1 thread', 'int8', { backend: 'wasm', threads: 1 }),
          { name: 'onnxruntime-web wasm, 1 thread', provider: 'wasm' },
        ],
      },
    ],
  },
  {
    ortThreads: 2,
    groups: [
      {
        name: 'alexnet-web scaling', rounds: WASM_ROUNDS, engines: [
          ours('alexnet-web wasm int8, 1 thread', 'int8', { backend: 'wasm', threads: 1 }),
          ours('alexnet-web wasm int8, 2 threads', 'int8', { backend: 'wasm', threads: 2 }),
          ours('alexnet-web wasm f32, 1 thread', 'f32', { backend: 'wasm', threads: 1 }),
          ours('alexnet-web wasm f32, 2 threads', 'f32', { backend: 'wasm', threads: 2 }),
        ],
      },
      {
        name: 'wasm, 2 threads', rounds: WASM_ROUNDS, engines: [
          ours('alexnet-web wasm int8, 2 threads', 'int8', { backend: 'wasm', threads: 2 }),
          ours('alexnet-web wasm f32, 2 threads', 'f32', { backend: 'wasm', threads: 2 }),
          ours('alexnet-web wasm int8, 2 threads, page thread (worker: false)', 'int8', { backend: 'wasm', threads: 2, worker: false }),
          { name: 'onnxruntime-web wasm, 2 threads', provider: 'wasm' },
        ],
      },
    ],
  },
];

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

  // A page's groups run in one call: minutes on SwiftShader.
  const browser = await launchChromium({ protocolTimeout: 30 * 60_000 });
  const version = await browser.version();
  const pages: (PageResult & { ortThreads: number })[] = [];
  for (const pageSpec of PAGES) {
    const page = await browser.newPage();
    await page.goto(`${server.origin}/test/browser/pages/harness.html`);
    await page.waitForFunction(() => window.harnessReady === true);
    page.setDefaultTimeout(0);
    const result = await page.evaluate(`(${PAGE_BENCH})(${JSON.stringify({ warmup: WARMUP, input, ...pageSpec })})`) as PageResult;
    pages.push({ ...result, ortThreads: pageSpec.ortThreads });
    await page.close();
  }
  await browser.close();
  await server.close();

  const groups = pages.flatMap((page) => page.groups.map((group) => {
    const peer = group.engines.find((e) => e.name.startsWith('onnxruntime-web'));
    return {
      group: group.name,
      onnxruntimeWebThreads: page.ortThreads,
      engines: group.engines.map(({ name, times, output }) => ({
        engine: name, medianMs: median(times), minMs: Math.min(...times),
        ratioToOnnxruntime: peer ? median(times) / median(peer.times) : null,
        // A check that the engines computed the same network.
        cosineToOnnxruntime: peer ? cosineSimilarity(output, peer.output) : null,
      })),
    };
  }));
  const scalingGroup = groups.find((g) => g.group === 'alexnet-web scaling')!;
  const msOf = (name: string) => scalingGroup.engines.find((e) => e.engine === name)?.medianMs ?? Number.NaN;
  const scaling = ['int8', 'f32'].map((kind) => {
    const one = msOf(`alexnet-web wasm ${kind}, 1 thread`);
    const two = msOf(`alexnet-web wasm ${kind}, 2 threads`);
    return { engine: `alexnet-web wasm ${kind}`, oneThreadMs: one, twoThreadsMs: two, speedup: one / two };
  });
  const adapter = pages[0].adapter;
  const skipped = pages.flatMap((page) => page.skipped);
  const report = { date: new Date().toISOString(), browser: version, adapter, model: 'BVLC AlexNet 227x227, batch 1, He-initialized', warmup: WARMUP, groups, scaling, skipped };

  console.log(`\nChromium (${version}), WebGPU adapter: ${adapter}; ${report.model}; medians of alternated runs after ${WARMUP} warm-up run`);
  for (const group of groups) {
    console.log(`\n${group.group} (onnxruntime-web at ${group.onnxruntimeWebThreads} thread${group.onnxruntimeWebThreads > 1 ? 's' : ''} in this page)`);
    console.log('| engine | median ms | min ms | vs onnxruntime-web (same group) | output cosine vs onnxruntime-web |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const r of group.engines) {
      console.log(`| ${r.engine} | ${r.medianMs.toFixed(1)} | ${r.minMs.toFixed(1)} | ${r.ratioToOnnxruntime?.toFixed(2) ?? '-'}x | ${r.cosineToOnnxruntime?.toFixed(5) ?? '-'} |`);
    }
  }
  console.log(`\nscaling: ${scaling.map((s) => `${s.engine} ${s.oneThreadMs.toFixed(1)} -> ${s.twoThreadsMs.toFixed(1)} ms, ${s.speedup.toFixed(2)}x`).join('; ')}`);
  for (const s of skipped) console.log(`skipped ${s.name}: ${s.reason}`);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/browser-engines.json', import.meta.url), JSON.stringify(report, null, 2) + '\n');
}

await main();
