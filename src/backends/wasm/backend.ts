// The WebAssembly SIMD backend: ops run at once in the instance's linear memory, on the calling thread
// alone or shared with helper threads (one shared memory, threads builds of the same kernels).
import { threadScriptUrl } from 'alexnet-web:wasm-urls';
import { AlexNetError } from '../../errors.js';
import { checkScaleCount } from '../int8-weights.js';
import type {
  Arithmetic, Backend, Conv2dShape, Conv2dWeightShape, FullyConnectedShape, FullyConnectedWeightShape, LayerWeights, LrnShape, MaxPoolShape, SoftmaxShape, StagedBytes,
} from '../backend.js';
import { describeArithmetic, int8Conv2dRefusal, int8FullyConnectedRefusal, type LayerArithmetic } from './arithmetic.js';
import { alignUp, HEAP_ALIGN, WasmHeap } from './heap.js';
import {
  directPackedWeightBytes, directScratchBytes, winogradInt8Columns, winogradInt8PackedWeightBytes, winogradInt8PairsFold, winogradInt8ScratchBytes,
  winogradPackedWeightBytes, winogradScratchBytes, type Tile,
} from './kernel-sizes.js';
import type { ThreadStarter } from './helper-worker.js';
import { instantiateKernels, type KernelBuild, type KernelExports, type KernelInstance } from './kernels.js';
import { chooseConv2dAlgorithm, spaceToDepthShape, type Conv2dAlgorithm } from './conv2d-algorithm.js';
import { recycleSharedMemory, takeSharedMemory } from './shared-memory.js';
import { planThreads, type ThreadPlan } from './thread-count.js';
import { SerialExecutor, ThreadPool, type Executor } from './thread-pool.js';
import { claimSize, multiplyBlocks, type MultiplyBlocks } from './work-split.js';
import type { KernelCall, ParallelKernel } from './work-items.js';

/** A region of linear memory. */
export interface WasmBuffer {
  offset: number;
  bytes: number;
}

/** `scales` (per output channel) with int8 arithmetic, whose weights stay integers. */
export type WasmWeights =
  | { op: 'conv2d'; algorithm: Conv2dAlgorithm; arithmetic: Arithmetic; packed: WasmBuffer; scales?: WasmBuffer; bias: WasmBuffer; buffers: WasmBuffer[] }
  | { op: 'fullyConnected'; dtype: 'I8'; arithmetic: Arithmetic; values: WasmBuffer; scales: WasmBuffer; bias: WasmBuffer; buffers: WasmBuffer[] }
  | { op: 'fullyConnected'; dtype: 'F32'; arithmetic: 'f32'; values: WasmBuffer; bias: WasmBuffer; buffers: WasmBuffer[] };

/** Linear memory the loader streams one region of the weights file into. */
interface Staging {
  /** What the heap gave, a little more than `bytes` so that the largest tensor can start aligned. */
  block: WasmBuffer;
  /** Where byte 0 of the staged bytes lies. */
  offset: number;
  bytes: number;
  /** Parts uploads took over as weights (16-byte aligned); the rest is freed at release. */
  kept: WasmBuffer[];
  released: boolean;
}

/** Staged tensors start on a cache line, so kept int8 rows load aligned. */
const STAGE_ALIGN = 64;

/** The largest buffer the kernels address: their offsets are 32-bit integers. */
const MAX_BUFFER_BYTES = 2 ** 31;

interface Started {
  instance: KernelInstance;
  executor: Executor;
  plan: ThreadPlan;
  /** Why fewer threads run than planned. */
  problems: string[];
}

/** The kernels on one thread, or on `plan.threads` sharing one memory; falls back to one thread, saying why. */
async function startKernels(allowRelaxed: boolean, plan: ThreadPlan, startThread: ThreadStarter | undefined): Promise<Started> {
  if (plan.threads > 1) {
    let memory: WebAssembly.Memory | undefined;
    let instance: KernelInstance | undefined;
    try {
      memory = takeSharedMemory();
      instance = await instantiateKernels(allowRelaxed, memory);
    } catch (error) {
      // No shared memory, or an engine that cannot compile the threads build: the one-thread build may still run.
      if (memory) recycleSharedMemory(memory);
      const reason = `1 thread: the threads build of the kernels could not start (${(error as Error).message})`;
      return startKernels(allowRelaxed, { threads: 1, wait: 'blocking', reason }, undefined);
    }
    // A caller that only waits (a page's main thread) leaves every item to helpers.
    const helpers = plan.wait === 'blocking' ? plan.threads - 1 : plan.threads;
    const pool = await ThreadPool.start({ module: instance.module, memory, kernels: instance.exports, helpers, scriptUrl: threadScriptUrl, wait: plan.wait, startThread });
    return { instance, executor: pool, plan, problems: pool.startProblems };
  }
  const instance = await instantiateKernels(allowRelaxed);
  return { instance, executor: new SerialExecutor(instance.exports), plan, problems: [] };
}

export class WasmBackend implements Backend<WasmBuffer, WasmWeights> {
  readonly name = 'wasm' as const;
  readonly build: KernelBuild;
  readonly buildReason: string;
  /** Whether int8 layers use the relaxed i8 dot product (it passed the self-test). */
  private readonly relaxedDot: boolean;
  private readonly kernels: KernelExports;
  private readonly heap: WasmHeap;
  private readonly executor: Executor;
  private readonly plan: ThreadPlan;
  private readonly startProblems: string[];
  private readonly askedArithmetic: Arithmetic;
  /** Each uploaded layer's arithmetic, by name, for backendReason. */
  private readonly layerArithmetic = new Map<string, LayerArithmetic>();
  /** Register tile of the kernels' GEMM: MR output channels by NR pixels. */
  private readonly tile: Tile;
  /** Output rows of a fully connected item, f32 weights and int8 arithmetic (assembly/fully-connected.ts). */
  private readonly fullyConnectedRows: { f32: number; w8a8: number };
  private scratch: WasmBuffer | undefined;
  private staging: Staging | undefined;
  private disposed = false;
  /**
   * Where the calling thread may not block (executor.runAsync), ops queue here as a GPU's would:
   * read(), whenIdle() and frees of memory they use wait for it.
   */
  private queue: Promise<void> | undefined;
  /** Set by dispose(): resolves once the helper threads have ended. */
  private ended: Promise<void> | undefined;

  private constructor({ instance, executor, plan, problems }: Started, arithmetic: Arithmetic) {
    this.askedArithmetic = arithmetic;
    this.kernels = instance.exports;
    this.build = instance.build;
    this.buildReason = instance.reason;
    this.relaxedDot = instance.relaxedDot;
    this.executor = executor;
    this.plan = plan;
    this.startProblems = problems;
    const globals = instance.exports as unknown as Record<'MR' | 'NR' | 'F32_ROWS_PER_ITEM' | 'W8A8_ROWS_PER_ITEM', WebAssembly.Global>;
    this.tile = { MR: globals.MR.value as number, NR: globals.NR.value as number };
    this.fullyConnectedRows = { f32: globals.F32_ROWS_PER_ITEM.value as number, w8a8: globals.W8A8_ROWS_PER_ITEM.value as number };
    this.heap = new WasmHeap(this.kernels.memory, this.kernels.heapBase());
  }

  /**
   * `relaxedSimd: false` forces the baseline SIMD build even where relaxed SIMD works; `threads`: how
   * many threads (default: every core, see thread-count.ts), 1 where threads cannot run here;
   * `startThread`: where helper threads start (default: in this context); `arithmetic`: 'int8' (default)
   * multiplies 8-bit integers in the layers that have int8 weights and can, 'f32' widens them to floats.
   */
  static async create(
    options: { relaxedSimd?: boolean; threads?: number; startThread?: ThreadStarter; arithmetic?: Arithmetic } = {},
  ): Promise<WasmBackend> {
    const plan = await planThreads(options.threads);
    return new WasmBackend(await startKernels(options.relaxedSimd ?? true, plan, options.startThread), options.arithmetic ?? 'int8');
  }

  /** The arithmetic the uploaded layers run, and why: a backendReason line. */
  get arithmetic(): { name: Arithmetic; reason: string } {
    return describeArithmetic(this.askedArithmetic, this.relaxedDot, [...this.layerArithmetic.values()]);
  }

  /** Records an upload's arithmetic; `why` is set where int8 was asked for and f32 runs. */
  private noteArithmetic(name: string | undefined, why: string | undefined): Arithmetic {
    const arithmetic = this.askedArithmetic === 'int8' && why === undefined ? 'int8' : 'f32';
    const key = name ?? `layer ${this.layerArithmetic.size + 1}`;
    this.layerArithmetic.set(key, { name: key, arithmetic, why: this.askedArithmetic === 'int8' ? why : undefined });
    return arithmetic;
  }

  /** Threads running the kernels now, and why: a backendReason line ("wasm: 2 threads (...)"). */
  get threads(): { count: number; reason: string } {
    const count = this.executor.threads;
    const problems = [...this.startProblems, ...(this.executor instanceof ThreadPool ? this.executor.losses : [])];
    if (problems.length === 0) return { count, reason: `wasm: ${this.plan.reason}` };
    return { count, reason: `wasm: ${count} of ${this.plan.threads} threads: ${problems.join('; ')}` };
  }

  /** Room for a region of the weights file in linear memory: uploads read its tensors in place and keep fully connected weights where they lie. */
  stage(bytes: number, alignAt: number): StagedBytes {
    const block = this.allocateBytes(bytes + STAGE_ALIGN);
    const offset = block.offset + ((STAGE_ALIGN - ((block.offset + alignAt) % STAGE_ALIGN)) % STAGE_ALIGN);
    const staging: Staging = { block, offset, bytes, kept: [], released: false };
    this.staging = staging;
    return {
      write: (chunk, at) => {
        this.checkAlive();
        new Uint8Array(this.kernels.memory.buffer, offset + at, chunk.byteLength).set(chunk);
      },
      view: () => new Uint8Array(this.kernels.memory.buffer, offset, bytes),
      release: () => this.unstage(staging),
    };
  }

  uploadConv2d(weights: LayerWeights, shape: Conv2dWeightShape): WasmWeights {
    const { weight } = weights;
    const { K, C, R, S, G, strideH, strideW } = shape;
    if (weight.dtype === 'I8') checkScaleCount(weight, K, 'conv2d');
    // Before anything allocates: growing memory detaches views into it.
    const { stagedValues, stagedScales, stagedBias } = this.stagedParts(weights);
    const algorithm = chooseConv2dAlgorithm(shape);
    const arithmetic = this.noteArithmetic(shape.name, int8Conv2dRefusal(weight.dtype, shape, algorithm));
    const k = this.kernels;
    const folded = algorithm === 'space-to-depth' ? spaceToDepthShape(shape) : shape;
    const packedBytes =
      arithmetic === 'int8' ? winogradInt8PackedWeightBytes(folded, this.tile)
      : algorithm === 'direct' ? directPackedWeightBytes(shape, this.tile)
      : winogradPackedWeightBytes(folded, this.tile);
    const packed = this.allocateBytes(packedBytes);
    // The file's values are read where they lie in linear memory (copied in first if they are not
    // there); the kernels pack (and dequantize, for f32 arithmetic) them.
    const temporary: WasmBuffer[] = [];
    const owned: WasmBuffer[] = [packed];
    const inMemory = (data: Float32Array | Int8Array, staged: WasmBuffer | undefined): WasmBuffer => {
      if (staged) return staged;
      const copy = this.copyIn(data);
      temporary.push(copy);
      return copy;
    };
    try {
      const source = inMemory(weight.values, stagedValues);
      let scales: WasmBuffer | undefined;
      if (weight.dtype === 'I8' && arithmetic === 'int8') {
        const [foldH, foldW] = algorithm === 'space-to-depth' ? [strideH, strideW] : [1, 1];
        k.winogradInt8PackWeights(packed.offset, source.offset, K, C, R, S, G, foldH, foldW);
        scales = this.own(weight.scales, stagedScales);
        owned.push(scales);
      } else {
        const scalesOffset = weight.dtype === 'I8' ? inMemory(weight.scales, stagedScales).offset : 0;
        if (algorithm === 'direct') k.conv2dPackWeights(packed.offset, source.offset, scalesOffset, K, C, R, S, G);
        else if (algorithm === 'winograd') k.winogradPackWeights(packed.offset, source.offset, scalesOffset, K, C, R, S, G, 1, 1);
        else k.winogradPackWeights(packed.offset, source.offset, scalesOffset, K, C, R, S, G, strideH, strideW);
      }
      const bias = this.own(weights.bias, stagedBias);
      owned.push(bias);
      return { op: 'conv2d', algorithm, arithmetic, packed, scales, bias, buffers: owned };
    } catch (error) {
      for (const buffer of owned) this.release(buffer);
      throw error;
    } finally {
      for (const buffer of temporary) this.release(buffer);
    }
  }

  uploadFullyConnected(weights: LayerWeights, shape: FullyConnectedWeightShape): WasmWeights {
    const { weight } = weights;
    // Before anything allocates: growing memory detaches views into it.
    const { stagedValues, stagedScales, stagedBias } = this.stagedParts(weights);
    const arithmetic = this.noteArithmetic(shape.name, int8FullyConnectedRefusal(weight.dtype, shape));
    const owned: WasmBuffer[] = [];
    try {
      const values = this.keep(weight.values, stagedValues);
      owned.push(values);
      const bias = this.own(weights.bias, stagedBias);
      owned.push(bias);
      if (weight.dtype === 'F32') return { op: 'fullyConnected', dtype: 'F32', arithmetic: 'f32', values, bias, buffers: owned };
      const scales = this.own(weight.scales, stagedScales);
      owned.push(scales);
      return { op: 'fullyConnected', dtype: 'I8', arithmetic, values, scales, bias, buffers: owned };
    } catch (error) {
      for (const buffer of owned) this.release(buffer);
      throw error;
    }
  }

  allocate(elements: number): WasmBuffer {
    return this.allocateBytes(elements * 4);
  }

  write(tensor: WasmBuffer, data: Float32Array): void {
    this.checkAlive();
    if (data.byteLength > tensor.bytes) throw new AlexNetError('INVALID_ARGUMENT', `${data.length} values do not fit a tensor of ${tensor.bytes / 4}.`);
    this.afterQueued(() => new Float32Array(this.kernels.memory.buffer, tensor.offset, data.length).set(data));
  }

  async firstNonFinite(tensor: WasmBuffer, elements: number): Promise<number> {
    await this.idleAndAlive();
    return this.kernels.firstNonFinite(tensor.offset, elements);
  }

  async read(tensor: WasmBuffer, elements: number): Promise<Float32Array> {
    await this.idleAndAlive();
    return new Float32Array(this.kernels.memory.buffer, tensor.offset, elements).slice();
  }

  /** Waits for the queued ops before memory is read; throws where the backend was disposed before or meanwhile. */
  private async idleAndAlive(): Promise<void> {
    this.checkAlive();
    await this.whenIdle();
    // A disposed backend's shared memory may already serve another one.
    this.checkAlive();
  }

  /** Resolves once every queued op has run; rejects with the first failure among them (the queue then starts afresh). */
  async whenIdle(): Promise<void> {
    const queue = this.queue;
    if (!queue) return;
    try {
      await queue;
    } finally {
      if (this.queue === queue) this.queue = undefined;
    }
  }

  /** Runs `work` now, or after the queued ops where they run asynchronously (also after one failed). */
  private afterQueued(work: () => void): void {
    if (!this.queue) work();
    else {
      this.queue = this.queue.then(work, (error: unknown) => {
        work();
        throw error;
      });
    }
  }

  conv2d(out: WasmBuffer, input: WasmBuffer, weights: WasmWeights, s: Conv2dShape): void {
    if (weights.op !== 'conv2d') throw new AlexNetError('INVALID_ARGUMENT', 'conv2d needs weights uploaded with uploadConv2d.');
    const scratch = this.scratchOf(this.conv2dScratchBytes(weights.algorithm, weights.arithmetic, s)).offset;
    // A strided convolution Winograd runs becomes a stride-1 one over the folded input, at the start of the scratch.
    const folded = weights.algorithm === 'space-to-depth' ? this.spaceToDepth(input, s, scratch) : undefined;
    const shape = folded?.shape ?? s;
    const source = folded?.input ?? input.offset;
    const free = folded ? scratch + alignUp(this.foldedInputBytes(s)) : scratch;
    if (weights.arithmetic === 'int8') {
      this.conv2dInt8(out.offset, source, weights, shape, free);
      return;
    }
    for (let n = 0; n < s.N; n++) {
      const image = source + n * shape.C * shape.H * shape.W * 4;
      const imageOut = out.offset + n * s.K * s.OH * s.OW * 4;
      if (weights.algorithm === 'direct') this.directImage(imageOut, image, weights, shape, free);
      else this.winogradImage(imageOut, image, weights, shape, free);
    }
  }

  /**
   * Int8 arithmetic (assembly/winograd-int8.ts): the maxima of the input's planes first (each image's
   * quantization step), then per image the input quantized and transformed in one pass, and the integer GEMMs.
   */
  private conv2dInt8(out: number, input: number, weights: WasmWeights & { op: 'conv2d' }, s: Conv2dShape, scratch: number): void {
    const { N, C, H, W, K, R, S, G, OH, OW } = s;
    const maxima = scratch;
    const working = scratch + alignUp(N * C * 4);
    this.runItems('planeMaxima', [maxima, input, N * C, H * W], N * C);
    // Two channels an item where the pairs of depth indices allow, else a group.
    const transformItems = G * (winogradInt8PairsFold(s) ? Math.ceil(C / G / 2) : 1);
    const blocks = this.gemmBlocks(s, winogradInt8Columns(s, this.tile) / this.tile.NR);
    for (let n = 0; n < N; n++) {
      const image = input + n * C * H * W * 4;
      const imageMaxima = maxima + n * C * 4;
      this.runItems('winogradInt8QuantizeTransform', [working, image, imageMaxima, C, H, W, R, S, G, s.padTop, s.padLeft, OH, OW], transformItems);
      const args = [
        out + n * K * OH * OW * 4, working, weights.packed.offset, weights.scales!.offset, imageMaxima, weights.bias.offset,
        C, K, R, S, G, OH, OW, s.relu ? 1 : 0, blocks.mBlock, blocks.nBlock,
      ];
      this.runMultiply('winogradInt8Multiply', args, blocks);
    }
  }

  /** One image of a convolution as im2col panels and a GEMM (assembly/conv2d.ts). */
  private directImage(out: number, input: number, weights: WasmWeights & { op: 'conv2d' }, s: Conv2dShape, scratch: number): void {
    const { C, H, W, K, R, S, G, OH, OW } = s;
    const nTiles = Math.ceil((OH * OW) / this.tile.NR);
    this.runItems('conv2dPack', [scratch, input, C, H, W, R, S, G, s.strideH, s.strideW, s.padTop, s.padLeft, OH, OW], G * nTiles);
    const blocks = this.gemmBlocks(s, nTiles);
    this.runMultiply('conv2dMultiply', [out, scratch, weights.packed.offset, weights.bias.offset, C, K, R, S, G, OH, OW, s.relu ? 1 : 0, blocks.mBlock, blocks.nBlock], blocks);
  }

  /** One image of a stride-1 convolution with Winograd's F(2x2, 3x3) (assembly/winograd.ts); pads as given. */
  private winogradImage(out: number, input: number, weights: WasmWeights & { op: 'conv2d' }, s: Conv2dShape, scratch: number): void {
    const { C, H, W, K, R, S, G, OH, OW } = s;
    const { depth, blocks } = this.winogradWork(s);
    this.runItems('winogradTransformInput', [scratch, input, C, H, W, R, S, G, s.padTop, s.padLeft, OH, OW], G * depth);
    this.runMultiply('winogradMultiply', [out, scratch, weights.packed.offset, weights.bias.offset, C, K, R, S, G, OH, OW, s.relu ? 1 : 0, blocks.mBlock, blocks.nBlock], blocks);
  }

  /** An f32 Winograd convolution's depth (channels x 3x3 kernel blocks) and how its multiply pass is cut for the threads. */
  private winogradWork(s: Conv2dShape): { depth: number; blocks: MultiplyBlocks } {
    const depth = (s.C / s.G) * Math.ceil(s.R / 3) * Math.ceil(s.S / 3);
    return { depth, blocks: this.gemmBlocks(s, Math.ceil((Math.ceil(s.OH / 2) * Math.ceil(s.OW / 2)) / this.tile.NR)) };
  }

  /** How a convolution's multiply pass over `nTiles` panels is cut for the threads. */
  private gemmBlocks({ K, G }: Conv2dShape, nTiles: number): MultiplyBlocks {
    return multiplyBlocks(Math.ceil(K / G / this.tile.MR), nTiles, G, this.executor.threads);
  }

  /** A multiply pass, cut as `blocks` says; a claim of several items runs as one block (assembly/conv2d.ts locateRun). */
  private runMultiply(kernel: ParallelKernel, args: number[], blocks: MultiplyBlocks): void {
    this.runItems(kernel, args, blocks.items, blocks.claim, true);
  }

  /** Runs `kernel(...args, first, end)` over `items`, shared among the threads (`claim` items at a time; KernelCall.shares). */
  private runItems(kernel: ParallelKernel, args: number[], items: number, claim = claimSize(items, this.executor.threads), shares = false): void {
    this.checkAlive();
    const call: KernelCall = { kernel, args, items, claim, shares };
    const { run, runAsync } = this.executor;
    if (run) run.call(this.executor, call);
    else this.queue = (this.queue ?? Promise.resolve()).then(() => runAsync!.call(this.executor, call));
  }

  /**
   * Working memory of one convolution: the folded input (space-to-depth), then the kernels' own for one
   * image (int8 arithmetic: after the maxima of every input plane).
   */
  private conv2dScratchBytes(algorithm: Conv2dAlgorithm, arithmetic: Arithmetic, s: Conv2dShape): number {
    const folded = algorithm === 'space-to-depth' ? { ...spaceToDepthShape(s), OH: s.OH, OW: s.OW } : s;
    const foldedInput = algorithm === 'space-to-depth' ? alignUp(this.foldedInputBytes(s)) : 0;
    if (arithmetic === 'int8') return foldedInput + alignUp(s.N * folded.C * 4) + winogradInt8ScratchBytes(folded, this.tile);
    if (algorithm === 'direct') return directScratchBytes(s, this.tile);
    return foldedInput + winogradScratchBytes(folded, this.tile);
  }

  private foldedInputBytes(s: Conv2dShape): number {
    const folded = spaceToDepthShape(s);
    return s.N * folded.C * (s.OH + folded.R - 1) * (s.OW + folded.S - 1) * 4;
  }

  /** The shared conv scratch: the largest of `convolutions`' needs. */
  workingBytes(convolutions: Conv2dShape[]): number {
    // Before the weights say which arithmetic each layer runs: room for either where int8 could run.
    return convolutions.reduce((largest, s) => {
      const algorithm = chooseConv2dAlgorithm(s);
      const int8Possible = this.askedArithmetic === 'int8' && int8Conv2dRefusal('I8', s, algorithm) === undefined;
      const f32 = this.conv2dScratchBytes(algorithm, 'f32', s);
      return Math.max(largest, f32, int8Possible ? this.conv2dScratchBytes(algorithm, 'int8', s) : 0);
    }, 0);
  }

  /** Sizes the shared conv scratch for the largest of `convolutions`; touches it and `tensors`. */
  prepare(convolutions: Conv2dShape[], tensors: WasmBuffer[]): void {
    const bytes = this.workingBytes(convolutions);
    const touched = bytes > 0 ? [...tensors, this.scratchOf(bytes)] : tensors;
    // Fresh pages fault on first write: here, while the weights download, not in the first inference.
    for (const { offset, bytes: length } of touched) new Uint8Array(this.kernels.memory.buffer, offset, length).fill(0);
  }

  /**
   * A strided convolution as a stride-1 one without padding: the input folded by space-to-depth into
   * `at` (its zeros are the padding), and the shape to run on it.
   */
  private spaceToDepth(input: WasmBuffer, s: Conv2dShape, at: number): { input: number; shape: Conv2dShape } {
    const folded = spaceToDepthShape(s);
    const H = s.OH + folded.R - 1;
    const W = s.OW + folded.S - 1;
    this.runItems('spaceToDepth', [at, input.offset, s.N, s.C, s.H, s.W, s.strideH, s.strideW, s.padTop, s.padLeft, H, W], s.N * s.C * s.strideH * s.strideW);
    return { input: at, shape: { ...s, C: folded.C, H, W, R: folded.R, S: folded.S, strideH: 1, strideW: 1, padTop: 0, padLeft: 0 } };
  }

  maxPool(out: WasmBuffer, input: WasmBuffer, s: MaxPoolShape): void {
    const planes = s.N * s.C;
    this.runItems('maxPool', [out.offset, input.offset, planes, s.H, s.W, s.OH, s.OW, s.kernelH, s.kernelW, s.strideH, s.strideW, s.padTop, s.padLeft], planes);
  }

  lrn(out: WasmBuffer, input: WasmBuffer, s: LrnShape): void {
    this.runItems('lrn', [out.offset, input.offset, s.N, s.C, s.H * s.W, s.size, s.alpha, s.beta, s.k], s.N * s.C);
  }

  fullyConnected(out: WasmBuffer, input: WasmBuffer, weights: WasmWeights, s: FullyConnectedShape): void {
    if (weights.op !== 'fullyConnected') throw new AlexNetError('INVALID_ARGUMENT', 'fullyConnected needs weights uploaded with uploadFullyConnected.');
    const relu = s.relu ? 1 : 0;
    // Items are the rows the kernel reads side by side.
    const rowPairs = Math.ceil(s.O / 2);
    if (weights.dtype === 'F32') {
      const args = [out.offset, input.offset, weights.values.offset, weights.bias.offset, s.N, s.I, s.O, relu];
      this.runItems('fullyConnectedF32', args, Math.ceil(s.O / this.fullyConnectedRows.f32));
    } else if (weights.arithmetic === 'f32') {
      const args = [out.offset, input.offset, weights.values.offset, weights.scales.offset, weights.bias.offset, s.N, s.I, s.O, relu];
      this.runItems('fullyConnectedInt8', args, rowPairs);
    } else {
      // Each image's row of inputs becomes bytes in [0, 127] with its own step, in the scratch.
      const stride = Math.ceil(s.I / 16) * 16;
      const quantized = this.scratchOf(alignUp(s.N * stride) + s.N * 4).offset;
      const steps = quantized + alignUp(s.N * stride);
      this.runItems('quantizeRows', [quantized, steps, input.offset, s.N, s.I, stride], s.N);
      const args = [out.offset, quantized, steps, weights.values.offset, weights.scales.offset, weights.bias.offset, s.N, s.I, s.O, stride, relu];
      this.runItems(this.relaxedDot ? 'fullyConnectedW8A8' : 'fullyConnectedW8A8Widened', args, Math.ceil(s.O / this.fullyConnectedRows.w8a8));
    }
  }

  softmax(out: WasmBuffer, input: WasmBuffer, s: SoftmaxShape): void {
    this.runItems('softmax', [out.offset, input.offset, s.N, s.D], s.N);
  }

  release(handle: WasmBuffer | WasmWeights): void {
    const buffers = 'buffers' in handle ? handle.buffers : [handle];
    // Queued ops may still read them.
    this.afterQueued(() => {
      for (const buffer of buffers) this.heap.release(buffer.offset, buffer.bytes);
    });
  }

  /** Resolves once every helper thread has ended (its memory then serves the next backend). */
  dispose(): Promise<void> {
    if (this.disposed) return this.ended!;
    this.disposed = true;
    this.scratch = undefined;
    const { memory } = this.kernels;
    const shared = this.executor instanceof ThreadPool;
    this.ended = this.executor.dispose().then(() => {
      if (shared) recycleSharedMemory(memory);
    });
    return this.ended;
  }

  private checkAlive(): void {
    if (this.disposed) throw new AlexNetError('DISPOSED', 'This backend was disposed; create a new classifier.');
  }

  private allocateBytes(bytes: number): WasmBuffer {
    this.checkAlive();
    if (!(bytes <= MAX_BUFFER_BYTES)) {
      throw new AlexNetError('OUT_OF_MEMORY', `A buffer of ${bytes} bytes was needed; the WebAssembly engine addresses at most ${MAX_BUFFER_BYTES} (2 GiB) in one. Use a smaller input, batch or network.`);
    }
    return { offset: this.heap.allocate(bytes), bytes };
  }

  /** Where each of a layer's tensors lies in the staged bytes, for those that are views into them. */
  private stagedParts({ weight, bias }: LayerWeights): Record<'stagedValues' | 'stagedScales' | 'stagedBias', WasmBuffer | undefined> {
    return {
      stagedValues: this.stagedPart(weight.values),
      stagedScales: weight.dtype === 'I8' ? this.stagedPart(weight.scales) : undefined,
      stagedBias: this.stagedPart(bias),
    };
  }

  /** Where `data` lies in the staged bytes, if it is a view into them. */
  private stagedPart(data: Float32Array | Int8Array): WasmBuffer | undefined {
    const staging = this.staging;
    if (!staging || data.buffer !== this.kernels.memory.buffer) return undefined;
    const { byteOffset: offset, byteLength: bytes } = data;
    return offset >= staging.offset && offset + bytes <= staging.offset + staging.bytes ? { offset, bytes } : undefined;
  }

  /** A copy of `data`, or of its staged bytes, that the caller owns. */
  private own(data: Float32Array | Int8Array, staged: WasmBuffer | undefined): WasmBuffer {
    if (!staged) return this.copyIn(data);
    const buffer = this.allocateBytes(staged.bytes);
    new Uint8Array(this.kernels.memory.buffer).copyWithin(buffer.offset, staged.offset, staged.offset + staged.bytes);
    return buffer;
  }

  /** Staged bytes taken over where they lie (no copy) when they start aligned, else `own`. */
  private keep(data: Float32Array | Int8Array, staged: WasmBuffer | undefined): WasmBuffer {
    if (!staged || staged.offset % HEAP_ALIGN !== 0) return this.own(data, staged);
    this.staging!.kept.push(staged);
    return staged;
  }

  /** Frees the staged block but for the parts that were kept. */
  private unstage(staging: Staging): void {
    if (staging.released) return;
    staging.released = true;
    if (this.staging === staging) this.staging = undefined;
    if (this.disposed) return;
    const end = staging.block.offset + alignUp(staging.block.bytes);
    let from = staging.block.offset;
    for (const kept of [...staging.kept].sort((a, b) => a.offset - b.offset)) {
      if (kept.offset > from) this.heap.release(from, kept.offset - from);
      from = kept.offset + alignUp(kept.bytes);
    }
    if (end > from) this.heap.release(from, end - from);
  }

  private copyIn(data: Float32Array | Int8Array): WasmBuffer {
    const buffer = this.allocateBytes(data.byteLength);
    new Uint8Array(this.kernels.memory.buffer, buffer.offset, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return buffer;
  }

  // One scratch region serves every conv2d: it only grows, to the largest layer's need.
  private scratchOf(bytes: number): WasmBuffer {
    if (!this.scratch || this.scratch.bytes < bytes) {
      if (this.scratch) this.release(this.scratch);
      this.scratch = this.allocateBytes(bytes);
    }
    return this.scratch;
  }
}
