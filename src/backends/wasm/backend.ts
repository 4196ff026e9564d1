// The WebAssembly SIMD backend: ops run at once, on one thread, in the instance's linear memory.
import { AlexNetError } from '../../errors.js';
import type { LayerWeights } from '../../weights/model-file.js';
import { checkScaleCount } from '../../weights/quantize.js';
import type {
  Backend, Conv2dShape, Conv2dWeightShape, FullyConnectedShape, FullyConnectedWeightShape, LrnShape, MaxPoolShape, SoftmaxShape,
} from '../backend.js';
import { WasmHeap } from './heap.js';
import { instantiateKernels, type KernelBuild, type KernelExports } from './kernels.js';
import { chooseConv2dAlgorithm, spaceToDepthShape, type Conv2dAlgorithm } from './pack.js';

/** A region of linear memory. */
export interface WasmBuffer {
  offset: number;
  bytes: number;
}

export type WasmWeights =
  | { op: 'conv2d'; algorithm: Conv2dAlgorithm; packed: WasmBuffer; bias: WasmBuffer; buffers: WasmBuffer[] }
  | { op: 'fullyConnected'; dtype: 'I8'; values: WasmBuffer; scales: WasmBuffer; bias: WasmBuffer; buffers: WasmBuffer[] }
  | { op: 'fullyConnected'; dtype: 'F32'; values: WasmBuffer; bias: WasmBuffer; buffers: WasmBuffer[] };

export class WasmBackend implements Backend<WasmBuffer, WasmWeights> {
  readonly name = 'wasm' as const;
  private readonly heap: WasmHeap;
  private scratch: WasmBuffer | undefined;
  private disposed = false;

  private constructor(private readonly kernels: KernelExports, readonly build: KernelBuild, readonly buildReason: string) {
    this.heap = new WasmHeap(kernels.memory, kernels.heapBase());
  }

  /** `relaxedSimd: false` forces the baseline SIMD build even where relaxed SIMD works. */
  static async create(options: { relaxedSimd?: boolean } = {}): Promise<WasmBackend> {
    const { exports, build, reason } = await instantiateKernels(options.relaxedSimd ?? true);
    return new WasmBackend(exports, build, reason);
  }

  uploadConv2d(weights: LayerWeights, shape: Conv2dWeightShape): WasmWeights {
    const { weight } = weights;
    const { K, C, R, S, G, strideH, strideW } = shape;
    if (weight.dtype === 'I8') checkScaleCount(weight, K, 'conv2d');
    const algorithm = chooseConv2dAlgorithm(shape);
    const k = this.kernels;
    const folded = algorithm === 'space-to-depth' ? spaceToDepthShape(shape) : shape;
    const floats = algorithm === 'direct' ? k.conv2dPackedWeightFloats(C, K, R, S, G) : k.winogradPackedWeightFloats(folded.C, K, folded.R, folded.S, G);
    const packed = this.allocateBytes(floats * 4);
    // The file's values pass through linear memory once; the kernels pack (and dequantize) them there.
    const temporary: WasmBuffer[] = [];
    try {
      const source = this.copyIn(weight.values);
      temporary.push(source);
      const scales = weight.dtype === 'I8' ? this.copyIn(weight.scales) : undefined;
      if (scales) temporary.push(scales);
      const scalesOffset = scales?.offset ?? 0;
      if (algorithm === 'direct') k.conv2dPackWeights(packed.offset, source.offset, scalesOffset, K, C, R, S, G);
      else if (algorithm === 'winograd') k.winogradPackWeights(packed.offset, source.offset, scalesOffset, K, C, R, S, G, 1, 1);
      else k.winogradPackWeights(packed.offset, source.offset, scalesOffset, K, C, R, S, G, strideH, strideW);
    } catch (error) {
      this.release(packed);
      throw error;
    } finally {
      for (const buffer of temporary) this.release(buffer);
    }
    const bias = this.copyIn(weights.bias);
    return { op: 'conv2d', algorithm, packed, bias, buffers: [packed, bias] };
  }

  uploadFullyConnected(weights: LayerWeights, _shape: FullyConnectedWeightShape): WasmWeights {
    const bias = this.copyIn(weights.bias);
    const values = this.copyIn(weights.weight.values);
    if (weights.weight.dtype === 'F32') return { op: 'fullyConnected', dtype: 'F32', values, bias, buffers: [values, bias] };
    const scales = this.copyIn(weights.weight.scales);
    return { op: 'fullyConnected', dtype: 'I8', values, scales, bias, buffers: [values, scales, bias] };
  }

  allocate(elements: number): WasmBuffer {
    return this.allocateBytes(elements * 4);
  }

  write(tensor: WasmBuffer, data: Float32Array): void {
    if (data.byteLength > tensor.bytes) throw new AlexNetError('INVALID_ARGUMENT', `${data.length} values do not fit a tensor of ${tensor.bytes / 4}.`);
    new Float32Array(this.kernels.memory.buffer, tensor.offset, data.length).set(data);
  }

  async read(tensor: WasmBuffer, elements: number): Promise<Float32Array> {
    return new Float32Array(this.kernels.memory.buffer, tensor.offset, elements).slice();
  }

  conv2d(out: WasmBuffer, input: WasmBuffer, weights: WasmWeights, s: Conv2dShape): void {
    if (weights.op !== 'conv2d') throw new AlexNetError('INVALID_ARGUMENT', 'conv2d needs weights uploaded with uploadConv2d.');
    const relu = s.relu ? 1 : 0;
    if (weights.algorithm === 'space-to-depth') {
      this.conv2dSpaceToDepth(out, input, weights, s);
      return;
    }
    if (weights.algorithm === 'winograd') {
      const scratch = this.scratchOf(this.kernels.winogradScratchBytes(s.C, s.K, s.R, s.S, s.G, s.OH, s.OW));
      this.kernels.conv2dWinograd(
        out.offset, input.offset, weights.packed.offset, weights.bias.offset, scratch.offset,
        s.N, s.C, s.H, s.W, s.K, s.R, s.S, s.G, s.padTop, s.padLeft, s.OH, s.OW, relu,
      );
      return;
    }
    const scratch = this.scratchOf(this.kernels.conv2dScratchBytes(s.C, s.K, s.R, s.S, s.G, s.OH, s.OW));
    this.kernels.conv2d(
      out.offset, input.offset, weights.packed.offset, weights.bias.offset, scratch.offset,
      s.N, s.C, s.H, s.W, s.K, s.R, s.S, s.G, s.strideH, s.strideW, s.padTop, s.padLeft, s.OH, s.OW, relu,
    );
  }

  // Strided conv as space-to-depth, then a stride-1 Winograd conv without padding (zeros are in the folded input).
  private conv2dSpaceToDepth(out: WasmBuffer, input: WasmBuffer, weights: WasmWeights & { op: 'conv2d' }, s: Conv2dShape): void {
    const folded = spaceToDepthShape(s);
    const H = s.OH + folded.R - 1;
    const W = s.OW + folded.S - 1;
    const foldedBytes = s.N * folded.C * H * W * 4;
    const winogradBytes = this.kernels.winogradScratchBytes(folded.C, s.K, folded.R, folded.S, s.G, s.OH, s.OW);
    const scratch = this.scratchOf(Math.ceil(foldedBytes / 16) * 16 + winogradBytes);
    const foldedInput = scratch.offset;
    this.kernels.spaceToDepth(foldedInput, input.offset, s.N, s.C, s.H, s.W, s.strideH, s.strideW, s.padTop, s.padLeft, H, W);
    this.kernels.conv2dWinograd(
      out.offset, foldedInput, weights.packed.offset, weights.bias.offset, foldedInput + Math.ceil(foldedBytes / 16) * 16,
      s.N, folded.C, H, W, s.K, folded.R, folded.S, s.G, 0, 0, s.OH, s.OW, s.relu ? 1 : 0,
    );
  }

  maxPool(out: WasmBuffer, input: WasmBuffer, s: MaxPoolShape): void {
    this.kernels.maxPool(out.offset, input.offset, s.N * s.C, s.H, s.W, s.OH, s.OW, s.kernelH, s.kernelW, s.strideH, s.strideW, s.padTop, s.padLeft);
  }

  lrn(out: WasmBuffer, input: WasmBuffer, s: LrnShape): void {
    this.kernels.lrn(out.offset, input.offset, s.N, s.C, s.H * s.W, s.size, s.alpha, s.beta, s.k);
  }

  fullyConnected(out: WasmBuffer, input: WasmBuffer, weights: WasmWeights, s: FullyConnectedShape): void {
    if (weights.op !== 'fullyConnected') throw new AlexNetError('INVALID_ARGUMENT', 'fullyConnected needs weights uploaded with uploadFullyConnected.');
    const relu = s.relu ? 1 : 0;
    if (weights.dtype === 'I8') {
      this.kernels.fullyConnectedInt8(out.offset, input.offset, weights.values.offset, weights.scales.offset, weights.bias.offset, s.N, s.I, s.O, relu);
    } else {
      this.kernels.fullyConnectedF32(out.offset, input.offset, weights.values.offset, weights.bias.offset, s.N, s.I, s.O, relu);
    }
  }

  softmax(out: WasmBuffer, input: WasmBuffer, s: SoftmaxShape): void {
    this.kernels.softmax(out.offset, input.offset, s.N, s.D);
  }

  release(handle: WasmBuffer | WasmWeights): void {
    const buffers = 'buffers' in handle ? handle.buffers : [handle];
    for (const buffer of buffers) this.heap.release(buffer.offset, buffer.bytes);
  }

  dispose(): void {
    this.disposed = true;
    this.scratch = undefined;
  }

  private checkAlive(): void {
    if (this.disposed) throw new AlexNetError('DISPOSED', 'This backend was disposed; create a new classifier.');
  }

  private allocateBytes(bytes: number): WasmBuffer {
    this.checkAlive();
    return { offset: this.heap.allocate(bytes), bytes };
  }

  private copyIn(data: Float32Array | Int8Array): WasmBuffer {
    const buffer = this.allocateBytes(data.byteLength);
    new Uint8Array(this.kernels.memory.buffer, buffer.offset, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return buffer;
  }

  // One scratch region serves every conv2d: it only grows, to the largest layer's need.
  private scratchOf(bytes: number): WasmBuffer {
    if (!this.scratch || this.scratch.bytes < bytes) {
      if (this.scratch) this.heap.release(this.scratch.offset, this.scratch.bytes);
      this.scratch = { offset: this.heap.allocate(bytes), bytes };
    }
    return this.scratch;
  }
}
