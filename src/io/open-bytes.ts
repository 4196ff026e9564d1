// Byte sources every platform reads the same way: buffers, Blobs, streams, Responses and http(s) URLs.
import { concatBytes } from '../bytes.js';
import { AlexNetError, type AlexNetErrorCode } from '../errors.js';
import { contentLength, openResumableDownload } from './resumable-download.js';

/** Sources that need no file system. */
export type PortableByteSource = Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array> | Response | URL | string;

export interface OpenedSource {
  stream: ReadableStream<Uint8Array>;
  /** Size when known (file size, Content-Length, buffer length). */
  totalBytes: number | null;
}

export interface SourceErrors {
  notFound: AlexNetErrorCode;
  downloadFailed: AlexNetErrorCode;
}

function bufferStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes);
      controller.close();
    },
  });
}

/**
 * `source` as a stream of bytes, without reading it all first; undefined for what only a platform
 * can open (paths and file: URLs in Node). `http(s)` URLs resume with Range requests when cut.
 */
export async function openPortableSource(source: unknown, codes: SourceErrors, what: string, signal?: AbortSignal): Promise<OpenedSource | undefined> {
  if (source instanceof Uint8Array) return { stream: bufferStream(source), totalBytes: source.byteLength };
  if (source instanceof ArrayBuffer) return { stream: bufferStream(new Uint8Array(source)), totalBytes: source.byteLength };
  if (typeof Blob !== 'undefined' && source instanceof Blob) return { stream: source.stream(), totalBytes: source.size };
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) return { stream: source, totalBytes: null };
  if (typeof Response !== 'undefined' && source instanceof Response) {
    if (!source.ok || !source.body) throw new AlexNetError(codes.downloadFailed, `The Response for ${what} has status ${source.status} ${source.statusText}${source.body ? '' : ' and no body'}.`);
    if (source.bodyUsed) throw new AlexNetError('INVALID_ARGUMENT', `The Response for ${what} was already read; pass a fresh one (or response.clone()).`);
    return { stream: source.body, totalBytes: contentLength(source) };
  }
  const url = source instanceof URL ? source : typeof source === 'string' && /^https?:/i.test(source) ? new URL(source) : undefined;
  if (url && /^https?:$/.test(url.protocol)) return openResumableDownload(url, { signal, what, errorCode: codes.downloadFailed });
  return undefined;
}

/** The whole of a stream, as one array. */
export async function readStream(stream: ReadableStream<Uint8Array>, signal?: AbortSignal): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return concatBytes(chunks);
}
