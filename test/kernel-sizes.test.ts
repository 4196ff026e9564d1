// The backend sizes the kernels' scratch and packed weights in doubles (src/backends/wasm/kernel-sizes.ts):
// equal to the kernels' own 32-bit size functions wherever those do not wrap, and an absurd network is
// refused with OUT_OF_MEMORY saying how much it needed instead of a kernel writing past a wrapped size.
import { describe, expect, it } from 'vitest';
import {
  directPackedWeightBytes, directScratchBytes, winogradInt8PackedWeightBytes, winogradInt8PairsFold, winogradInt8ScratchBytes, winogradPackedWeightBytes,
  winogradScratchBytes, type ConvolutionSize,
} from '../src/backends/wasm/kernel-sizes.js';
import { instantiateKernels } from '../src/backends/wasm/kernels.js';
import type { NetworkSpec } from '../src/model/spec.js';
import { createClassifier } from '../src/node/index.js';
import { convertToBytes } from './helpers.js';
import { BVLC_STYLE, buildOnnx, heInitialized } from './onnx-builder.js';

// AlexNet's convolutions (conv1 folded by space-to-depth: 48 channels, 3x3), odd and tiny ones.
const SHAPES: ConvolutionSize[] = [
  { C: 48, K: 96, R: 3, S: 3, G: 1, OH: 55, OW: 55 },
  { C: 96, K: 256, R: 5, S: 5, G: 2, OH: 27, OW: 27 },
  { C: 256, K: 384, R: 3, S: 3, G: 1, OH: 13, OW: 13 },
  { C: 384, K: 256, R: 3, S: 3, G: 2, OH: 13, OW: 13 },
  { C: 3, K: 5, R: 3, S: 3, G: 1, OH: 7, OW: 7 },
  { C: 6, K: 4, R: 5, S: 5, G: 2, OH: 5, OW: 8 },
  { C: 3, K: 5, R: 6, S: 6, G: 1, OH: 9, OW: 9 },
  { C: 4, K: 6, R: 3, S: 5, G: 1, OH: 7, OW: 7 },
  { C: 4, K: 3, R: 3, S: 3, G: 1, OH: 1, OW: 1 },
  { C: 16, K: 12, R: 1, S: 1, G: 1, OH: 5, OW: 5 },
  // int8's tall tiles: 4 rows; and a 5x5 whose sums outgrow them (3x3 blocks again).
  { C: 5, K: 6, R: 4, S: 3, G: 1, OH: 8, OW: 9 },
  { C: 112, K: 4, R: 5, S: 5, G: 1, OH: 7, OW: 7 },
];

describe('kernel sizes', () => {
  it('equal the kernels own size functions for real shapes', async () => {
    const { exports: k } = await instantiateKernels(false);
    const tile = { MR: (k as unknown as Record<string, WebAssembly.Global>).MR.value, NR: (k as unknown as Record<string, WebAssembly.Global>).NR.value };
    const mine = SHAPES.map((s) => [
      directScratchBytes(s, tile), directPackedWeightBytes(s, tile), winogradScratchBytes(s, tile), winogradPackedWeightBytes(s, tile),
      winogradInt8ScratchBytes(s, tile), winogradInt8PackedWeightBytes(s, tile), winogradInt8PairsFold(s),
    ]);
    const theirs = SHAPES.map(({ C, K, R, S, G, OH, OW }) => [
      k.conv2dScratchBytes(C, K, R, S, G, OH, OW), k.conv2dPackedWeightFloats(C, K, R, S, G) * 4, k.winogradScratchBytes(C, K, R, S, G, OH, OW),
      k.winogradPackedWeightFloats(C, K, R, S, G) * 4, k.winogradInt8ScratchBytes(C, K, R, S, G, OH, OW), k.winogradInt8PackedWeightBytes(C, K, R, S, G),
      k.winogradInt8PairsFold(C, R, S, G) === 1,
    ]);
    expect(mine).toEqual(theirs);
  });

  it('refuse a network whose convolution needs more than the engine addresses with OUT_OF_MEMORY, at load', async () => {
    // A small file: a 7x7 stride-1 convolution of 2048 channels at 128x128 needs 6.6 GB of im2col panels.
    const spec: NetworkSpec = {
      input: { channels: 2048, height: 128, width: 128 },
      layers: [
        { type: 'conv2d', name: 'conv', outChannels: 1, kernel: [7, 7], stride: [1, 1], pads: [3, 3, 3, 3], groups: 1, relu: true },
        { type: 'flatten', name: 'flatten' },
        { type: 'fullyConnected', name: 'fc', outFeatures: 2, relu: false },
      ],
    };
    const bytes = convertToBytes(buildOnnx(spec, heInitialized(spec, 1), BVLC_STYLE), { quantize: 'int8' });
    expect(bytes.byteLength).toBeLessThan(1_000_000);
    // The default limit refuses it from the header; without a limit, the engine's own address check does.
    await expect(createClassifier({ weights: bytes, threads: 1 })).rejects.toMatchObject({
      code: 'OUT_OF_MEMORY', message: expect.stringMatching(/and \d{10} of convolution working memory; the limit is 2147483648/),
    });
    await expect(createClassifier({ weights: bytes, threads: 1, maxActivationBytes: Infinity })).rejects.toMatchObject({
      code: 'OUT_OF_MEMORY', message: expect.stringMatching(/A buffer of \d{10} bytes was needed/),
    });
  });
});
