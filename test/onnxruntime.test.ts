// Whole networks against a real peer: onnxruntime-web (WASM) runs the ONNX file we build, our converter
// turns the same file into a weights file, and our engine must agree.
import { describe, expect, it } from 'vitest';
import { bvlcAlexNet, torchvisionAlexNet } from '../src/model/builtin.js';
import type { NetworkSpec } from '../src/model/spec.js';
import { createClassifier } from '../src/node/index.js';
import type { Arithmetic } from '../src/backends/backend.js';
import { cosineSimilarity, expectInt8Agreement, maxAbs, maxAbsDifference } from './close.js';
import { convertToBytes } from './helpers.js';
import { BVLC_STYLE, buildOnnx, heInitialized, MODEL_ZOO_STYLE, TORCHVISION_STYLE, type OnnxStyle } from './onnx-builder.js';
import { runOnnxOnce } from './peers/onnxruntime.js';
import { uniform } from './random.js';

interface Case {
  name: string;
  spec: NetworkSpec;
  style: OnnxStyle;
  batch: number;
}

const withoutSoftmax = (spec: NetworkSpec): NetworkSpec => ({ ...spec, layers: spec.layers.filter((l) => l.type !== 'softmax') });

const CASES: Case[] = [
  { name: 'BVLC AlexNet (227, groups 2, LRN, ceil-mode pools), logits', spec: withoutSoftmax(bvlcAlexNet()), style: BVLC_STYLE, batch: 1 },
  { name: 'torchvision AlexNet (224, 64/192/384/256/256, Flatten, AveragePool 1x1), batch 2', spec: torchvisionAlexNet(), style: TORCHVISION_STYLE, batch: 2 },
  { name: 'model zoo bvlcalexnet-12 style (data_0, 224, padded pools, computed Reshape, Softmax)', spec: bvlcAlexNet({ inputSize: 224 }), style: MODEL_ZOO_STYLE, batch: 1 },
  {
    name: 'quarter-width AlexNet, MatMul + Add, 10 classes, batch 3',
    spec: withoutSoftmax(bvlcAlexNet({ widths: [24, 64, 96, 96, 64], hidden: 256, classes: 10 })),
    style: { ...TORCHVISION_STYLE, fullyConnected: 'MatMulAdd', identityAveragePool: false },
    batch: 3,
  },
];

/** Our output for `bytes` at each thread count; the classifiers really run that many threads. */
async function inferWithThreads(
  bytes: Uint8Array, input: Float32Array, batch: number, counts: number[], arithmetic: Arithmetic,
): Promise<Float32Array[]> {
  const outputs: Float32Array[] = [];
  for (const threads of counts) {
    const classifier = await createClassifier({ weights: bytes, threads, arithmetic });
    expect(classifier.threads, classifier.backendReason.join(" | ")).toBe(threads);
    expect(classifier.arithmetic).toBe(arithmetic);
    outputs.push(await classifier.infer(input, { batch }));
    classifier.dispose();
  }
  return outputs;
}

const THREADS = [1, 2, 4];

describe('alexnet-web vs onnxruntime-web (WASM) on the same ONNX file, at 1, 2 and 4 threads', () => {
  it.each(CASES)('$name', async ({ name, spec, style, batch }) => {
    const onnx = buildOnnx(spec, heInitialized(spec, 7), style);
    const { channels, height, width } = spec.input;
    const input = uniform(batch * channels * height * width, 99, -2, 2);
    const reference = await runOnnxOnce(onnx, input, [batch, channels, height, width]);
    expect(maxAbs(reference)).toBeGreaterThan(1e-3);
    const tolerance = 1e-3 * Math.max(1, maxAbs(reference));

    const f32 = await inferWithThreads(convertToBytes(onnx, { quantize: 'f32' }), input, batch, THREADS, 'f32');
    const int8File = convertToBytes(onnx, { quantize: 'int8' });
    // int8 weights with f32 arithmetic (the weights widened), then with int8 arithmetic (W8A8).
    const int8 = await inferWithThreads(int8File, input, batch, THREADS, 'f32');
    const w8a8 = await inferWithThreads(int8File, input, batch, THREADS, 'int8');
    expectInt8Agreement(name, w8a8[0], reference, batch);
    THREADS.forEach((threads, i) => {
      expect(f32[i].length).toBe(reference.length);
      expect(maxAbsDifference(f32[i], reference)).toBeLessThanOrEqual(tolerance);
      expect(cosineSimilarity(int8[i], reference)).toBeGreaterThanOrEqual(0.998);
      // Each output is computed by one thread in one order, whichever thread: the same bits.
      const bits = (j: number) => ({ threads, f32: Array.from(f32[j]), int8: Array.from(int8[j]), w8a8: Array.from(w8a8[j]) });
      expect(bits(i)).toEqual({ ...bits(0), threads });
    });
  });
});
