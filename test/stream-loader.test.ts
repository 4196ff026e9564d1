// The streaming loader: layers handed over while the file is still arriving, progress, integrity, truncation, abort.
import { describe, expect, it } from 'vitest';
import { createClassifier } from '../src/node/index.js';
import type { LayerWeights } from '../src/weights/model-file.js';
import { readModel } from '../src/weights/model-file.js';
import { encodeSafetensors, parseHeader } from '../src/weights/safetensors.js';
import { concatBytes } from './helpers.js';
import { streamModel, type LoadProgress } from '../src/weights/stream-loader.js';
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
