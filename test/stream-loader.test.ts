// The streaming loader: layers handed over while the file is still arriving, progress, integrity, truncation, abort.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../src/node/index.js';
import type { LayerWeights } from '../src/backends/backend.js';
import { readModel } from '../src/weights/model-file.js';
import { encodeSafetensors, parseHeader } from '../src/weights/safetensors.js';
import { concatBytes } from './helpers.js';
import { streamModel, type LoadProgress, type StageBytes } from '../src/weights/stream-loader.js';
import { WasmBackend } from '../src/backends/wasm/backend.js';
import { smallWeights } from './fixtures.js';
import { randomGenerator } from './random.js';
import { createHash } from 'node:crypto';

/** A stream that hands out `bytes` in random chunk sizes, one chunk per pull. */
function chunked(bytes: Uint8Array, seed: number, onPull?: (sent: number) => void): ReadableStream<Uint8Array> {
  const next = randomGenerator(seed);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes.byteLength) return controller.close();
      const size = Math.max(1, Math.floor(next() * (next() < 0.3 ? 50 : 40000)));
      controller.enqueue(bytes.slice(sent, sent + size));
      sent = Math.min(bytes.byteLength, sent + size);
      onPull?.(sent);
    },
  });
}

describe('streamModel', () => {
  it('hands every layer over, identical to reading the whole file, whatever the chunk sizes', async () => {
    const bytes = smallWeights();
    const whole = readModel(bytes);
    for (const seed of [1, 2, 3]) {
      const layers = new Map<string, LayerWeights>();
      // The arrays are views into a reused buffer: keep copies, as the contract says.
      await streamModel(chunked(bytes, seed), { onLayer: (name, weights) => layers.set(name, structuredClone(weights)) });
      expect([...layers.keys()]).toEqual([...whole.weights.keys()]);
      for (const [name, weights] of layers) {
        expect(weights.bias).toEqual(whole.weights.get(name)!.bias);
        expect(weights.weight.values).toEqual(whole.weights.get(name)!.weight.values);
      }
    }
  });

  it('hands over the right bytes when layers interleave (tensors sorted by dtype, as other writers do)', async () => {
    const original = smallWeights();
    const header = parseHeader(original);
    const byDtype = [...header.tensors].sort((a, b) => a.dtype.localeCompare(b.dtype) || a.name.localeCompare(b.name));
    const bytes = concatBytes(encodeSafetensors(byDtype.map((t) => ({ name: t.name, dtype: t.dtype, shape: t.shape, data: original.subarray(t.begin, t.end) })), header.metadata));
    const whole = readModel(original);
    for (const seed of [5, 6]) {
      const layers = new Map<string, LayerWeights>();
      await streamModel(chunked(bytes, seed), { onLayer: (name, weights) => layers.set(name, structuredClone(weights)) });
      expect([...layers.keys()].sort()).toEqual([...whole.weights.keys()].sort());
      for (const [name, weights] of layers) {
        expect(weights.bias).toEqual(whole.weights.get(name)!.bias);
        expect(weights.weight.values).toEqual(whole.weights.get(name)!.weight.values);
      }
    }
  });

  it('uses each layer while the rest is still downloading', async () => {
    const bytes = smallWeights();
    const sentWhenReady = new Map<string, number>();
    let sent = 0;
    await streamModel(chunked(bytes, 4, (s) => (sent = s)), { onLayer: (name) => sentWhenReady.set(name, sent) });
    // The stream stays at most one chunk ahead of the reader.
    expect(sentWhenReady.get('conv1')).toBeLessThan(bytes.byteLength / 4);
    expect(sentWhenReady.get('fc6')).toBeLessThan(bytes.byteLength);
    expect(sentWhenReady.get('fc8')).toBe(bytes.byteLength);
  });

  it('reports monotonic progress that ends at the file size with every tensor ready', async () => {
    const bytes = smallWeights();
    const events: LoadProgress[] = [];
    await streamModel(chunked(bytes, 5), { onLayer: () => undefined, onProgress: (p) => events.push(p) });
    for (let i = 1; i < events.length; i++) {
      expect(events[i].loadedBytes).toBeGreaterThanOrEqual(events[i - 1].loadedBytes);
      expect(events[i].tensorsReady).toBeGreaterThanOrEqual(events[i - 1].tensorsReady);
    }
    const last = events[events.length - 1];
    expect(last).toEqual({ loadedBytes: bytes.byteLength, totalBytes: bytes.byteLength, tensorsReady: 24, tensorsTotal: 24, phase: 'done' });
  });

  it('checks SRI integrity while streaming: the right hash passes, a wrong one says expected vs actual', async () => {
    const bytes = smallWeights();
    const right = `sha256-${createHash('sha256').update(bytes).digest('base64')}`;
    await expect(streamModel(chunked(bytes, 6), { onLayer: () => undefined, integrity: right })).resolves.toBeDefined();
    const wrong = `sha256-${createHash('sha256').update('other').digest('base64')}`;
    await expect(streamModel(chunked(bytes, 6), { onLayer: () => undefined, integrity: wrong })).rejects.toMatchObject({
      code: 'WEIGHTS_CORRUPT',
      message: expect.stringContaining(`expected ${wrong}, got ${right}`),
    });
    await expect(streamModel(chunked(bytes, 6), { onLayer: () => undefined, integrity: 'md5-abc' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('writes each region into the given stage, aligned at its largest tensor, and releases every stage once', async () => {
    const bytes = smallWeights();
    const whole = readModel(bytes);
    const largest = new Map([...whole.layerTensors].map(([name, entries]) => [name, entries.reduce((a, b) => (b.end - b.begin > a.end - a.begin ? b : a))]));
    for (const [seed, end] of [[10, bytes.byteLength], [11, bytes.byteLength - 5000]]) {
      const stages: { alignAt: number; released: number }[] = [];
      // A stage whose memory starts at an odd offset of a bigger buffer, as a backend's heap would.
      const stage: StageBytes = (size, alignAt) => {
        const record = { alignAt, released: 0 };
        stages.push(record);
        const region = new Uint8Array(size + 3).subarray(3);
        return { write: (chunk, at) => region.set(chunk, at), view: () => region, release: () => void record.released++ };
      };
      const layers = new Map<string, LayerWeights>();
      const load = streamModel(chunked(bytes.subarray(0, end), seed), { stage, onLayer: (name, weights) => layers.set(name, structuredClone(weights)) });
      if (end < bytes.byteLength) await expect(load).rejects.toMatchObject({ code: 'WEIGHTS_TRUNCATED' });
      else await load;
      // Every region staged was released exactly once, the one cut short too.
      expect(stages.map((s) => s.released)).toEqual(stages.map(() => 1));
      for (const [i, [name, weights]] of [...layers].entries()) {
        expect(weights.weight.values).toEqual(whole.weights.get(name)!.weight.values);
        expect(weights.bias).toEqual(whole.weights.get(name)!.bias);
        const entries = whole.layerTensors.get(name)!;
        expect(stages[i].alignAt).toBe(largest.get(name)!.begin - Math.min(...entries.map((e) => e.begin)));
      }
      if (end === bytes.byteLength) expect(layers.size).toBe(whole.weights.size);
    }
  });

  it('a stream that ends early is WEIGHTS_TRUNCATED', async () => {
    const bytes = smallWeights();
    for (const end of [4, 300, bytes.byteLength - 10]) {
      await expect(streamModel(chunked(bytes.subarray(0, end), 7), { onLayer: () => undefined })).rejects.toMatchObject({ code: 'WEIGHTS_TRUNCATED' });
    }
  });

  it('an abort mid-stream rejects with the abort reason', async () => {
    const controller = new AbortController();
    const bytes = smallWeights();
    const load = streamModel(chunked(bytes, 8, (sent) => sent > 100000 && controller.abort()), { onLayer: () => undefined, signal: controller.signal });
    await expect(load).rejects.toMatchObject({ name: 'AbortError' });
  });
});

describe('the wasm backend as a stage', () => {
  const fullyConnected = (weights: LayerWeights) => ({ weights, shape: { I: 16, O: 6 } });
  const int8Layer = (): LayerWeights => ({
    weight: { dtype: 'I8', values: Int8Array.from({ length: 96 }, (_, i) => ((i * 37) % 255) - 127), scales: Float32Array.from({ length: 6 }, (_, o) => 0.01 * (o + 1)) },
    bias: Float32Array.from({ length: 6 }, (_, o) => o - 2),
  });
  /** The layer's bytes as a weights file region would hold them: values, scales, bias, back to back. */
  const regionOf = (layer: LayerWeights & { weight: { dtype: 'I8' } }): Uint8Array =>
    concatBytes([new Uint8Array(layer.weight.values.buffer), new Uint8Array(layer.weight.scales.buffer), new Uint8Array(layer.bias.buffer)]);

  it('keeps staged int8 fully connected weights where they lie, and computes as from a copy', async () => {
    const backend = await WasmBackend.create();
    const layer = int8Layer() as LayerWeights & { weight: { dtype: 'I8' } };
    const region = regionOf(layer);
    const staged = backend.stage(region.byteLength, 0);
    staged.write(region.subarray(0, 50), 0);
    staged.write(region.subarray(50), 50);
    const view = staged.view();
    const { weights, shape } = fullyConnected({
      weight: { dtype: 'I8', values: new Int8Array(view.buffer, view.byteOffset, 96), scales: new Float32Array(view.buffer, view.byteOffset + 96, 6) },
      bias: new Float32Array(view.buffer, view.byteOffset + 120, 6),
    });
    const kept = backend.uploadFullyConnected(weights, shape);
    staged.release();
    expect(kept.op === 'fullyConnected' && kept.values.offset).toBe(view.byteOffset);
    expect(view.byteOffset % 64).toBe(0);
    const copied = backend.uploadFullyConnected(layer, shape);
    const x = backend.allocate(16);
    const y = backend.allocate(6);
    backend.write(x, Float32Array.from({ length: 16 }, (_, i) => Math.sin(i)));
    backend.fullyConnected(y, x, kept, { N: 1, I: 16, O: 6, relu: false });
    const fromStage = await backend.read(y, 6);
    backend.fullyConnected(y, x, copied, { N: 1, I: 16, O: 6, relu: false });
    expect(fromStage).toEqual(await backend.read(y, 6));
    backend.dispose();
  });

  it('gives back what the uploads did not keep: the next stage of the same size reuses it', async () => {
    const backend = await WasmBackend.create();
    const first = backend.stage(100_000, 0);
    const at = first.view().byteOffset;
    first.release();
    first.release();
    const second = backend.stage(100_000, 0);
    expect(second.view().byteOffset).toBe(at);
    second.release();
    backend.dispose();
  });
});

describe('createClassifier streams its weights', () => {
  it('with integrity and progress, from a stream', async () => {
    const bytes = smallWeights();
    const events: LoadProgress[] = [];
    const integrity = `sha384-${createHash('sha384').update(bytes).digest('base64')}`;
    const classifier = await createClassifier({ weights: chunked(bytes, 9), integrity, onProgress: (p) => events.push(p) });
    expect(events[events.length - 1].phase).toBe('done');
    expect(classifier.labels).toHaveLength(10);
    classifier.dispose();
  });

  it('a failed integrity check creates no classifier', async () => {
    await expect(createClassifier({ weights: smallWeights(), integrity: `sha256-${createHash('sha256').update('x').digest('base64')}` })).rejects.toMatchObject({ code: 'WEIGHTS_CORRUPT' });
  });
});
