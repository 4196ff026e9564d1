// The converter on the graphs exporters really write, and on graphs it must refuse without writing anything.
import { describe, expect, it } from 'vitest';
import { convertOnnx } from '../src/convert/convert.js';
import { decodeModel, encodeModel, ONNX_ATTRIBUTE, type OnnxModel } from '../src/convert/onnx-proto.js';
import { readModel } from '../src/weights/model-file.js';
import { concatBytes } from './helpers.js';
import { SMALL_SPEC, smallOnnx } from './fixtures.js';

function edit(change: (model: OnnxModel) => void): Uint8Array {
  const model = decodeModel(smallOnnx());
  change(model);
  return encodeModel(model);
}

describe('convertOnnx', () => {
  it('reproduces the layer list it was built from, folds Dropout, reports every layer', () => {
    const conversion = convertOnnx(smallOnnx());
    expect(conversion.metadata.network.layers.map((l) => l.name)).toEqual(SMALL_SPEC.layers.map((l) => l.name));
    expect(conversion.metadata.network).toEqual(SMALL_SPEC);
    expect(conversion.folded.join(' ')).toMatch(/Dropout/);
    const conv1 = conversion.layers.find((l) => l.name === 'conv1')!;
    expect(conv1).toMatchObject({ dtype: 'I8', parameters: 24 * 3 * 121 + 24 });
    expect(conv1.relativeError).toBeGreaterThan(0);
    expect(conv1.relativeError).toBeLessThan(0.02);
    expect(conversion.totalParameters).toBe(conversion.layers.reduce((s, l) => s + l.parameters, 0));
  });

  it('picks Caffe preprocessing for a graph with LRN and labels "class N" for 10 outputs', () => {
    const { metadata } = convertOnnx(smallOnnx());
    expect(metadata.preprocess.channelOrder).toBe('BGR');
    expect(metadata.labels[3]).toBe('class 3');
  });

  it('f32 keeps the weights exactly; int8 is about 4x smaller', () => {
    const f32 = convertOnnx(smallOnnx(), { quantize: 'f32' });
    const int8 = convertOnnx(smallOnnx(), { quantize: 'int8' });
    expect(f32.layers.every((l) => l.relativeError === 0)).toBe(true);
    expect(f32.totalBytes / int8.totalBytes).toBeGreaterThan(3.5);
    const model = readModel(concatBytes(f32.chunks));
    expect(model.weights.get('conv1')!.weight.dtype).toBe('F32');
  });

  it.each([
    ['an op it does not know', (m: OnnxModel) => { m.graph!.node[1].op_type = 'Sigmoid'; }, 'ONNX_UNSUPPORTED', /node "Relu_2" \(Sigmoid\).*not supported.*Conv, Relu, LRN/],
    ['a dilated convolution', (m: OnnxModel) => { m.graph!.node[0].attribute.push({ name: 'dilations', ints: [2, 2], type: ONNX_ATTRIBUTE.INTS }); }, 'ONNX_UNSUPPORTED', /dilations \[2, 2\]/],
    ['a branch off the chain', (m: OnnxModel) => { m.graph!.node.splice(3, 0, { op_type: 'Relu', name: 'side', input: [m.graph!.node[0].output[0]], output: ['side_out'], attribute: [] }); }, 'ONNX_UNSUPPORTED', /"side" \(Relu\).*single chain/],
    ['a computed weight', (m: OnnxModel) => { m.graph!.initializer = m.graph!.initializer.filter((t) => t.name !== 'conv1_w'); }, 'ONNX_UNSUPPORTED', /weight "conv1_w" is computed/],
    ['a dynamic spatial input', (m: OnnxModel) => { m.graph!.input[0].type!.tensor_type!.shape!.dim![2] = { dim_param: 'H' }; }, 'ONNX_UNSUPPORTED', /fixed C, H and W/],
  ])('refuses %s with a message naming the node', (_, change, code, message) => {
    expect(() => convertOnnx(edit(change))).toThrow(expect.objectContaining({ code, message: expect.stringMatching(message) }));
  });

  it('refuses bytes that are not ONNX', () => {
    expect(() => convertOnnx(new TextEncoder().encode('definitely not protobuf \u0000\u00ff'))).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ONNX_/) }));
  });

  it('refuses labels of the wrong count', () => {
    expect(() => convertOnnx(smallOnnx(), { labels: ['a', 'b'] })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/10 outputs but 2 labels/) }));
  });
});
