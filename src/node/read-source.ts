// Reading bytes from what Node users pass: a path, a file: or http(s): URL, bytes, or a stream.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { AlexNetError, type AlexNetErrorCode } from '../errors.js';
import { openResumableDownload } from '../weights/resumable-download.js';

export type ByteSource = string | URL | Uint8Array | ArrayBuffer | ReadableStream<Uint8Array> | Blob;

/** Concatenates a stream, preallocating when the size is known. */
export async function readStream(stream: ReadableStream<Uint8Array>, expectedBytes?: number, signal?: AbortSignal): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(Math.max(total, expectedBytes ?? 0)).subarray(0, total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Bytes of `source`, read whole; failures become AlexNetError with `notFound` / `downloadFailed` codes. */
export async function readBytes(
  source: ByteSource, codes: { notFound: AlexNetErrorCode; downloadFailed: AlexNetErrorCode }, what: string, signal?: AbortSignal,
): Promise<Uint8Array> {
  const { stream, totalBytes } = await openSource(source, codes, what, signal);
  return readStream(stream, totalBytes ?? undefined, signal);
}

export interface OpenedSource {
  stream: ReadableStream<Uint8Array>;
  /** Size when known (file size, Content-Length, buffer length). */
  totalBytes: number | null;
}

function bufferStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/** `source` as a stream of bytes, without reading it all first; same errors as readBytes. */
export async function openSource(
  source: ByteSource, codes: { notFound: AlexNetErrorCode; downloadFailed: AlexNetErrorCode }, what: string, signal?: AbortSignal,
): Promise<OpenedSource> {
  if (source instanceof Uint8Array) return { stream: bufferStream(source), totalBytes: source.byteLength };
  if (source instanceof ArrayBuffer) return { stream: bufferStream(new Uint8Array(source)), totalBytes: source.byteLength };
  if (typeof Blob !== 'undefined' && source instanceof Blob) return { stream: source.stream(), totalBytes: source.size };
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) return { stream: source, totalBytes: null };
  if (typeof source !== 'string' && !(source instanceof URL)) {
    throw new AlexNetError('INVALID_ARGUMENT', `Cannot read ${what} from ${Object.prototype.toString.call(source)}; pass a path, a URL, bytes, a Blob or a ReadableStream.`);
  }
  const url = source instanceof URL ? source : /^(file|https?):/i.test(source) ? new URL(source) : undefined;
  if (url && url.protocol !== 'file:') return openResumableDownload(url, { signal, what, errorCode: codes.downloadFailed });
  const path = url ? fileURLToPath(url) : (source as string);
  try {
    const { size, isFile } = await stat(path).then((s) => ({ size: s.size, isFile: s.isFile() }));
    if (!isFile) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
    // No signal here: streamModel checks it between chunks and cancels the stream, which closes the file.
    const file = createReadStream(path);
    return { stream: Readable.toWeb(file) as ReadableStream<Uint8Array>, totalBytes: size };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES') {
      throw new AlexNetError(codes.notFound, `Cannot read ${what} at ${path} (${code}).`, { cause: error });
    }
    throw error;
  }
}
