// The executor: walks the layer list for any backend, ping-ponging between two activation tensors.
import type { Backend, Conv2dShape, LayerWeights } from '../backends/backend.js';
import { AlexNetError } from '../errors.js';
import { elementsOf, type LayerPlan } from '../model/shapes.js';
import type { Layer } from '../model/spec.js';

export interface LayerTime {
  name: string;
  type: Layer['type'];
  ms: number;
}

/**
 * How layer times were taken: 'device' from the GPU's own timestamps (the inference runs as usual);
 * 'wall' from the clock around each layer (on WebGPU without timestamps, each layer then runs alone).
 */
export type ProfileClock = 'device' | 'wall';

export interface Profile {
  output: Float32Array;
  layerTimes: LayerTime[];
  clock: ProfileClock;
}

/** Index of the first NaN or infinity in `values`, or -1. */
function firstNonFinite(values: Float32Array): number {
  // v * 0 is 0 for a finite v and NaN otherwise: four independent sums scan 2.5x as fast as isFinite per value.
  let sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0;
  const whole = values.length & ~3;
  for (let i = 0; i < whole; i += 4) {
    sum0 += values[i] * 0;
    sum1 += values[i + 1] * 0;
    sum2 += values[i + 2] * 0;
    sum3 += values[i + 3] * 0;
  }
  for (let i = whole; i < values.length; i++) sum0 += values[i] * 0;
  if (sum0 + sum1 + sum2 + sum3 === 0) return -1;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}

/** The most bytes of activations a network may take unless the maxActivationBytes option says otherwise. */
export const DEFAULT_MAX_ACTIVATION_BYTES = 2 ** 31;

/** With a signal, the run yields to the event loop between layers at most this often, so an abort is seen mid-inference. */
const ABORT_CHECK_MS = 4;

/** Resolves in a later task of the event loop (where an abort event can be handled). */
function nextTask(): Promise<void> {
  if (typeof setImmediate === 'function') return new Promise((resolve) => setImmediate(resolve));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

interface Activations<T> {
  batch: number;
  buffers: [T, T];
}

export class Network<T, W> {
  private readonly uploaded = new Map<string, W>();
  private activations: Activations<T> | undefined;
  private readonly largestActivation: number;

  constructor(private readonly backend: Backend<T, W>, private readonly plans: LayerPlan[], private readonly maxActivationBytes = DEFAULT_MAX_ACTIVATION_BYTES) {
    this.largestActivation = Math.max(...plans.flatMap((p) => [elementsOf(p.inputShape), elementsOf(p.outputShape)]));
    this.checkActivationBytes(1);
  }

  /**
   * OUT_OF_MEMORY, before anything is allocated, when `batch` images' activations and the working
   * memory of the convolutions would pass the limit.
   */
  private checkActivationBytes(batch: number): void {
    const activations = 2 * batch * this.largestActivation * 4;
    const working = this.backend.workingBytes?.(this.convolutions(batch)) ?? 0;
    if (activations + working > this.maxActivationBytes) {
      throw new AlexNetError(
        'OUT_OF_MEMORY',
        `The network needs ${activations + working} bytes for ${batch} image${batch > 1 ? 's' : ''}: activations of ${activations} (twice its largest layer output of ${this.largestActivation} floats) and ${working} of convolution working memory; the limit is ${this.maxActivationBytes} (the maxActivationBytes option).`,
      );
    }
  }

  private convolutions(batch: number): Conv2dShape[] {
    return this.plans.flatMap((plan) => (plan.layer.type === 'conv2d' ? [this.conv2dShape(plan, batch)] : []));
  }

  /** Allocates what a batch of one needs now (called while the weights are still on their way). */
  prepare(): void {
    const activations = this.activationsFor(1);
    this.backend.prepare?.(this.convolutions(1), activations);
  }

  /** Uploads one layer's weights; call for every weighted layer, in any order, as they arrive. */
  loadLayer(name: string, weights: LayerWeights): void {
    const plan = this.plans.find((p) => p.layer.name === name);
    if (!plan) throw new AlexNetError('INVALID_ARGUMENT', `The network has no layer "${name}".`);
    const previous = this.uploaded.get(name);
    if (previous !== undefined) this.backend.release(previous);
    // What the backend may use to choose its arithmetic, and to name the layer in backendReason.
    const facts = { name, inputNonNegative: plan.inputNonNegative };
    if (plan.layer.type === 'conv2d') {
      const [C] = plan.inputShape;
      const { outChannels: K, kernel: [R, S], stride: [strideH, strideW], groups: G } = plan.layer;
      this.uploaded.set(name, this.backend.uploadConv2d(weights, { C, K, R, S, G, strideH, strideW, ...facts }));
    } else if (plan.layer.type === 'fullyConnected') {
      this.uploaded.set(name, this.backend.uploadFullyConnected(weights, { I: elementsOf(plan.inputShape), O: plan.layer.outFeatures, ...facts }));
    } else {
      throw new AlexNetError('INVALID_ARGUMENT', `Layer "${name}" (${plan.layer.type}) has no weights.`);
    }
  }

  /** Names of weighted layers still waiting for their weights. */
  get missingLayers(): string[] {
    return this.plans.filter((p) => p.weightShapes.size > 0 && !this.uploaded.has(p.layer.name)).map((p) => p.layer.name);
  }

  get outputFeatures(): number {
    return elementsOf(this.plans[this.plans.length - 1].outputShape);
  }

  /**
   * input [batch, C, H, W] -> the last layer's output [batch, features]. With `signal`, an abort stops
   * the run between layers (it rejects with the signal's reason).
   */
  async run(input: Float32Array, batch: number, signal?: AbortSignal): Promise<Float32Array> {
    return (await this.runProfiled(input, batch, false, signal)).output;
  }

  /** As run; with `profile`, also the time of each layer (see ProfileClock). */
  async runProfiled(input: Float32Array, batch: number, profile: boolean, signal?: AbortSignal): Promise<Profile> {
    const missing = this.missingLayers;
    if (missing.length > 0) throw new AlexNetError('INVALID_ARGUMENT', `Weights of ${missing.join(', ')} have not been loaded yet.`);
    const perImage = elementsOf(this.plans[0].inputShape);
    if (!Number.isInteger(batch) || batch < 1 || input.length !== batch * perImage) {
      throw new AlexNetError(
        'INPUT_SHAPE_MISMATCH',
        `Expected ${batch} x [${this.plans[0].inputShape.join(', ')}] = ${batch * perImage} floats (NCHW), got ${input.length}.`,
      );
    }
    let [current, next] = this.activationsFor(batch);
    this.backend.write(current, input);
    // Where the backend can, it scans the input it holds (227x227x3: 0.11 ms in JS, 0.03 in wasm SIMD).
    const badInput = this.backend.firstNonFinite ? await this.backend.firstNonFinite(current, input.length) : firstNonFinite(input);
    if (badInput >= 0) throw new AlexNetError('INVALID_ARGUMENT', `The input has ${input[badInput]} at index ${badInput}; every value must be a finite number.`);
    const deviceTimed = profile && (this.backend.beginOpTimes?.() ?? false);
    const layerTimes: LayerTime[] = [];
    // Layers that recorded an op (all but flatten), in order: the device's op times map onto them.
    const timedLayers: LayerTime[] = [];
    let output: Float32Array;
    let lastYield = performance.now();
    try {
      for (const plan of this.plans) {
        if (signal && performance.now() - lastYield >= ABORT_CHECK_MS) {
          await nextTask();
          lastYield = performance.now();
        }
        if (signal?.aborted) {
          // Ops already handed to the backend finish first: the next run then starts from a quiet backend.
          await this.backend.whenIdle?.().catch(() => undefined);
          signal.throwIfAborted();
        }
        const started = profile ? performance.now() : 0;
        const ran = this.runLayer(plan, batch, current, next);
        if (ran) [current, next] = [next, current];
        if (!profile) continue;
        if (!deviceTimed && ran) await this.backend.whenIdle?.();
        const time = { name: plan.layer.name, type: plan.layer.type, ms: deviceTimed ? 0 : performance.now() - started };
        layerTimes.push(time);
        if (ran) timedLayers.push(time);
      }
      output = await this.backend.read(current, batch * this.outputFeatures);
    } catch (error) {
      // Later runs must not keep writing timestamps.
      if (deviceTimed) await this.backend.endOpTimes!().catch(() => undefined);
      throw error;
    }
    if (deviceTimed) {
      const opTimes = await this.backend.endOpTimes!();
      timedLayers.forEach((time, i) => (time.ms = opTimes[i] ?? Number.NaN));
    }
    // A NaN never reaches a score: weights or parameters that overflow f32 are an error.
    const badOutput = firstNonFinite(output);
    if (badOutput >= 0) {
      throw new AlexNetError(
        'NUMERIC_ERROR',
        `The network's output has ${output[badOutput]} at index ${badOutput} of ${output.length}: the model's weights or parameters overflow 32-bit floats.`,
      );
    }
    return { output, layerTimes, clock: deviceTimed ? 'device' : 'wall' };
  }

  dispose(): void {
    for (const weights of this.uploaded.values()) this.backend.release(weights);
    this.uploaded.clear();
    this.releaseActivations();
  }

  // Runs one layer from `input` into `out`; false when the layer only reinterprets its input (flatten).
  private runLayer(plan: LayerPlan, N: number, input: T, out: T): boolean {
    const { layer, inputShape, outputShape } = plan;
    // Spatial layers have [C, H, W]; flat ones only read elementsOf(inputShape).
    const [C, H, W] = inputShape as [number, number, number];
    switch (layer.type) {
      case 'conv2d':
        this.backend.conv2d(out, input, this.uploaded.get(layer.name)!, this.conv2dShape(plan, N));
        return true;
      case 'maxPool': {
        const [, OH, OW] = outputShape as [number, number, number];
        this.backend.maxPool(out, input, {
          N, C, H, W, OH, OW, kernelH: layer.kernel[0], kernelW: layer.kernel[1],
          strideH: layer.stride[0], strideW: layer.stride[1], padTop: layer.pads[0], padLeft: layer.pads[1],
        });
        return true;
      }
      case 'lrn': {
        const alpha = layer.alphaConvention === 'caffe' ? layer.alpha / layer.size : layer.alpha;
        this.backend.lrn(out, input, { N, C, H, W, size: layer.size, alpha, beta: layer.beta, k: layer.k });
        return true;
      }
      case 'fullyConnected':
        this.backend.fullyConnected(out, input, this.uploaded.get(layer.name)!, {
          N, I: elementsOf(inputShape), O: layer.outFeatures, relu: layer.relu,
        });
        return true;
      case 'softmax':
        this.backend.softmax(out, input, { N, D: elementsOf(inputShape) });
        return true;
      case 'flatten':
        return false;
    }
  }

  private conv2dShape(plan: LayerPlan, N: number): Conv2dShape {
    const { layer, inputShape, outputShape } = plan;
    if (layer.type !== 'conv2d') throw new AlexNetError('INVALID_ARGUMENT', `Layer "${layer.name}" is not a convolution.`);
    const [C, H, W] = inputShape as [number, number, number];
    const [K, OH, OW] = outputShape as [number, number, number];
    const [R, S] = layer.kernel;
    return {
      N, C, H, W, K, R, S, G: layer.groups, strideH: layer.stride[0], strideW: layer.stride[1],
      padTop: layer.pads[0], padLeft: layer.pads[1], OH, OW, relu: layer.relu,
    };
  }

  private activationsFor(batch: number): [T, T] {
    if (this.activations?.batch !== batch) {
      this.checkActivationBytes(batch);
      this.releaseActivations();
      const elements = batch * this.largestActivation;
      this.activations = { batch, buffers: [this.backend.allocate(elements), this.backend.allocate(elements)] };
    }
    return this.activations.buffers;
  }

  private releaseActivations(): void {
    if (!this.activations) return;
    for (const buffer of this.activations.buffers) this.backend.release(buffer);
    this.activations = undefined;
  }
}
