// The typed backend interface: a small fixed op set over opaque tensors. Backends know tensors and
// ops, never the model file, images or labels. Layout is NCHW; sizes are named N, C, H, W, K, R, S, G.

export type BackendName = 'wasm' | 'webgpu';

/** Symmetric int8 with one scale per output channel: w ~= q * scale, q in [-127, 127]. */
export interface QuantizedTensor {
  /** [K, ...]. */
  values: Int8Array;
  /** [K]: max |w| of the channel / 127 (1 for an all-zero channel, so scales stay positive). */
  scales: Float32Array;
}

/** Weights of one conv2d or fullyConnected layer, as the backends take them. */
export interface LayerWeights {
  /** [K, C/G, R, S] or [O, I]; int8 comes with one f32 scale per output channel. */
  weight: ({ dtype: 'I8' } & QuantizedTensor) | { dtype: 'F32'; values: Float32Array };
  /** [K] or [O]. */
  bias: Float32Array;
}

/** A layer's file bytes, written where a backend's uploads read them (see Backend.stage). */
export interface StagedBytes {
  /** Copies `chunk` to offset `at` of the staged bytes. */
  write(chunk: Uint8Array, at: number): void;
  /** The staged bytes; ask again after anything that may move them (an upload can). */
  view(): Uint8Array;
  /** Frees what the uploads did not keep; called once the region's layers were handed over, or on failure. */
  release(): void;
}

export interface Conv2dShape {
  N: number; C: number; H: number; W: number;
  K: number; R: number; S: number; G: number;
  strideH: number; strideW: number;
  padTop: number; padLeft: number;
  OH: number; OW: number;
  relu: boolean;
}

export interface MaxPoolShape {
  N: number; C: number; H: number; W: number;
  OH: number; OW: number;
  kernelH: number; kernelW: number;
  strideH: number; strideW: number;
  padTop: number; padLeft: number;
}

export interface LrnShape {
  N: number; C: number; H: number; W: number;
  size: number;
  /** Already divided by size where the model uses the Caffe convention. */
  alpha: number;
  beta: number;
  k: number;
}

export interface FullyConnectedShape {
  N: number;
  /** Input features. */
  I: number;
  /** Output features. */
  O: number;
  relu: boolean;
}

export interface SoftmaxShape {
  N: number;
  D: number;
}

/** What an upload may know of its layer: a name for backendReason, and whether its input is never negative (after a ReLU). */
export interface LayerFacts {
  name?: string;
  inputNonNegative?: boolean;
}

/** Weight shapes a backend needs at upload time to choose its layout (and arithmetic). */
export type Conv2dWeightShape = Pick<Conv2dShape, 'C' | 'K' | 'R' | 'S' | 'G' | 'strideH' | 'strideW'> & LayerFacts;
export type FullyConnectedWeightShape = Pick<FullyConnectedShape, 'I' | 'O'> & LayerFacts;

/**
 * How the multiplies of layers with int8 weights are done: 'int8' multiplies 8-bit integers (the
 * activations quantized per image, W8A8) where the backend can; 'f32' widens the weights to floats.
 */
export type Arithmetic = 'int8' | 'f32';

/** Every op a network runs; the compiler checks that each backend implements all of them. */
export interface Backend<Tensor = unknown, Weights = unknown> {
  readonly name: BackendName;
  /**
   * Set once the device is gone ('device-lost': a driver reset) or could not hold the work
   * ('out-of-memory'): every later op fails and the model must be loaded again.
   */
  readonly lost?: false | 'device-lost' | 'out-of-memory';
  /** Which arithmetic the uploaded layers run, and why, as a backendReason line; absent: f32 only. */
  readonly arithmetic?: { name: Arithmetic; reason: string };
  /** CPU threads the ops run on now, and why, as a backendReason line ("wasm: 2 threads (...)"); absent: one. */
  readonly threads?: { count: number; reason: string };
  /**
   * Room in the backend's own memory for a layer's file bytes as they stream in: uploads of weights
   * that lie there keep or read them in place instead of copying them (wasm: linear memory).
   */
  stage?(bytes: number, alignAt: number): StagedBytes;
  /**
   * Sets aside the working memory the network's convolutions will need and touches it and `tensors`,
   * so that the first inference does not pay for fresh memory.
   */
  prepare?(convolutions: Conv2dShape[], tensors: Tensor[]): void;
  /** Bytes of working memory `convolutions` need beside the activations (the largest one's, where they share it). */
  workingBytes?(convolutions: Conv2dShape[]): number;
  uploadConv2d(weights: LayerWeights, shape: Conv2dWeightShape): Weights;
  uploadFullyConnected(weights: LayerWeights, shape: FullyConnectedWeightShape): Weights;
  /** An f32 tensor of `elements`, contents undefined. */
  allocate(elements: number): Tensor;
  write(tensor: Tensor, data: Float32Array): void;
  /**
   * Index of the first NaN or infinity among the first `elements` values, or -1, once every op before
   * has finished: where the backend scans a written input faster than JS does.
   */
  firstNonFinite?(tensor: Tensor, elements: number): Promise<number>;
  /** The first `elements` values, once every op before has finished. */
  read(tensor: Tensor, elements: number): Promise<Float32Array>;
  conv2d(out: Tensor, input: Tensor, weights: Weights, shape: Conv2dShape): void;
  maxPool(out: Tensor, input: Tensor, shape: MaxPoolShape): void;
  lrn(out: Tensor, input: Tensor, shape: LrnShape): void;
  fullyConnected(out: Tensor, input: Tensor, weights: Weights, shape: FullyConnectedShape): void;
  softmax(out: Tensor, input: Tensor, shape: SoftmaxShape): void;
  release(handle: Tensor | Weights): void;
  /** Frees everything at once; a promise where threads end later: it resolves once they have. */
  dispose(): void | Promise<void>;
  /** Asynchronous backends: times each op of the next run on the device; false where the device has no timer. */
  beginOpTimes?(): boolean;
  /** Milliseconds each op since beginOpTimes took on the device, in recording order; call after read. */
  endOpTimes?(): Promise<number[]>;
  /** Asynchronous backends: resolves once every op recorded so far has finished. */
  whenIdle?(): Promise<void>;
  /**
   * Asynchronous backends: rejects with what the device reported since the last call (OUT_OF_MEMORY,
   * after which `lost` is true, or BACKEND_FAILED); resolves when all it was given was accepted.
   */
  settle?(): Promise<void>;
}
