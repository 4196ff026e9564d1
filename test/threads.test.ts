// The wasm backend's threads in Node: how many run and why, helpers that cannot start or die mid-call,
// abort between layers, dispose, and memory over many create/classify/dispose cycles. The numbers each
// thread computes are checked by the op tables (test/ops/) and whole networks (onnxruntime.test.ts).
import asc from 'assemblyscript/asc';
import { threadScriptUrl } from 'alexnet-web:wasm-urls';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { instantiateKernels } from '../src/backends/wasm/kernels.js';
import { planThreads } from '../src/backends/wasm/thread-count.js';
import { ThreadPool } from '../src/backends/wasm/thread-pool.js';
import { MAX_SHARED_ITEMS, type KernelCall } from '../src/backends/wasm/work-items.js';
import { bvlcAlexNet, createClassifier } from '../src/node/index.js';
import { convertToBytes } from './helpers.js';
import { BVLC_STYLE, buildOnnx, heInitialized } from './onnx-builder.js';
import { uniform } from './random.js';
import { maxPoolReference } from './reference/max-pool.js';

const IMAGE = new URL('../examples/images/sneaker.png', import.meta.url);

/** A kernels module for helpers whose maxPool traps (`unreachable`): a helper that dies mid-call. */
async function trappingKernels(): Promise<WebAssembly.Module> {
  const { binary, error } = await asc.compileString('export function maxPool(): void { unreachable(); }', {
    runtime: 'stub', sharedMemory: true, importMemory: true, maximumMemory: 65536, enable: ['threads'],
  });
  if (error || !binary) throw error ?? new Error('no binary');
  return new WebAssembly.Module(new Uint8Array(binary));
}

/** Kernels of the threads build on a fresh shared memory, with room for a max-pool of `planes` planes of size x size. */
async function maxPoolBench(planes: number, size = 64) {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
  const { exports: kernels, module } = await instantiateKernels(false, memory);
  const input = uniform(planes * size * size, 5, -1, 1);
  const pooled = Math.floor((size - 3) / 2) + 1;
  const inputAt = Math.ceil(kernels.heapBase() / 64) * 64;
  const outputAt = inputAt + input.byteLength;
  memory.grow(Math.ceil((outputAt + planes * pooled * pooled * 4) / 65536));
  new Float32Array(memory.buffer, inputAt, input.length).set(input);
  const shape = { N: 1, C: planes, H: size, W: size, OH: pooled, OW: pooled, kernelH: 3, kernelW: 3, strideH: 2, strideW: 2, padTop: 0, padLeft: 0 };
  const call: KernelCall = { kernel: 'maxPool', args: [outputAt, inputAt, planes, size, size, pooled, pooled, 3, 3, 2, 2, 0, 0], items: planes, claim: 1 };
  const output = () => new Float32Array(memory.buffer, outputAt, planes * pooled * pooled).slice();
  return { memory, kernels, module, call, output, expected: maxPoolReference(input, shape) };
}

/** Threads of this process, from the OS. */
const osThreads = (): number => readdirSync('/proc/self/task').length;

describe('wasm threads in Node', () => {
  it('default to every core, keep to one thread when asked, and cap what is asked at 16', async () => {
    const cores = availableParallelism();
    expect(await planThreads(undefined)).toMatchObject({ threads: Math.min(cores, 8), wait: 'blocking', reason: expect.stringMatching(/threads? \(every core|of \d+ cores/) });
    expect(await planThreads(1)).toEqual({ threads: 1, wait: 'blocking', reason: '1 thread (threads: 1 was asked for)' });
    expect(await planThreads(3)).toMatchObject({ threads: 3, reason: '3 threads (threads: 3 was asked for)' });
    expect(await planThreads(64)).toMatchObject({ threads: 16, reason: expect.stringContaining('at most 16 run') });
    const classifier = await createClassifier({ threads: 3 });
    expect(classifier.threads).toBe(3);
    expect(classifier.backendReason.at(-1)).toBe('wasm: 3 threads (threads: 3 was asked for)');
    classifier.dispose();
  });

  it('run the items of a helper that dies mid-call again, answer right, and carry on with the threads left', async () => {
    const bench = await maxPoolBench(96);
    const pool = await ThreadPool.start({
      module: await trappingKernels(), memory: bench.memory, kernels: bench.kernels, helpers: 2, scriptUrl: threadScriptUrl, wait: 'blocking',
    });
    expect(pool.threads).toBe(3);
    // Each helper dies on the first item it claims; the calls go on until both have.
    for (let call = 0; call < 20 && pool.losses.length < 2; call++) {
      new Float32Array(bench.memory.buffer).fill(Number.NaN, bench.call.args[0] / 4, bench.call.args[0] / 4 + bench.expected.length);
      pool.run!(bench.call);
      expect(Array.from(bench.output())).toEqual(Array.from(bench.expected));
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(pool.threads).toBe(1);
    expect(pool.losses).toEqual([
      expect.stringMatching(/^helper thread 1 stopped: RuntimeError: unreachable/),
      expect.stringMatching(/^helper thread 2 stopped: RuntimeError: unreachable/),
    ]);
    pool.run!(bench.call);
    expect(Array.from(bench.output())).toEqual(Array.from(bench.expected));
    await pool.dispose();
  });

  it('run a call of more items than a ticket counts (a huge input) on the calling thread, right', async () => {
    const planes = MAX_SHARED_ITEMS + 5;
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 65536, shared: true });
    const { exports: kernels, module } = await instantiateKernels(false, memory);
    const inputAt = Math.ceil(kernels.heapBase() / 64) * 64;
    const outputAt = inputAt + planes * 4;
    memory.grow(Math.ceil((outputAt + planes * 4) / 65536));
    const input = uniform(planes, 9, -1, 1);
    new Float32Array(memory.buffer, inputAt, planes).set(input);
    const pool = await ThreadPool.start({ module, memory, kernels, helpers: 1, scriptUrl: threadScriptUrl, wait: 'blocking' });
    expect(pool.threads).toBe(2);
    // A 1x1 max-pool of 1x1 planes copies its input.
    pool.run!({ kernel: 'maxPool', args: [outputAt, inputAt, planes, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0], items: planes, claim: 1 });
    expect(new Float32Array(memory.buffer, outputAt, planes).every((v, i) => v === input[i])).toBe(true);
    await pool.dispose();
  });

  it('never hang or run items twice when calls of different sizes follow each other fast (more threads than cores)', async () => {
    // A helper that read the control block while the caller published the next call once held one call's
    // item count and the other's ticket: it claimed past the end, the done count overshot and the caller
    // waited for ever (CI: "no item of winogradMultiply finished in 60 s"). Here that took under a second.
    const bench = await maxPoolBench(96, 15);
    const pool = await ThreadPool.start({ module: bench.module, memory: bench.memory, kernels: bench.kernels, helpers: 4, scriptUrl: threadScriptUrl, wait: 'blocking' });
    // The first 3 planes alone, then all 96, and so on.
    const [outputAt, inputAt, , ...shape] = bench.call.args;
    const short: KernelCall = { ...bench.call, args: [outputAt, inputAt, 3, ...shape], items: 3 };
    for (let call = 0; call < 20_000; call++) pool.run!(call % 2 ? bench.call : short);
    expect(pool.losses).toEqual([]);
    expect(Array.from(bench.output())).toEqual(Array.from(bench.expected));
    await pool.dispose();
  });

  it('run on the threads that started when a helper cannot, saying why', async () => {
    const bench = await maxPoolBench(8);
    const pool = await ThreadPool.start({
      module: bench.module, memory: bench.memory, kernels: bench.kernels, helpers: 1, scriptUrl: new URL('./no-such-thread-script.js', import.meta.url), wait: 'blocking',
    });
    expect(pool.threads).toBe(1);
    expect(pool.startProblems).toEqual([expect.stringMatching(/^helper thread 1 could not start: .*no-such-thread-script/)]);
    pool.run!(bench.call);
    expect(Array.from(bench.output())).toEqual(Array.from(bench.expected));
    await pool.dispose();
  });

  it('end every helper thread on dispose', async () => {
    // A first classifier starts what the process keeps (libuv's pool): the count after it is the baseline.
    (await createClassifier({ threads: 1 })).dispose();
    const before = osThreads();
    const classifier = await createClassifier({ threads: 4 });
    expect(osThreads()).toBeGreaterThanOrEqual(before + 3);
    await classifier.classify(IMAGE.pathname);
    classifier.dispose();
    await expect.poll(osThreads, { timeout: 10_000 }).toBe(before);
  });

  it('never keep a process alive: a script that classifies on 2 threads and forgets dispose() exits', async () => {
    // The built package, as a user's script runs it.
    const script = `import { createClassifier } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      const classifier = await createClassifier({ threads: 2 });
      await classifier.classify(${JSON.stringify(fileURLToPath(IMAGE))});
      console.log(classifier.threads);`;
    const started = performance.now();
    const { status, stdout } = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect({ status, stdout: stdout.trim() }).toEqual({ status: 0, stdout: '2' });
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('leave nothing pending after dispose(): a script that disposes exits at once, not after a stop timer (the CLI lingered 5 s)', async () => {
    const script = `import { createClassifier } from ${JSON.stringify(new URL('../dist/index.js', import.meta.url).href)};
      const classifier = await createClassifier({ threads: 2 });
      await classifier.classify(${JSON.stringify(fileURLToPath(IMAGE))});
      await classifier.dispose();
      console.log(JSON.stringify(process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout')));`;
    const { status, stdout } = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect({ status, pending: stdout.trim() }).toEqual({ status: 0, pending: '[]' });
  });

  it('stop a classify call between layers when its signal aborts', async () => {
    const spec = bvlcAlexNet();
    const classifier = await createClassifier({ weights: convertToBytes(buildOnnx(spec, heInitialized(spec, 3), BVLC_STYLE), { quantize: 'int8' }), threads: 2 });
    const image = { data: new Uint8Array(227 * 227 * 4).fill(128), width: 227, height: 227 };
    await classifier.classify(image);
    const controller = new AbortController();
    // Four images, about 35 ms at 2 threads: the abort at 5 ms comes mid-inference however fast one image runs.
    const aborted = classifier.classify([image, image, image, image], { signal: controller.signal });
    // Fires while the layers run: the inference yields to the event loop every few milliseconds.
    setTimeout(() => controller.abort(new DOMException('stop', 'AbortError')), 5);
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });
    const after = await classifier.classify(image, { topK: 1 });
    expect(after).toHaveLength(1);
    classifier.dispose();
  });

  it('reuse the shared memory of disposed classifiers: RSS stays flat over 30 create/classify/dispose cycles of the full model', async () => {
    const spec = bvlcAlexNet();
    const weights = convertToBytes(buildOnnx(spec, heInitialized(spec, 4), BVLC_STYLE), { quantize: 'int8' });
    const cycle = async () => {
      const classifier = await createClassifier({ weights, threads: 2 });
      await classifier.classify(IMAGE.pathname);
      classifier.dispose();
    };
    for (let i = 0; i < 3; i++) await cycle();
    const before = process.memoryUsage().rss;
    for (let i = 0; i < 30; i++) await cycle();
    const grown = process.memoryUsage().rss - before;
    console.log(`RSS over 30 cycles: ${(grown / 2 ** 20).toFixed(0)} MB`);
    // Each cycle holds about 90 MB of wasm memory: kept, 30 cycles would add 2.7 GB.
    expect(grown).toBeLessThan(400 * 2 ** 20);
  });
});
