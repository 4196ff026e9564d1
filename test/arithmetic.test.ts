// Which arithmetic runs, and why: int8 files multiply as 8-bit integers by default, float files and
// arithmetic: 'f32' widen to floats, and layers int8 cannot run say so in backendReason.
import { describe, expect, it } from 'vitest';
import { WasmBackend } from '../src/backends/wasm/backend.js';
import { bvlcAlexNet } from '../src/model/builtin.js';
import { planNetwork } from '../src/model/shapes.js';
import { createClassifier } from '../src/node/index.js';
import { quantizePerChannel } from '../src/weights/quantize.js';
import { expectClose } from './close.js';
import { SMALL_SPEC, smallWeights } from './fixtures.js';
import { convertToBytes } from './helpers.js';
import { BVLC_STYLE, buildOnnx, heInitialized } from './onnx-builder.js';
import { uniform } from './random.js';

const INPUT = 3 * 227 * 227;

describe('arithmetic', () => {
  it('an int8 file runs int8 arithmetic by default; the reason names the dot products', async () => {
    const classifier = await createClassifier({ weights: smallWeights('int8'), threads: 1 });
    expect(classifier.arithmetic).toBe('int8');
    expect(classifier.backendReason).toContainEqual(expect.stringMatching(/^wasm: int8 arithmetic \(W8A8, activations quantized per image\): convolutions by integer Winograd/));
    await classifier.dispose();
  });

  it.each([
    ['a float file', 'f32' as const, undefined, /^wasm: f32 arithmetic: the weights are float/],
    ['an f16 file', 'f16' as const, undefined, /^wasm: f32 arithmetic: the weights are float/],
    ["arithmetic: 'f32' on an int8 file", 'int8' as const, 'f32' as const, /^wasm: f32 arithmetic \(arithmetic: 'f32' was asked for\)$/],
  ])('%s runs f32 arithmetic and says why', async (_, quantize, arithmetic, reason) => {
    const classifier = await createClassifier({ weights: smallWeights(quantize), arithmetic, threads: 1 });
    expect(classifier.arithmetic).toBe('f32');
    expect(classifier.backendReason).toContainEqual(expect.stringMatching(reason));
    await classifier.dispose();
  });

  it("rejects arithmetic: 'int4' with INVALID_ARGUMENT", async () => {
    await expect(createClassifier({ weights: smallWeights(), arithmetic: 'int4' as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('int8 arithmetic quantizes per image: batch 3 equals three batch-1 runs, bit for bit; profile() runs the same arithmetic', async () => {
    const classifier = await createClassifier({ weights: smallWeights('int8'), threads: 2 });
    const input = uniform(3 * INPUT, 12, -2, 2);
    // Scale one image up: a per-batch scale would then change the others' results.
    for (let i = 0; i < INPUT; i++) input[INPUT + i] *= 50;
    const batched = await classifier.infer(input, { batch: 3 });
    for (let n = 0; n < 3; n++) {
      const one = input.subarray(n * INPUT, (n + 1) * INPUT);
      expectClose(batched.subarray(n * 10, (n + 1) * 10), await classifier.infer(one), 0, 0);
    }
    const profile = await classifier.profile(input.subarray(0, INPUT));
    expectClose(profile.output, batched.subarray(0, 10), 0, 0);
    expect(profile.layerTimes.map((t) => t.name)).toContain('conv2');
    await classifier.dispose();
  });

  // Weights x 1e5 stay inside the reader's ranges (magnitude <= 1e6) and overflow f32 over eight layers
  // (without LRN, which would shrink huge activations again).
  it.each(['int8', 'f32'] as const)('a network whose numbers overflow f32 (%s arithmetic) fails with NUMERIC_ERROR, never a NaN score; a NaN input is INVALID_ARGUMENT', async (arithmetic) => {
    const spec = { ...SMALL_SPEC, layers: SMALL_SPEC.layers.filter((layer) => layer.type !== 'lrn') };
    const weights = heInitialized(spec, 3);
    for (const layer of weights.values()) layer.weight.forEach((w, i, values) => (values[i] = w * 1e5));
    const classifier = await createClassifier({ weights: convertToBytes(buildOnnx(spec, weights, BVLC_STYLE), { quantize: 'int8' }), arithmetic });
    await expect(classifier.infer(uniform(INPUT, 4))).rejects.toMatchObject({ code: 'NUMERIC_ERROR' });
    const input = uniform(INPUT, 4);
    input[1234] = Number.NaN;
    await expect(classifier.infer(input)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/NaN at index 1234/) });
    // An infinity alone, in the last value (past the four-way scan's whole groups when the count is odd).
    const last = uniform(INPUT, 4);
    last[INPUT - 1] = -Infinity;
    await expect(classifier.infer(last)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(new RegExp(`-Infinity at index ${INPUT - 1}`)) });
    await classifier.dispose();
  });

  it('layers int8 cannot run (an input that can be negative, a 1x1 convolution) run f32, named in the reason', async () => {
    const backend = await WasmBackend.create({ threads: 1 });
    const weight = (elements: number, K: number) => ({ dtype: 'I8' as const, ...quantizePerChannel(uniform(elements, 3), K) });
    const fc = backend.uploadFullyConnected({ weight: weight(32 * 8, 8), bias: new Float32Array(8) }, { I: 32, O: 8, name: 'fc', inputNonNegative: false });
    const conv = backend.uploadConv2d(
      { weight: weight(8 * 4, 8), bias: new Float32Array(8) }, { C: 4, K: 8, R: 1, S: 1, G: 1, strideH: 1, strideW: 1, name: 'pointwise', inputNonNegative: true },
    );
    const winograd = backend.uploadConv2d(
      { weight: weight(8 * 4 * 9, 8), bias: new Float32Array(8) }, { C: 4, K: 8, R: 3, S: 3, G: 1, strideH: 1, strideW: 1, name: 'conv', inputNonNegative: true },
    );
    expect(backend.arithmetic.name).toBe('int8');
    expect(backend.arithmetic.reason).toMatch(/; f32 arithmetic for fc: its input can be negative .*; pointwise: int8 arithmetic runs convolutions that Winograd can/);
    for (const weights of [fc, conv, winograd]) backend.release(weights);
    await backend.dispose();
  });

  it("the network knows which layers' inputs cannot be negative: every one after a ReLU, not the image nor the logits", () => {
    const nonNegative = planNetwork(bvlcAlexNet()).map((plan) => [plan.layer.name, plan.inputNonNegative]);
    expect(nonNegative.filter(([, value]) => !value).map(([name]) => name)).toEqual(['conv1', 'prob']);
  });
});
