// npm run bench (Chromium engines): full-size BVLC AlexNet (227x227, batch 1, He-initialized), one
// inference at a time, in headless Chromium pages (cross-origin isolated), every engine from the same
// ONNX file and its output cross-checked against onnxruntime-web's. onnxruntime-web reads its thread
// count once per page, so there are two pages:
//   1 thread:  alexnet-web WebGPU against onnxruntime-web's WebGPU on the same adapter; alexnet-web
//              wasm (the int8 file with int8 arithmetic, with f32 arithmetic, the f32 file) against
//              onnxruntime-web wasm, one thread each.
//   2 threads: alexnet-web at 1 and 2 threads alternated among themselves and with a host row (a loop
//              with nothing shared on 1 and 2 workers, bench/host-loop.ts: what the host's two vCPUs
//              gave at the time) for scaling, after idle, back to back, in a stream and sustained (next
//              to how often this host runs a notified thread on its waker's core, bench/wake-placement.ts);
//              then alexnet-web at 2 threads (in its worker, the default, and on the page's thread
//              with worker: false) against onnxruntime-web wasm at 2 threads (its default: the page's
//              thread and a pthread).
// Then, on a third page: per-layer times of int8 and f32 arithmetic at 1 thread, as GMAC/s per
// convolution next to the instructions' limit measured in this page (bench/dot-peak.ts); and alexnet-web
// int8 at 2 threads in Chromium alternated, inference by inference, with native onnxruntime
// (onnxruntime-node, 2 threads) in this Node process: a browser tab against native code.
// Each group's engines alternate, the order rotating every round; medians after warm-up, as ratios. Without a GPU, Chromium's WebGPU
// adapter is SwiftShader (software): its figures are only ratios. Writes bench/results/browser-engines.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'puppeteer-core';
import { bvlcAlexNet, planNetwork } from '../dist/index.js';
import { convertOnnx } from '../dist/convert.js';
import { cosineSimilarity } from '../test/close.js';
import { concatBytes } from '../test/helpers.js';
import { BVLC_STYLE, buildOnnx, heInitialized } from '../test/onnx-builder.js';
import { uniform } from '../test/random.js';
import { launchChromium } from '../tools/chromium.js';
import { startStaticServer } from '../tools/static-server.js';
import { dotPeakBuilds, measureDotPeaks, type DotPeaks } from './dot-peak.js';
import { HOST_LOOP, HOST_LOOP_STEPS } from './host-loop.js';
import { median, pairedRatio } from './median.js';
import { loadNativeOnnxruntime } from './native-onnxruntime.js';
import { describeWakePlacement, measureWakePlacement } from './wake-placement.js';

const ROUNDS = Number(process.env.BENCH_ENGINE_ROUNDS ?? 5);
const WASM_ROUNDS = Number(process.env.BENCH_ENGINE_WASM_ROUNDS ?? 15);
const WARMUP = 1;

/**
 * An engine the page builds: ours with createClassifier options, onnxruntime-web with an execution
 * provider, or the host row: `steps` of the multiply-add loop split over `hostLoop` workers (host-loop.ts).
 */
type EngineSpec = { name: string; weights: 'f32' | 'int8'; options: Record<string, unknown> } | { name: string; provider: 'webgpu' | 'wasm' }
  | { name: string; hostLoop: number; steps: number };

interface PageSpec {
  ortThreads: number;
  /**
   * Each group's engines alternate among themselves, with gapMs of idle before each turn: 50 where
   * onnxruntime's pool (which spins after a run) takes part, 2 between ours alone (ours spin 0.5 ms).
   * runsPerTurn: runs of one engine one right after another (default 1; gapMs only before the
   * first); the first of each turn, after another engine, is not counted. turnMs: or runs until the
   * turn has lasted this long, and the turn's median is its time.
   */
  groups: { name: string; rounds: number; gapMs: number; runsPerTurn?: number; turnMs?: number; engines: EngineSpec[] }[];
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
    if (spec.hostLoop) {
      const wasm = new Uint8Array(await (await fetch('/bench/engines/dot-peak.wasm')).arrayBuffer());
      const workers = Array.from({ length: spec.hostLoop }, () => new Worker('/bench/kernels/host-loop-worker.js', { type: 'module' }));
      const ask = (message) => Promise.all(workers.map((worker) => new Promise((resolve) => {
        worker.onmessage = resolve;
        worker.postMessage(message);
      })));
      await ask({ wasm });
      return {
        run: async () => {
          await ask({ steps: spec.steps / workers.length });
          return [];
        },
        close: () => workers.forEach((worker) => worker.terminate()),
      };
    }
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
        const runs = group.runsPerTurn || 1;
        const turnMs = group.turnMs || 0;
        // Idle first: the engine before has stopped spinning its thread pool (onnxruntime's does after a run).
        await new Promise((resolve) => setTimeout(resolve, group.gapMs));
        const turn = [];
        const turnStarted = performance.now();
        for (let run = 0; run < runs || performance.now() - turnStarted < turnMs; run++) {
          const started = performance.now();
          await e.engine.run();
          if (run > 0 || (runs === 1 && !turnMs)) turn.push(performance.now() - started);
        }
        if (!turnMs) e.times.push(...turn);
        else e.times.push(turn.sort((a, b) => a - b)[turn.length >> 1]);
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

/** Idle before each run where onnxruntime takes part: its thread pool has stopped spinning. */
const IDLE_GAP_MS = 50;
/** Idle before each run between our engines alone: past our helpers' 0.5 ms spin, and no longer. */
const BACK_TO_BACK_GAP_MS = 2;

/** Runs of one engine one right after another, for scaling in a stream (a loop over images). */
const STREAM_RUNS = 4;
/**
 * For scaling sustained (a video, a folder of images): each engine's turn is this long, one run right
 * after another, and counts as its median; by then the host runs both vCPUs (after idle it may not).
 */
const SUSTAINED_TURN_MS = 2000;
const SUSTAINED_ROUNDS = 6;

/** Ours at 1 and 2 threads (int8, int8 file with f32 arithmetic, f32 file) and the host row, alternated among themselves. */
function scalingGroup(name: string, gapMs: number, turns: { runsPerTurn?: number; turnMs?: number; rounds?: number } = {}): PageSpec['groups'][number] {
  return {
    name, rounds: turns.rounds ?? WASM_ROUNDS, gapMs, runsPerTurn: turns.runsPerTurn, turnMs: turns.turnMs, engines: [
      ours('alexnet-web wasm int8, 1 thread', 'int8', { backend: 'wasm', threads: 1 }),
      ours('alexnet-web wasm int8, 2 threads', 'int8', { backend: 'wasm', threads: 2 }),
      ours('alexnet-web wasm f32, 1 thread', 'f32', { backend: 'wasm', threads: 1 }),
      ours('alexnet-web wasm f32, 2 threads', 'f32', { backend: 'wasm', threads: 2 }),
      ours('alexnet-web wasm int8 file, f32 arithmetic, 1 thread', 'int8', { backend: 'wasm', threads: 1, arithmetic: 'f32' }),
      ours('alexnet-web wasm int8 file, f32 arithmetic, 2 threads', 'int8', { backend: 'wasm', threads: 2, arithmetic: 'f32' }),
      { name: `${HOST_LOOP}, 1 thread`, hostLoop: 1, steps: HOST_LOOP_STEPS },
      { name: `${HOST_LOOP}, 2 threads`, hostLoop: 2, steps: HOST_LOOP_STEPS },
    ],
  };
}

const PAGES: PageSpec[] = [
  {
    ortThreads: 1,
    groups: [
      {
        name: 'WebGPU', rounds: ROUNDS, gapMs: IDLE_GAP_MS, engines: [
          ours('alexnet-web webgpu f32', 'f32', { backend: 'webgpu', worker: false }),
          ours('alexnet-web webgpu int8', 'int8', { backend: 'webgpu', worker: false }),
          { name: 'onnxruntime-web webgpu', provider: 'webgpu' },
        ],
      },
      {
        name: 'wasm, 1 thread', rounds: WASM_ROUNDS, gapMs: IDLE_GAP_MS, engines: [
          ours('alexnet-web wasm f32, 1 thread', 'f32', { backend: 'wasm', threads: 1 }),
          ours('alexnet-web wasm int8, 1 thread', 'int8', { backend: 'wasm', threads: 1 }),
          ours('alexnet-web wasm int8 file, f32 arithmetic, 1 thread', 'int8', { backend: 'wasm', threads: 1, arithmetic: 'f32' }),
          { name: 'onnxruntime-web wasm, 1 thread', provider: 'wasm' },
        ],
      },
    ],
  },
  {
    ortThreads: 2,
    groups: [
      scalingGroup('alexnet-web scaling', IDLE_GAP_MS),
      scalingGroup('alexnet-web scaling, back to back', BACK_TO_BACK_GAP_MS),
      scalingGroup('alexnet-web scaling, in a stream', IDLE_GAP_MS, { runsPerTurn: STREAM_RUNS }),
      scalingGroup('alexnet-web scaling, sustained', IDLE_GAP_MS, { turnMs: SUSTAINED_TURN_MS, rounds: SUSTAINED_ROUNDS }),
      {
        name: 'wasm, 2 threads', rounds: WASM_ROUNDS, gapMs: IDLE_GAP_MS, engines: [
          ours('alexnet-web wasm int8, 2 threads', 'int8', { backend: 'wasm', threads: 2 }),
          ours('alexnet-web wasm f32, 2 threads', 'f32', { backend: 'wasm', threads: 2 }),
          ours('alexnet-web wasm int8 file, f32 arithmetic, 2 threads', 'int8', { backend: 'wasm', threads: 2, arithmetic: 'f32' }),
          ours('alexnet-web wasm int8, 2 threads, page thread (worker: false)', 'int8', { backend: 'wasm', threads: 2, worker: false }),
          { name: 'onnxruntime-web wasm, 2 threads', provider: 'wasm' },
        ],
      },
    ],
  },
];

/** Per-layer times (ms, every round) of the int8 file with int8 and with f32 arithmetic at 1 thread, their profiles alternated in the page. */
const LAYER_BENCH = `async ({ rounds }) => {
  const { createClassifier } = window.alexnet;
  const data = new Float32Array(3 * 227 * 227).map((_, i) => Math.sin(i));
  const kinds = [['int8', {}], ['f32', { arithmetic: 'f32' }]];
  const runs = [];
  for (const [name, options] of kinds) {
    const classifier = await createClassifier({ weights: '/bench/engines/bvlc-int8.safetensors', cache: false, backend: 'wasm', threads: 1, ...options });
    await classifier.profile(data);
    runs.push({ name, classifier, layers: {} });
  }
  for (let round = 0; round < rounds; round++) {
    for (const run of runs) for (const { name, ms } of (await run.classifier.profile(data)).layerTimes) (run.layers[name] ??= []).push(ms);
  }
  const reasons = [...runs[0].classifier.backendReason];
  for (const run of runs) await run.classifier.dispose();
  return { reasons, layers: Object.fromEntries(runs.map((run) => [run.name, run.layers])) };
}`;

/** Multiply-adds of each convolution at batch 1 (the direct algorithm's count, whatever runs). */
function convolutionMacs(spec: ReturnType<typeof bvlcAlexNet>): Record<string, number> {
  return Object.fromEntries(planNetwork(spec).flatMap(({ layer, inputShape, outputShape }) => {
    if (layer.type !== 'conv2d') return [];
    const [K, OH, OW] = outputShape as [number, number, number];
    return [[layer.name, K * OH * OW * (inputShape[0] / layer.groups) * layer.kernel[0] * layer.kernel[1]]];
  }));
}

/**
 * alexnet-web int8 at 2 threads in the page (its worker) against native onnxruntime at 2 threads in
 * this process, one inference each in turn (the order swapping every round, idle 50 ms before each);
 * each side times itself. Medians, the ratio, and their outputs' cosine.
 */
async function browserVersusNative(page: Page, onnx: Uint8Array, input: number[], rounds: number): Promise<Record<string, unknown>> {
  const native = loadNativeOnnxruntime();
  if (!native.ort) return { skipped: native.why };
  const session = await native.ort.InferenceSession.create(onnx, { intraOpNumThreads: 2, interOpNumThreads: 1, graphOptimizationLevel: 'all' } as never);
  const feeds = { [session.inputNames[0]]: new native.ort.Tensor('float32', Float32Array.from(input), [1, 3, 227, 227]) };
  await page.evaluate(`(async (input) => {
    const classifier = await window.alexnet.createClassifier({ weights: '/bench/engines/bvlc-int8.safetensors', cache: false, backend: 'wasm', threads: 2 });
    window.versusNative = { classifier, data: Float32Array.from(input) };
  })(${JSON.stringify(input)})`);
  const inBrowser = async (): Promise<{ ms: number; output: number[] }> => page.evaluate(`(async () => {
    const { classifier, data } = window.versusNative;
    const started = performance.now();
    const output = await classifier.infer(data);
    return { ms: performance.now() - started, output: Array.from(output) };
  })()`) as Promise<{ ms: number; output: number[] }>;
  const natively = async (): Promise<{ ms: number; output: number[] }> => {
    const started = performance.now();
    const outputs = await session.run(feeds);
    const ms = performance.now() - started;
    return { ms, output: Array.from(outputs[session.outputNames[0]].data as Float32Array) };
  };
  const sides = [inBrowser, natively];
  const times: number[][] = [[], []];
  const outputs: number[][] = [[], []];
  for (let i = 0; i < 3; i++) for (const [k, side] of sides.entries()) outputs[k] = (await side()).output;
  for (let round = 0; round < rounds; round++) {
    for (const k of round % 2 === 0 ? [0, 1] : [1, 0]) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      times[k].push((await sides[k]()).ms);
    }
  }
  const reasons = await page.evaluate('[...window.versusNative.classifier.backendReason]') as string[];
  await page.evaluate('window.versusNative.classifier.dispose()');
  await session.release();
  const [browserMs, nativeMs] = times.map(median);
  return { browserMs, nativeMs, ratio: browserMs / nativeMs, cosine: cosineSimilarity(outputs[0], outputs[1]), reasons };
}

async function main(): Promise<void> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const server = await startStaticServer(root);
  const spec = bvlcAlexNet();
  // Pools as floor-mode with pads: onnxruntime-web's WebGPU MaxPool has no ceil mode (at 227 both give the same shapes).
  const onnx = buildOnnx(spec, heInitialized(spec, 2012), { ...BVLC_STYLE, ceilAsPads: true });
  server.files.set('/bench/engines/bvlc.onnx', onnx);
  server.files.set('/bench/engines/bvlc-f32.safetensors', concatBytes(convertOnnx(onnx, { quantize: 'f32' }).chunks));
  server.files.set('/bench/engines/bvlc-int8.safetensors', concatBytes(convertOnnx(onnx, { quantize: 'int8' }).chunks));
  const peakBuilds = await dotPeakBuilds();
  server.files.set('/bench/engines/dot-peak.wasm', peakBuilds.baseline);
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
  const page = await browser.newPage();
  // tsx names inner functions with a __name helper the page does not have (measureDotPeaks's source runs there).
  await page.evaluateOnNewDocument('globalThis.__name = (f) => f');
  await page.goto(`${server.origin}/test/browser/pages/harness.html`);
  await page.waitForFunction(() => window.harnessReady === true);
  page.setDefaultTimeout(0);
  const peakIn = (bytes: Uint8Array) => page.evaluate(`(${measureDotPeaks.toString()})(new Uint8Array(${JSON.stringify(Array.from(bytes))}))`) as Promise<DotPeaks>;
  const peaks = { baseline: await peakIn(peakBuilds.baseline), relaxed: await peakIn(peakBuilds.relaxed) };
  const layerRun = await page.evaluate(`(${LAYER_BENCH})(${JSON.stringify({ rounds: WASM_ROUNDS })})`) as { reasons: string[]; layers: Record<'int8' | 'f32', Record<string, number[]>> };
  const layerMedians = (kind: 'int8' | 'f32') => Object.fromEntries(Object.entries(layerRun.layers[kind]).filter(([name]) => name !== 'flatten').map(([name, ms]) => [name, median(ms)]));
  const layers = { int8: layerMedians('int8'), f32: layerMedians('f32'), reasons: layerRun.reasons };
  const convolutions = Object.entries(convolutionMacs(spec)).map(([name, macs]) => ({
    layer: name, macs, int8ArithmeticMs: layers.int8[name], f32ArithmeticMs: layers.f32[name],
    int8GmacPerSecond: macs / layers.int8[name] / 1e6, f32GmacPerSecond: macs / layers.f32[name] / 1e6,
  }));
  const versusNative = await browserVersusNative(page, onnx, input, WASM_ROUNDS);
  await page.close();
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
  // Each engine's times, round by round, for the paired ratios.
  const timesOf = (groupName: string, engine: string) => pages.flatMap((page) => page.groups).find((g) => g.name === groupName)?.engines.find((e) => e.name === engine)?.times ?? [];
  const scalingIn = (groupName: string) => {
    const group = groups.find((g) => g.group === groupName)!;
    const msOf = (name: string) => group.engines.find((e) => e.engine === name)?.medianMs ?? Number.NaN;
    return [...['int8', 'int8 file, f32 arithmetic', 'f32'].map((kind) => `alexnet-web wasm ${kind}`), HOST_LOOP].map((engine) => {
      const one = msOf(`${engine}, 1 thread`);
      const two = msOf(`${engine}, 2 threads`);
      const pairedSpeedup = pairedRatio(timesOf(groupName, `${engine}, 1 thread`), timesOf(groupName, `${engine}, 2 threads`));
      return { engine, oneThreadMs: one, twoThreadsMs: two, speedup: one / two, pairedSpeedup };
    });
  };
  const scaling = scalingIn('alexnet-web scaling');
  const scalingBackToBack = scalingIn('alexnet-web scaling, back to back');
  const scalingInStream = scalingIn('alexnet-web scaling, in a stream');
  const scalingSustained = scalingIn('alexnet-web scaling, sustained');
  const wakePlacement = await measureWakePlacement();
  const adapter = pages[0].adapter;
  const skipped = pages.flatMap((page) => page.skipped);
  // int8 arithmetic's time as a share of the same file's f32-arithmetic time, in the groups that ran both.
  const arithmetic = groups.flatMap((group) => ['1 thread', '2 threads'].flatMap((threads) => {
    const int8 = group.engines.find((e) => e.engine === `alexnet-web wasm int8, ${threads}`);
    const f32 = group.engines.find((e) => e.engine === `alexnet-web wasm int8 file, f32 arithmetic, ${threads}`);
    if (!int8 || !f32) return [];
    const paired = pairedRatio(timesOf(group.group, int8.engine), timesOf(group.group, f32.engine));
    return [{ group: group.group, threads, int8ArithmeticMs: int8.medianMs, f32ArithmeticMs: f32.medianMs, ratio: int8.medianMs / f32.medianMs, pairedRatio: paired }];
  }));
  const report = {
    date: new Date().toISOString(), browser: version, adapter, model: 'BVLC AlexNet 227x227, batch 1, He-initialized', warmup: WARMUP, groups, scaling, scalingBackToBack, scalingInStream, scalingSustained, wakePlacement,
    arithmetic, layers, convolutions, peaks, versusNative, skipped,
  };

  console.log(`\nChromium (${version}), WebGPU adapter: ${adapter}; ${report.model}; medians of alternated runs after ${WARMUP} warm-up run`);
  for (const group of groups) {
    console.log(`\n${group.group} (onnxruntime-web at ${group.onnxruntimeWebThreads} thread${group.onnxruntimeWebThreads > 1 ? 's' : ''} in this page)`);
    console.log('| engine | median ms | min ms | vs onnxruntime-web (same group) | output cosine vs onnxruntime-web |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const r of group.engines) {
      console.log(`| ${r.engine} | ${r.medianMs.toFixed(1)} | ${r.minMs.toFixed(1)} | ${r.ratioToOnnxruntime?.toFixed(2) ?? '-'}x | ${r.cosineToOnnxruntime?.toFixed(5) ?? '-'} |`);
    }
  }
  const describeScaling = (rows: typeof scaling) => rows.map((s) => `${s.engine} ${s.oneThreadMs.toFixed(1)} -> ${s.twoThreadsMs.toFixed(1)} ms, ${s.speedup.toFixed(2)}x (paired ${s.pairedSpeedup.toFixed(2)}x)`).join('; ');
  console.log(`\nscaling, ${IDLE_GAP_MS} ms idle before each run: ${describeScaling(scaling)}`);
  console.log(`scaling, back to back (${BACK_TO_BACK_GAP_MS} ms idle): ${describeScaling(scalingBackToBack)}`);
  console.log(`scaling, in a stream (${STREAM_RUNS} runs of one engine one right after another, the first not counted): ${describeScaling(scalingInStream)}`);
  console.log(`scaling, sustained (${SUSTAINED_TURN_MS / 1000} s turns of runs one right after another, ${SUSTAINED_ROUNDS} rounds, each turn's median): ${describeScaling(scalingSustained)}`);
  console.log(describeWakePlacement(wakePlacement));
  console.log(`\nint8 arithmetic vs f32 arithmetic (the int8 file): ${arithmetic.map((a) => `${a.group}, ${a.threads}: ${a.int8ArithmeticMs.toFixed(1)} / ${a.f32ArithmeticMs.toFixed(1)} ms = ${a.ratio.toFixed(2)}x (paired ${a.pairedRatio.toFixed(2)}x)`).join('; ')}`);
  console.log(`(${layers.reasons.filter((r) => r.includes('arithmetic') || r.includes('relaxed')).join('; ')})`);
  const peak = (value: number | null) => (value === null ? '-' : value.toFixed(1));
  console.log(`convolutions, 1 thread, GMAC/s (direct multiply-adds / time; Winograd does fewer), int8 / f32 arithmetic; limits in this page (4x8 register tile in L1): i16 dot ${peak(peaks.relaxed.i16Dot)}, relaxed i8 dot ${peak(peaks.relaxed.i8Dot)}, f32 FMA ${peak(peaks.relaxed.f32Madd)}`);
  console.log(convolutions.map((c) => `${c.layer} ${c.int8GmacPerSecond.toFixed(1)} / ${c.f32GmacPerSecond.toFixed(1)}`).join(', '));
  console.log(`per layer ms, int8 / f32 arithmetic: ${Object.keys(layers.int8).map((name) => `${name} ${layers.int8[name].toFixed(2)} / ${layers.f32[name].toFixed(2)}`).join(', ')}`);
  const v = versusNative as { browserMs?: number; nativeMs?: number; ratio?: number; cosine?: number; skipped?: string };
  console.log(v.skipped ? `versus native: skipped (${v.skipped})` : `\nalexnet-web int8, 2 threads, in Chromium ${v.browserMs!.toFixed(1)} ms vs native onnxruntime-node 2 threads ${v.nativeMs!.toFixed(1)} ms: ${v.ratio!.toFixed(2)}x (output cosine ${v.cosine!.toFixed(5)})`);
  for (const s of skipped) console.log(`skipped ${s.name}: ${s.reason}`);
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(new URL('./results/browser-engines.json', import.meta.url), JSON.stringify(report, null, 2) + '\n');
}

await main();
