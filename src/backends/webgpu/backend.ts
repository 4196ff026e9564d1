// The WebGPU backend: ops are recorded into one command encoder and submitted together when a
// result is read, so a whole inference is one submit and one readback.
import { AlexNetError } from '../../errors.js';
import type {
  Backend, Conv2dShape, Conv2dWeightShape, FullyConnectedShape, FullyConnectedWeightShape, LayerWeights, LrnShape, MaxPoolShape, SoftmaxShape,
} from '../backend.js';
import { adapterFacts, describeAdapter } from './adapter-facts.js';
import { CONV2D_PROGRAM, conv2dWeightsAsFloat, packConv2dWeightsForGpu } from './conv2d.js';
import {
  defaultInt8Unpack, FULLY_CONNECTED_F32_PROGRAM, FULLY_CONNECTED_INT8_PROGRAM, FULLY_CONNECTED_INT8_UNPACK_PROGRAM, packInt8Rows, type Int8Unpack,
} from './fully-connected.js';
import { LRN_PROGRAM } from './lrn.js';
import { MAX_POOL_PROGRAM } from './max-pool.js';
import { bindingOf, type GpuProgram } from './program.js';
import { SOFTMAX_PROGRAM } from './softmax.js';
import { packUniform } from './uniforms.js';

export interface GpuTensor {
  buffer: GPUBuffer;
  elements: number;
}

export type GpuWeights =
  | { op: 'conv2d'; weights: GPUBuffer; bias: GPUBuffer }
  | { op: 'fullyConnected'; dtype: 'I8'; weights: GPUBuffer; scales: GPUBuffer; bias: GPUBuffer }
  | { op: 'fullyConnected'; dtype: 'F32'; weights: GPUBuffer; bias: GPUBuffer };

/** Any op's program (program.ts): a pipeline is compiled once per program at create(). */
type AnyProgram = GpuProgram<never>;

/** Uniform buffers kept for shapes seen before; past this many distinct ones, the oldest are let go. */
const KEPT_UNIFORMS = 256;

const STORAGE = 0x80 | 0x08 | 0x04; // GPUBufferUsage.STORAGE | COPY_DST | COPY_SRC, as numbers: Node has no GPUBufferUsage.
const READBACK = 0x01 | 0x08; // MAP_READ | COPY_DST
const QUERY_RESOLVE = 0x200 | 0x04; // QUERY_RESOLVE | COPY_SRC
/** Ops one profiled run can time: two timestamps each. AlexNet records 13. */
const TIMED_OPS = 128;

export class WebGpuBackend implements Backend<GpuTensor, GpuWeights> {
  readonly name = 'webgpu' as const;
  private encoder: GPUCommandEncoder | undefined;
  /**
   * A uniform buffer per program and shape, made the first time a layer runs and used by every later
   * inference (the shapes of a network's layers do not change between calls).
   */
  private readonly uniforms = new Map<string, GPUBuffer>();
  /** Uniform buffers let go while recorded work may still read them: destroyed at the next submit. */
  private retiredUniforms: GPUBuffer[] = [];
  private disposed = false;
  private deviceLost: false | 'device-lost' | 'out-of-memory' = false;
  /** While profiling: where each compute pass writes its start and end times. */
  private timing: { querySet: GPUQuerySet; ops: number } | undefined;
  private querySet: GPUQuerySet | undefined;
  /** Error scopes popped but not looked at yet: allocations (out of memory) and submitted work (also validation). */
  private scopeErrors: Promise<GPUError | null>[] = [];

  private constructor(
    readonly device: GPUDevice, readonly adapterDescription: string, readonly int8Unpack: Int8Unpack,
    private readonly pipelines: Map<AnyProgram, GPUComputePipeline>, private readonly fullyConnectedInt8: AnyProgram,
  ) {
    void device.lost.then(() => {
      this.deviceLost ||= 'device-lost';
    });
  }

  /** The device is gone (driver reset, destroyed) or ran out of memory: the classifier moves elsewhere. */
  get lost(): false | 'device-lost' | 'out-of-memory' {
    return this.deviceLost;
  }

  /**
   * A device with the adapter's full storage limits, and every pipeline compiled (in parallel).
   * `int8Unpack` overrides how the int8 fully connected kernel unpacks its weights (tests use 'shifts').
   */
  static async create(adapter: GPUAdapter, options: { int8Unpack?: Int8Unpack } = {}): Promise<WebGpuBackend> {
    const int8Unpack = options.int8Unpack ?? defaultInt8Unpack();
    const { limits } = adapter;
    const device = await adapter.requestDevice({
      requiredLimits: { maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize, maxBufferSize: limits.maxBufferSize },
      // Only profile() writes timestamps; having the feature costs nothing otherwise.
      requiredFeatures: adapter.features.has('timestamp-query') ? ['timestamp-query'] : [],
    });
    const description = describeAdapter(adapterFacts(adapter));
    try {
      const fullyConnectedInt8 = int8Unpack === 'unpack4xI8' ? FULLY_CONNECTED_INT8_UNPACK_PROGRAM : FULLY_CONNECTED_INT8_PROGRAM;
      const programs: AnyProgram[] = [CONV2D_PROGRAM, MAX_POOL_PROGRAM, LRN_PROGRAM, fullyConnectedInt8, FULLY_CONNECTED_F32_PROGRAM, SOFTMAX_PROGRAM];
      const pipelines = await Promise.all(programs.map(async (program) => {
        const module = device.createShaderModule({ code: program.source, label: program.name });
        const compute = { module, entryPoint: program.entryPoint, constants: { ...program.constants } };
        return [program, await device.createComputePipelineAsync({ layout: 'auto', compute, label: program.name })] as const;
      }));
      return new WebGpuBackend(device, description, int8Unpack, new Map(pipelines), fullyConnectedInt8);
    } catch (error) {
      device.destroy();
      throw error;
    }
  }

  private buffer(bytes: number, label?: string): GPUBuffer {
    const limit = this.device.limits.maxStorageBufferBindingSize;
    if (bytes > limit) {
      throw new AlexNetError('OUT_OF_MEMORY', `${label ?? 'A tensor'} needs ${bytes} bytes but this GPU binds at most ${limit}; use an int8 weights file (alexnet-web convert --quantize int8) or the wasm backend.`);
    }
    this.device.pushErrorScope('out-of-memory');
    const buffer = this.device.createBuffer({ size: Math.max(16, Math.ceil(bytes / 4) * 4), usage: STORAGE, label });
    this.scopeErrors.push(this.popErrorScope());
    return buffer;
  }

  // A lost device answers null; an unbalanced pop would be our bug, not the device's.
  private popErrorScope(): Promise<GPUError | null> {
    return this.device.popErrorScope().catch(() => null);
  }

  async settle(): Promise<void> {
    this.submit();
    const errors = (await Promise.all(this.scopeErrors.splice(0))).filter((error): error is GPUError => error !== null);
    if (errors.length === 0) return;
    const outOfMemory = errors.find((error) => error.constructor.name === 'GPUOutOfMemoryError');
    if (outOfMemory) {
      // Nothing on this device can be trusted to have been allocated: treat it as lost.
      this.deviceLost = 'out-of-memory';
      throw new AlexNetError('OUT_OF_MEMORY', `The GPU ran out of memory (${outOfMemory.message || 'no details'}); close other GPU work, use an int8 weights file or the wasm backend.`);
    }
    throw new AlexNetError('BACKEND_FAILED', `The GPU rejected a command: ${errors[0].message}`);
  }

  private upload(data: ArrayBufferView, label: string): GPUBuffer {
    const buffer = this.buffer(data.byteLength, label);
    this.device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    return buffer;
  }

  uploadConv2d(weights: LayerWeights, shape: Conv2dWeightShape): GpuWeights {
    this.checkAlive();
    const packed = packConv2dWeightsForGpu(conv2dWeightsAsFloat(weights, shape.K), shape);
    return { op: 'conv2d', weights: this.upload(packed, 'conv2d weights'), bias: this.upload(weights.bias, 'conv2d bias') };
  }

  uploadFullyConnected(weights: LayerWeights, shape: FullyConnectedWeightShape): GpuWeights {
    this.checkAlive();
    const bias = this.upload(weights.bias, 'fullyConnected bias');
    const { weight } = weights;
    if (weight.dtype === 'I8') {
      return { op: 'fullyConnected', dtype: 'I8', weights: this.upload(packInt8Rows(weight.values, shape.O, shape.I), 'fullyConnected int8 weights'), scales: this.upload(weight.scales, 'fullyConnected scales'), bias };
    }
    return { op: 'fullyConnected', dtype: 'F32', weights: this.upload(weight.values, 'fullyConnected weights'), bias };
  }

  allocate(elements: number): GpuTensor {
    this.checkAlive();
    return { buffer: this.buffer(elements * 4, 'activation'), elements };
  }

  write(tensor: GpuTensor, data: Float32Array): void {
    if (data.length > tensor.elements) throw new AlexNetError('INVALID_ARGUMENT', `${data.length} values do not fit a tensor of ${tensor.elements}.`);
    // Ops recorded earlier must read the old contents: submit them first.
    this.submit();
    this.device.queue.writeBuffer(tensor.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  }

  async read(tensor: GpuTensor, elements: number): Promise<Float32Array> {
    this.checkAlive();
    try {
      return new Float32Array(await this.readBack(tensor.buffer, elements * 4));
    } catch (error) {
      if (error instanceof AlexNetError) throw error;
      // What the device reported for this inference belongs to it, not to the next one.
      await this.settle().catch(() => undefined);
      // A lost device fails the map first and resolves device.lost a moment later: wait for it, so callers can tell.
      await Promise.race([this.device.lost, new Promise((resolve) => setTimeout(resolve, 200))]);
      throw new AlexNetError('BACKEND_FAILED', `Reading a result back from the GPU failed${this.deviceLost ? ' (the device was lost)' : ''}: ${(error as Error).message}.`, { cause: error });
    }
  }

  /** The first `bytes` of `buffer` once every op recorded so far has run, then what the device reported (settle). */
  private async readBack(buffer: GPUBuffer, bytes: number): Promise<ArrayBuffer> {
    const staging = this.device.createBuffer({ size: bytes, usage: READBACK, label: 'readback' });
    this.commands().copyBufferToBuffer(buffer, 0, staging, 0, bytes);
    this.submit();
    try {
      await staging.mapAsync(0x01); // GPUMapMode.READ
      const copy = staging.getMappedRange().slice(0);
      await this.settle();
      return copy;
    } finally {
      staging.destroy();
    }
  }

  conv2d(out: GpuTensor, input: GpuTensor, weights: GpuWeights, s: Conv2dShape): void {
    if (weights.op !== 'conv2d') throw new AlexNetError('INVALID_ARGUMENT', 'conv2d needs weights uploaded with uploadConv2d.');
    this.record(CONV2D_PROGRAM, s, { input: input.buffer, weights: weights.weights, bias: weights.bias, output: out.buffer });
  }

  maxPool(out: GpuTensor, input: GpuTensor, s: MaxPoolShape): void {
    this.record(MAX_POOL_PROGRAM, s, { input: input.buffer, output: out.buffer });
  }

  lrn(out: GpuTensor, input: GpuTensor, s: LrnShape): void {
    this.record(LRN_PROGRAM, s, { input: input.buffer, output: out.buffer });
  }

  fullyConnected(out: GpuTensor, input: GpuTensor, weights: GpuWeights, s: FullyConnectedShape): void {
    if (weights.op !== 'fullyConnected') throw new AlexNetError('INVALID_ARGUMENT', 'fullyConnected needs weights uploaded with uploadFullyConnected.');
    if (weights.dtype === 'I8') {
      this.record(this.fullyConnectedInt8, s, { input: input.buffer, packedWeights: weights.weights, bias: weights.bias, output: out.buffer, scales: weights.scales });
    } else {
      this.record(FULLY_CONNECTED_F32_PROGRAM, s, { input: input.buffer, bias: weights.bias, output: out.buffer, floatWeights: weights.weights });
    }
  }

  softmax(out: GpuTensor, input: GpuTensor, s: SoftmaxShape): void {
    this.record(SOFTMAX_PROGRAM, s, { input: input.buffer, output: out.buffer });
  }

  beginOpTimes(): boolean {
    if (!this.device.features.has('timestamp-query')) return false;
    this.querySet ??= this.device.createQuerySet({ type: 'timestamp', count: 2 * TIMED_OPS, label: 'op times' });
    this.timing = { querySet: this.querySet, ops: 0 };
    return true;
  }

  async endOpTimes(): Promise<number[]> {
    const timing = this.timing;
    this.timing = undefined;
    if (!timing || timing.ops === 0) return [];
    const bytes = timing.ops * 2 * 8;
    const resolved = this.device.createBuffer({ size: bytes, usage: QUERY_RESOLVE, label: 'op times' });
    this.commands().resolveQuerySet(timing.querySet, 0, timing.ops * 2, resolved, 0);
    try {
      // Nanoseconds, start and end of each pass.
      const stamps = new BigInt64Array(await this.readBack(resolved, bytes));
      return Array.from({ length: timing.ops }, (_, i) => Number(stamps[2 * i + 1] - stamps[2 * i]) / 1e6);
    } finally {
      resolved.destroy();
    }
  }

  async whenIdle(): Promise<void> {
    this.submit();
    await this.device.queue.onSubmittedWorkDone();
  }

  release(handle: GpuTensor | GpuWeights): void {
    // Destroying after submit is safe: the GPU keeps what submitted work still uses.
    this.submit();
    if ('buffer' in handle) handle.buffer.destroy();
    else for (const value of Object.values(handle)) if (typeof value === 'object') (value as GPUBuffer).destroy();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.device.destroy();
  }

  private checkAlive(): void {
    if (this.disposed) throw new AlexNetError('DISPOSED', 'This backend was disposed.');
  }

  private commands(): GPUCommandEncoder {
    if (!this.encoder) {
      // Everything recorded until submit is watched: bind groups, passes, the submit itself.
      this.device.pushErrorScope('out-of-memory');
      this.device.pushErrorScope('validation');
      this.encoder = this.device.createCommandEncoder();
    }
    return this.encoder;
  }

  private submit(): void {
    if (!this.encoder) return;
    this.device.queue.submit([this.encoder.finish()]);
    this.encoder = undefined;
    this.scopeErrors.push(this.popErrorScope(), this.popErrorScope());
    for (const uniform of this.retiredUniforms) uniform.destroy();
    this.retiredUniforms = [];
  }

  /** The uniform buffer holding `shape` for `program`: made once, then found again. */
  private uniformFor<Shape>(program: GpuProgram<Shape>, shape: Shape): GPUBuffer {
    const data = packUniform(program.uniform, program.uniformValues(shape));
    const key = `${program.name}:${new Uint32Array(data).join(',')}`;
    let uniform = this.uniforms.get(key);
    if (!uniform) {
      if (this.uniforms.size >= KEPT_UNIFORMS) {
        // Many distinct shapes (batches of every size): the oldest go once recorded work is submitted.
        const [oldest, buffer] = this.uniforms.entries().next().value!;
        this.uniforms.delete(oldest);
        this.retiredUniforms.push(buffer);
      }
      uniform = this.device.createBuffer({ size: data.byteLength, usage: 0x40 | 0x08, label: `${program.name} shape` }); // UNIFORM | COPY_DST
      this.device.queue.writeBuffer(uniform, 0, data);
      this.uniforms.set(key, uniform);
    }
    return uniform;
  }

  /** Records one dispatch of `program` for `shape`; `buffers` by their WGSL names (binding 0 is the shape). */
  private record<Shape>(program: GpuProgram<Shape>, shape: Shape, buffers: Record<string, GPUBuffer>): void {
    this.checkAlive();
    // First: the error scopes then watch the uniform and the bind group too.
    const commands = this.commands();
    const pipeline = this.pipelines.get(program)!;
    const bindGroup = this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: [
        { binding: 0, resource: { buffer: this.uniformFor(program, shape) } },
        ...Object.entries(buffers).map(([name, buffer]) => ({ binding: bindingOf(program as GpuProgram<never>, name), resource: { buffer } })),
      ],
    });
    const timing = this.timing && this.timing.ops < TIMED_OPS ? this.timing : undefined;
    const timestampWrites = timing && { querySet: timing.querySet, beginningOfPassWriteIndex: 2 * timing.ops, endOfPassWriteIndex: 2 * timing.ops++ + 1 };
    const pass = commands.beginComputePass({ label: program.name, timestampWrites });
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(...program.workgroups(shape));
    pass.end();
  }
}
