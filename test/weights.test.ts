// The weights reader: every damaged or mismatched file gets its own stable error code, before any use.
import { describe, expect, it } from 'vitest';
import { AlexNetError } from '../src/errors.js';
import { METADATA_KEY } from '../src/model/metadata.js';
import { readModel, readModelHeader } from '../src/weights/model-file.js';
import { encodeSafetensors, parseHeader } from '../src/weights/safetensors.js';
import { concatBytes } from './helpers.js';
import { smallWeights } from './fixtures.js';

function errorOf(run: () => unknown): AlexNetError {
  try {
    run();
  } catch (error) {
    if (error instanceof AlexNetError) return error;
    throw error;
  }
  throw new Error('expected an AlexNetError, nothing was thrown');
}

/** Re-encodes the small model with its header and tensors edited, and its metadata text rewritten last. */
function edited(edit: (header: Record<string, any>, meta: Record<string, any>) => void, rewriteMetadata = (json: string) => json): Uint8Array {
  const bytes = smallWeights();
  const parsed = parseHeader(bytes);
  const header: Record<string, any> = {};
  for (const t of parsed.tensors) header[t.name] = { dtype: t.dtype, shape: t.shape, data: bytes.slice(t.begin, t.end) };
  const meta = JSON.parse(parsed.metadata[METADATA_KEY]);
  edit(header, meta);
  const tensors = Object.entries(header).map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape, data: t.data }));
  return concatBytes(encodeSafetensors(tensors, { [METADATA_KEY]: rewriteMetadata(JSON.stringify(meta)) }));
}

/** The small model with its header text rewritten (same length, so offsets stay valid). */
function withHeaderText(rewrite: (json: string) => string): Uint8Array {
  const bytes = smallWeights().slice();
  const length = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const json = rewrite(new TextDecoder().decode(bytes.subarray(8, 8 + length)));
  bytes.set(new TextEncoder().encode(json), 8);
  return bytes;
}

describe('safetensors container', () => {
  it('writes a header the reference library accepts: 8-byte aligned data, contiguous offsets from 0, layer order', () => {
    const bytes = smallWeights();
    const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect((8 + headerLength) % 8).toBe(0);
    const json = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
    const entries = Object.entries(json).filter(([name]) => name !== '__metadata__') as [string, { data_offsets: [number, number] }][];
    let end = 0;
    for (const [, entry] of entries) {
      expect(entry.data_offsets[0]).toBe(end);
      end = entry.data_offsets[1];
    }
    expect(8 + headerLength + end).toBe(bytes.byteLength);
    expect(entries.map(([name]) => name).slice(0, 4)).toEqual(['conv1.weight', 'conv1.weight_scale', 'conv1.bias', 'conv2.weight']);
    expect(typeof json.__metadata__[METADATA_KEY]).toBe('string');
  });

  it('reads back what it wrote: every layer, with int8 weights and positive scales', () => {
    const model = readModel(smallWeights());
    expect(model.metadata.labels).toHaveLength(10);
    expect([...model.weights.keys()]).toEqual(['conv1', 'conv2', 'conv3', 'conv4', 'conv5', 'fc6', 'fc7', 'fc8']);
    const fc6 = model.weights.get('fc6')!;
    expect(fc6.weight.dtype).toBe('I8');
    if (fc6.weight.dtype === 'I8') expect(Math.min(...fc6.weight.scales)).toBeGreaterThan(0);
  });

  const file = (): Uint8Array => smallWeights();
  it.each([
    ['empty file', () => new Uint8Array(0)],
    ['cut inside the 8-byte prefix', () => file().subarray(0, 5)],
    ['cut inside the JSON header', () => file().subarray(0, 100)],
    ['cut inside the tensor data', () => file().subarray(0, file().byteLength - 1000)],
    ['missing its last byte', () => file().subarray(0, file().byteLength - 1)],
  ])('a truncated file (%s) is WEIGHTS_TRUNCATED', (_, bytes) => {
    const error = errorOf(() => readModel(bytes()));
    expect(error.code).toBe('WEIGHTS_TRUNCATED');
    expect(error.message).toMatch(/cut short/);
  });

  it.each([
    ['a header length of 2^40', () => { const b = file().slice(); new DataView(b.buffer).setBigUint64(0, 1n << 40n, true); return b; }, /header length/],
    ['a header that is not JSON', () => { const b = file().slice(); b[8] = 0x78; return b; }, /not UTF-8 JSON/],
    ['an unknown dtype', () => withHeaderText((json) => json.replace('"dtype":"F32"', '"dtype":"F64"')), /dtype "F64"/],
    ['a NaN scale', () => edited((h) => { new Float32Array(h['fc6.weight_scale'].data.buffer)[3] = NaN; }), /fc6.weight_scale.*NaN/],
    ['an infinite bias', () => edited((h) => { new Float32Array(h['conv2.bias'].data.buffer)[0] = Infinity; }), /conv2.bias/],
    ['no alexnet-web metadata', () => concatBytes(encodeSafetensors([], {})), /alexnet-web convert/],
    ['metadata that is not JSON', () => concatBytes(encodeSafetensors([], { [METADATA_KEY]: '{oops' })), /not JSON/],
    // A tensor entry that is null (issue 15: it was a TypeError), keeping the header's length.
    ['a null tensor entry', () => withHeaderText((json) => json.replace(/"conv1\.bias":\{[^}]*\}/, (entry) => '"conv1.bias":null'.padEnd(entry.length, ' '))), /"conv1.bias" is null, not an object/],
  ])('a corrupt file (%s) is WEIGHTS_CORRUPT', (_, bytes, message) => {
    const error = errorOf(() => readModel(bytes()));
    expect(error.code).toBe('WEIGHTS_CORRUPT');
    expect(error.message).toMatch(message);
  });

  it('overlapping tensors are WEIGHTS_CORRUPT', () => {
    const prefix = new Uint8Array(8);
    const json = new TextEncoder().encode(JSON.stringify({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }));
    new DataView(prefix.buffer).setBigUint64(0, BigInt(json.byteLength), true);
    const error = errorOf(() => parseHeader(concatBytes([prefix, json, new Uint8Array(12)])));
    expect(error.code).toBe('WEIGHTS_CORRUPT');
    expect(error.message).toMatch(/overlap/);
  });

  it.each([
    ['a missing tensor', (h: Record<string, any>) => { delete h['conv3.bias']; }, /conv3.bias.*missing/],
    ['a wrong shape', (h: Record<string, any>) => { h['fc7.bias'].shape = [128, 2]; }, /fc7.bias.*\[128, 2\].*expected \[256\]/],
    ['int8 weights without a scale', (h: Record<string, any>) => { delete h['conv1.weight_scale']; }, /conv1.weight_scale.*missing/],
    ['a tensor that belongs to no layer', (h: Record<string, any>) => { h['conv9.weight'] = { dtype: 'F32', shape: [1], data: new Uint8Array(4) }; }, /conv9.weight.*no layer/],
  ])('%s is WEIGHTS_SHAPE_MISMATCH', (_, edit, message) => {
    const error = errorOf(() => readModel(edited(edit)));
    expect(error.code).toBe('WEIGHTS_SHAPE_MISMATCH');
    expect(error.message).toMatch(message);
  });

  it('a newer format version is WEIGHTS_UNSUPPORTED_VERSION and says to upgrade', () => {
    const error = errorOf(() => readModelHeader(edited((_, meta) => { meta.version = 2; })));
    expect(error.code).toBe('WEIGHTS_UNSUPPORTED_VERSION');
    expect(error.message).toMatch(/version 2.*reads version 1.*Upgrade/);
  });

  it('a layer list that does not fit names the layer (MODEL_INVALID)', () => {
    const error = errorOf(() => readModelHeader(edited((_, meta) => { meta.network.layers[3].groups = 5; })));
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toMatch(/"conv2".*groups \(5\)/);
  });

  // Issue 15, defect 6: each of these loaded and then classify() answered score null.
  const lrn = (meta: Record<string, any>) => meta.network.layers.find((l: { type: string }) => l.type === 'lrn');
  it.each([
    ['valueScale 1e400 (Infinity once parsed)', edited(() => {}, (json) => json.replace('"valueScale":255', '"valueScale":1e400')), 'WEIGHTS_CORRUPT', /valueScale must be a number from 0.000001 to 1000000, found Infinity/],
    ['a mean of 1e7', edited((_, meta) => { meta.preprocess.mean[1] = 1e7; }), 'WEIGHTS_CORRUPT', /mean must be three numbers from -1000000 to 1000000/],
    ['a std of 0', edited((_, meta) => { meta.preprocess.std[2] = 0; }), 'WEIGHTS_CORRUPT', /std must be three numbers from 0.000001/],
    ['a weight scale of 3e38', edited((h) => { new Float32Array(h['fc6.weight_scale'].data.buffer)[0] = 3e38; }), 'WEIGHTS_CORRUPT', /fc6.weight_scale.*3\.0000000[0-9]*e\+38.*at most 10000/],
    ['a bias of 1e30', edited((h) => { new Float32Array(h['fc8.bias'].data.buffer)[2] = 1e30; }), 'WEIGHTS_CORRUPT', /fc8.bias.*index 2.*at most 1000000 in magnitude/],
    ['LRN k = 0 and alpha = 0', edited((_, meta) => { Object.assign(lrn(meta), { k: 0, alpha: 0 }); }), 'MODEL_INVALID', /k must be a number from 0.0001 to 10000, found 0/],
    ['LRN beta = -3', edited((_, meta) => { lrn(meta).beta = -3; }), 'MODEL_INVALID', /beta must be a number from 0 to 4, found -3/],
    ['LRN alpha as a string', edited((_, meta) => { lrn(meta).alpha = '1e-4'; }), 'MODEL_INVALID', /alpha must be a number/],
  ])('a number out of its range (%s) is refused at load', (_, bytes, code, message) => {
    const error = errorOf(() => readModel(bytes));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
  });

  it('labels must match the outputs', () => {
    const error = errorOf(() => readModelHeader(edited((_, meta) => { meta.labels.pop(); })));
    expect(error.code).toBe('WEIGHTS_CORRUPT');
    expect(error.message).toMatch(/10 strings.*found 9/);
  });
});
