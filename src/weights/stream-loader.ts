// Streaming weights loader: parses the safetensors header as soon as it arrives, then hands each
// layer's tensors over the moment their last byte is in, while the rest downloads. Only the layer
// being received is buffered: in the backend's own memory where it offers some (wasm: the bytes land
// where the kernels read them), else in one reused buffer, so the extra memory is at most the
// largest layer (fc6: 62% of an int8 AlexNet file), never a second copy of the file. An SRI hash
// (sha256/384/512) and a cached copy's checksum are checked as bytes pass.
import { concatBytes } from '../bytes.js';
import { AlexNetError, describeValue } from '../errors.js';
import { createDigest, parseDigest, type Digest } from './digest.js';
import { isWeighted } from '../model/spec.js';
import type { LayerWeights, StagedBytes } from '../backends/backend.js';
import { readLayerWeights, readModelHeader, type ModelHeader } from './model-file.js';
import { readHeaderLength, type TensorEntry } from './safetensors.js';

export interface LoadProgress {
  loadedBytes: number;
  /** From Content-Length or the header; null while unknown. */
  totalBytes: number | null;
  tensorsReady: number;
  tensorsTotal: number;
  phase: 'header' | 'tensors' | 'done';
}

export interface StreamLoadOptions {
  /** Known size of the file (Content-Length), if any. */
  totalBytes?: number | null;
  /** Called once the header is parsed and checked, before any tensor. */
  onHeader?(model: ModelHeader): void;
  /**
   * Called for each weighted layer, in file order, as soon as its bytes have arrived. The arrays are
   * views into a buffer reused for the next layer: copy what you keep before returning.
   */
  onLayer(name: string, weights: LayerWeights): void;
  onProgress?(progress: LoadProgress): void;
  /**
   * Where a layer's bytes are written as they arrive (a backend's own memory, so uploading them needs
   * no copy); without it, a buffer of this loader reused from layer to layer.
   */
  stage?: StageBytes;
  /** Subresource Integrity string, e.g. "sha256-<base64>". */
  integrity?: string;
  /** "xxh32-<hex>" recorded with a cached copy: a mismatch means the copy is damaged. */
  checksum?: string;
  signal?: AbortSignal;
}

/** Memory for `bytes` bytes of the file; the byte at `alignAt` should start a well-aligned address. */
export type StageBytes = (bytes: number, alignAt: number) => StagedBytes;

/** The default stage: one buffer, grown to the largest region and reused. */
function reusedBuffer(): StageBytes {
  let buffer = new Uint8Array(0);
  return (bytes) => {
    if (buffer.byteLength < bytes) buffer = new Uint8Array(bytes);
    const region = buffer.subarray(0, bytes);
    return { write: (chunk, at) => region.set(chunk, at), view: () => region, release: () => undefined };
  };
}

interface LayerRegion {
  /** The layers whose tensors lie in this byte range, handed over together when it is complete. */
  layers: { name: string; entries: TensorEntry[] }[];
  begin: number;
  end: number;
  /** Offset in the region of its largest tensor, which the stage aligns. */
  largest: number;
}

/**
 * Weighted layers as byte ranges in file order. Layers whose tensors interleave (files written by
 * other tools may sort tensors by dtype) are merged into one range and handed over at its end.
 */
function layerRegions(model: ModelHeader): LayerRegion[] {
  const single: LayerRegion[] = [];
  for (const plan of model.plans) {
    if (!isWeighted(plan.layer)) continue;
    const entries = model.layerTensors.get(plan.layer.name)!;
    const begin = Math.min(...entries.map((e) => e.begin));
    const end = Math.max(...entries.map((e) => e.end));
    single.push({ layers: [{ name: plan.layer.name, entries }], begin, end, largest: largestBegin(entries) - begin });
  }
  single.sort((a, b) => a.begin - b.begin);
  const merged: LayerRegion[] = [];
  for (const region of single) {
    const last = merged[merged.length - 1];
    if (last && region.begin < last.end) {
      last.layers.push(...region.layers);
      last.end = Math.max(last.end, region.end);
      last.largest = largestBegin(last.layers.flatMap((layer) => layer.entries)) - last.begin;
    } else {
      merged.push(region);
    }
  }
  return merged;
}

function largestBegin(entries: TensorEntry[]): number {
  return entries.reduce((a, b) => (b.end - b.begin > a.end - a.begin ? b : a)).begin;
}

/** Reads a weights file from `stream`, layer by layer; resolves with the parsed header when all layers were handed over. */
export async function streamModel(stream: ReadableStream<Uint8Array>, options: StreamLoadOptions): Promise<ModelHeader> {
  const { signal } = options;
  const checks: { expected: string; digest: Digest; what: 'integrity' | 'checksum' }[] = [];
  for (const what of ['integrity', 'checksum'] as const) {
    const value = options[what];
    if (value === undefined) continue;
    const { algorithm, expected } = parseDigest(value);
    if (what === 'integrity' && algorithm === 'xxh32') throw new AlexNetError('INVALID_ARGUMENT', `integrity takes SRI hashes (sha256, sha384, sha512), found ${describeValue(value)}.`);
    checks.push({ expected, digest: await createDigest(algorithm), what });
  }
  let totalBytes = options.totalBytes ?? null;
  let loaded = 0;
  let headerBytes: Uint8Array = new Uint8Array(0);
  let model: ModelHeader | undefined;
  let regions: LayerRegion[] = [];
  let next = 0;
  const stage = options.stage ?? reusedBuffer();
  let staged: StagedBytes | undefined;
  let tensorsReady = 0;
  let tensorsTotal = 0;
  const report = (phase: LoadProgress['phase']): void =>
    options.onProgress?.({ loadedBytes: loaded, totalBytes, tensorsReady, tensorsTotal, phase });

  // Copies the part of `chunk` (which starts at file offset `at`) that falls into pending layers.
  const consume = (chunk: Uint8Array, at: number): void => {
    const chunkEnd = at + chunk.byteLength;
    while (next < regions.length) {
      const region = regions[next];
      if (chunkEnd <= region.begin && region.end > region.begin) return;
      staged ??= stage(region.end - region.begin, region.largest);
      const from = Math.max(region.begin, at);
      const to = Math.min(region.end, chunkEnd);
      if (to > from) staged.write(chunk.subarray(from - at, to - at), from - region.begin);
      if (chunkEnd < region.end) return;
      for (const { name, entries } of region.layers) {
        const shifted = entries.map((e) => ({ ...e, begin: e.begin - region.begin, end: e.end - region.begin }));
        options.onLayer(name, readLayerWeights(staged.view(), shifted));
        tensorsReady += entries.length;
      }
      staged.release();
      staged = undefined;
      next++;
    }
  };

  const reader = stream.getReader();
  // An abort also ends a read that is waiting (a stalled stream, a download backing off).
  const cancelOnAbort = (): void => void reader.cancel(signal?.reason).catch(() => undefined);
  signal?.addEventListener('abort', cancelOnAbort, { once: true });
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) break;
      for (const check of checks) check.digest.update(value);
      const at = loaded;
      loaded += value.byteLength;
      if (!model) {
        headerBytes = concatBytes([headerBytes, value]);
        if (headerBytes.byteLength >= 8 && headerBytes.byteLength >= 8 + readHeaderLength(headerBytes)) {
          model = readModelHeader(headerBytes);
          totalBytes ??= model.header.fileBytes;
          regions = layerRegions(model);
          tensorsTotal = model.header.tensors.length;
          options.onHeader?.(model);
          consume(headerBytes, 0);
          headerBytes = new Uint8Array(0);
        }
        report('header');
        continue;
      }
      consume(value, at);
      report('tensors');
    }
  } catch (error) {
    await reader.cancel().catch(() => undefined);
    if (signal?.aborted) throw signal.reason;
    throw error;
  } finally {
    signal?.removeEventListener('abort', cancelOnAbort);
    reader.releaseLock();
    staged?.release();
  }
  if (!model) {
    readHeaderLength(headerBytes);
    throw new AlexNetError('WEIGHTS_TRUNCATED', `The weights file ended after ${loaded} bytes, inside its header. The download or copy was cut short; fetch it again.`);
  }
  if (next < regions.length || loaded < model.header.fileBytes) {
    throw new AlexNetError('WEIGHTS_TRUNCATED', `The weights file is ${loaded} bytes but its header describes ${model.header.fileBytes}. The download or copy was cut short; fetch it again.`);
  }
  for (const { expected, digest, what } of checks) {
    const actual = digest.finish();
    if (actual === expected) continue;
    throw new AlexNetError('WEIGHTS_CORRUPT', what === 'integrity'
      ? `Integrity check failed: expected ${expected}, got ${actual}. The file is not the one the page asked for.`
      : `The cached copy of the weights is damaged (checksum ${actual}, recorded ${expected}).`);
  }
  report('done');
  return model;
}

