// Offline copies of weights files in the Cache API. A file is trusted only with its record (size and
// xxh32 checksum), written after the file itself was stored and verified, so a half-written or damaged
// copy is noticed: it fails its checksum while streaming, gets deleted, and is downloaded again.
import type { OpenedWeights } from '../io/opened-weights.js';
import { AlexNetError } from '../errors.js';
import { openPortableSource, type SourceErrors } from '../io/open-bytes.js';
import { CHECKSUM_ALGORITHM, createDigest } from '../weights/digest.js';
import { CacheWriteDecision } from './cache-write-decision.js';
import { clearWeightsCache, RECORDS_CACHE_NAME, WEIGHTS_CACHE_NAME } from '../io/clear-weights-cache.js';


interface CacheRecord {
  bytes: number;
  checksum: string;
  /** The caller's SRI string that these bytes passed, if one was given. */
  integrity?: string;
  storedAt: string;
}

/**
 * Bytes of download that may wait for the cache write: the file, which a fast download leaves for after
 * the first result (below). The loader itself buffers no more than a chunk (layers land in backend
 * memory), so load memory stays under 1.3x the file; 32 MB when the size is unknown (a full queue
 * starts the write).
 */
function cacheQueueBytes(totalBytes: number | null): number {
  return totalBytes === null ? 32 << 20 : Math.max(8 << 20, totalBytes);
}

const ERRORS: SourceErrors = { notFound: 'WEIGHTS_NOT_FOUND', downloadFailed: 'WEIGHTS_DOWNLOAD_FAILED' };



const DAMAGE_CODES = new Set(['WEIGHTS_CORRUPT', 'WEIGHTS_TRUNCATED', 'WEIGHTS_SHAPE_MISMATCH', 'WEIGHTS_UNSUPPORTED_VERSION', 'MODEL_INVALID']);

/** Whether a failed read says the cached bytes are bad (not an abort, not a backend out of memory). */
function showsDamage(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted || (error as Error)?.name === 'AbortError') return false;
  // A failing read of the cache body itself (no code) counts as damage too.
  return error instanceof AlexNetError ? DAMAGE_CODES.has(error.code) : error !== undefined;
}

/** Clearing is best effort: a failure here must not replace the error being reported. */
function forget(url: string): Promise<void> {
  return clearWeightsCache(url).catch(() => undefined);
}

function writeRecord(records: Cache, url: string, record: CacheRecord): Promise<void> {
  return records.put(url, new Response(JSON.stringify(record), { headers: { 'content-type': 'application/json' } }));
}

/**
 * The weights at `url`: the cached copy when there is a whole one, else a download that is stored as it
 * streams and recorded once verified. `integrity` is the caller's SRI string, if any.
 */
export async function openCachedWeights(url: string, integrity: string | undefined, signal?: AbortSignal): Promise<OpenedWeights> {
  let files: Cache;
  let records: Cache;
  let file: Response | undefined;
  let recordResponse: Response | undefined;
  try {
    [files, records] = await Promise.all([caches.open(WEIGHTS_CACHE_NAME), caches.open(RECORDS_CACHE_NAME)]);
    [file, recordResponse] = await Promise.all([files.match(url), records.match(url)]);
  } catch {
    // Storage blocked (some private modes) or broken: load from the network, uncached.
    return (await openPortableSource(url, ERRORS, 'the weights', signal))!;
  }
  const record = (await recordResponse?.json().catch(() => undefined)) as CacheRecord | undefined;
  // Another hash of the same kind than the one these bytes passed means another file: do not even read it.
  const stale = integrity && record?.integrity && integrity.split('-')[0] === record.integrity.split('-')[0] && integrity !== record.integrity;
  // A record of an earlier release's checksum form (xxh64) is as good as none: the copy is fetched again.
  const trusted = typeof record?.checksum === 'string' && record.checksum.startsWith(`${CHECKSUM_ALGORITHM}-`) ? record : undefined;
  if (file?.body && trusted && !stale) {
    const integrityVerified = integrity !== undefined && integrity === trusted.integrity;
    return {
      stream: file.body,
      totalBytes: trusted.bytes,
      checksum: trusted.checksum,
      integrityVerified,
      // The caller's hash was checked on this read: remember it, so the next read skips it.
      async commit() {
        if (integrity && !integrityVerified) await writeRecord(records, url, { ...trusted, integrity });
        return true;
      },
      async abandon(error) {
        if (!showsDamage(error, signal)) return false;
        await forget(url);
        return true;
      },
    };
  }
  if (file || recordResponse) await forget(url);
  return storeWhileDownloading(url, files, records, integrity, signal);
}

async function storeWhileDownloading(url: string, files: Cache, records: Cache, integrity: string | undefined, signal?: AbortSignal): Promise<OpenedWeights> {
  const download = (await openPortableSource(url, ERRORS, 'the weights', signal))!;
  let bytes = 0;
  let checksum: string | undefined;
  let body!: ReadableStreamDefaultController<Uint8Array>;
  let storing = true;
  // Resolves when the cache has taken what was queued: a very slow disk holds the download back, not memory.
  let drained: (() => void) | undefined;
  const decision = new CacheWriteDecision();
  // The chunks the loader read wait here (no copy of them is made) until the write starts.
  const queued = new ReadableStream<Uint8Array>({
    start: (controller) => void (body = controller),
    pull: () => drained?.(),
  }, new ByteLengthQueuingStrategy({ highWaterMark: cacheQueueBytes(download.totalBytes) }));
  const write = async (): Promise<boolean> => {
    // Hashed as it is written, off the way to the first result; the record says what a later read must find.
    const digest = await createDigest(CHECKSUM_ALGORITHM);
    const hashed = queued.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        digest.update(chunk);
        controller.enqueue(chunk);
      },
    }));
    await files.put(url, new Response(hashed, { headers: { 'content-type': 'application/octet-stream' } }));
    checksum = digest.finish();
    return true;
  };
  const stored = decision.decided.then((yes) => yes && write().catch(() => false));
  // A cache that gives up (quota) stops taking chunks; loading goes on without it.
  void stored.then((ok) => {
    if (!ok) storing = false;
  });
  const stream = download.stream.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
    async transform(chunk, controller) {
      bytes += chunk.byteLength;
      if (storing) {
        try {
          body.enqueue(chunk);
        } catch {
          storing = false; // The cache gave up (quota): loading goes on without it.
        }
      }
      controller.enqueue(chunk);
      if (storing && (body.desiredSize ?? 1) < 0) {
        // Memory before speed: a full queue is written now.
        decision.write();
        await Promise.race([new Promise<void>((resolve) => (drained = resolve)), stored]);
        drained = undefined;
      }
    },
  }));
  return {
    stream,
    totalBytes: download.totalBytes,
    async commit(firstAnswer) {
      if (storing) body.close();
      void firstAnswer.then(() => decision.write());
      if (!(await stored)) {
        await forget(url);
        return false;
      }
      await writeRecord(records, url, { bytes, checksum: checksum!, integrity, storedAt: new Date().toISOString() });
      return true;
    },
    async abandon(error) {
      if (storing) body.error(error);
      // A write the full queue or a slow download had started ends with the error.
      decision.drop();
      await stored;
      await forget(url);
      return false;
    },
  };
}
