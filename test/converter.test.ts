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

  /** Rewrites one float initializer's values in place. */
  const initializer = (m: OnnxModel, name: string, change: (values: Float32Array) => Float32Array | void) => {
    const tensor = m.graph!.initializer.find((t) => t.name === name)!;
    const values = new Float32Array(Uint8Array.from(tensor.raw_data!).buffer);
    const changed = change(values) ?? values;
    tensor.raw_data = new Uint8Array(changed.buffer);
    if (changed.length !== values.length) tensor.dims = [changed.length];
  };
  // Issue 15, defect 7: each of these was written as a file the loader then refused.
  it.each([
    ['int8', 'a Conv bias shorter than K', (m: OnnxModel) => initializer(m, 'conv2_b', (v) => v.slice(0, -1)), /bias of 63 values does not match the 64 output channels/],
    ['int8', 'an Inf weight', (m: OnnxModel) => initializer(m, 'conv3_w', (v) => { v[5] = Infinity; }), /ONNX weights of layer "conv3" would not load.*conv3.weight" holds Infinity at index 5/],
    ['f32', 'a NaN bias', (m: OnnxModel) => initializer(m, 'fc7_b', (v) => { v[0] = NaN; }), /layer "fc7" would not load.*fc7.bias" holds NaN/],
    ['f16', 'a weight past f16 range (becomes Inf)', (m: OnnxModel) => initializer(m, 'conv1_w', (v) => { v[0] = 1e5; }), /converted weights of layer "conv1" would not load.*Infinity at index 0/],
    ['int8', 'an LRN bias attribute with no value (read as 0)', (m: OnnxModel) => {
      const lrn = m.graph!.node.find((n) => n.op_type === 'LRN')!;
      lrn.attribute = [...lrn.attribute.filter((a) => a.name !== 'bias'), { name: 'bias', type: ONNX_ATTRIBUTE.FLOAT }];
    }, /node "LRN_\d+" \(LRN\): it makes a layer alexnet-web cannot load: .*k must be a number from 0.0001 to 10000, found 0/],
  ] as const)('refuses (%s) %s with ONNX_INVALID instead of writing a file its loader rejects', (quantize, _, change, message) => {
    expect(() => convertOnnx(edit(change), { quantize })).toThrow(expect.objectContaining({ code: 'ONNX_INVALID', message: expect.stringMatching(message) }));
  });

  it('refuses bytes that are not ONNX', () => {
    expect(() => convertOnnx(new TextEncoder().encode('definitely not protobuf \u0000\u00ff'))).toThrow(expect.objectContaining({ code: expect.stringMatching(/^ONNX_/) }));
  });

  it('refuses labels of the wrong count', () => {
    expect(() => convertOnnx(smallOnnx(), { labels: ['a', 'b'] })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/10 outputs but 2 labels/) }));
  });
});
