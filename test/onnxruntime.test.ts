// Whole networks against a real peer: onnxruntime-web (WASM) runs the ONNX file we build, our converter
// turns the same file into a weights file, and our engine must agree.
import { describe, expect, it } from 'vitest';
import { bvlcAlexNet, torchvisionAlexNet } from '../src/model/builtin.js';
import type { NetworkSpec } from '../src/model/spec.js';
import { createClassifier } from '../src/node/index.js';
import { cosineSimilarity, maxAbs, maxAbsDifference } from './close.js';
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

describe('alexnet-web vs onnxruntime-web (WASM) on the same ONNX file', () => {
  it.each(CASES)('$name', async ({ spec, style, batch }) => {
    const onnx = buildOnnx(spec, heInitialized(spec, 7), style);
    const { channels, height, width } = spec.input;
    const input = uniform(batch * channels * height * width, 99, -2, 2);
    const reference = await runOnnxOnce(onnx, input, [batch, channels, height, width]);
    expect(maxAbs(reference)).toBeGreaterThan(1e-3);

    const f32 = await createClassifier({ weights: convertToBytes(onnx, { quantize: 'f32' }) });
    const ours = await f32.infer(input, { batch });
    f32.dispose();
    expect(ours.length).toBe(reference.length);
    const tolerance = 1e-3 * Math.max(1, maxAbs(reference));
    expect(maxAbsDifference(ours, reference)).toBeLessThanOrEqual(tolerance);

    const int8 = await createClassifier({ weights: convertToBytes(onnx, { quantize: 'int8' }) });
    const quantized = await int8.infer(input, { batch });
    int8.dispose();
    expect(cosineSimilarity(quantized, reference)).toBeGreaterThanOrEqual(0.998);
  });
});
