// Reading bytes from what Node users pass: a path or file: URL, plus everything portable (bytes, Blobs, streams, http(s)).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { AlexNetError } from '../errors.js';
import { openPortableSource, readStream, type OpenedSource, type PortableByteSource, type SourceErrors } from '../io/open-bytes.js';

export type ByteSource = PortableByteSource;

/** Bytes of `source`, read whole; failures become AlexNetError with `notFound` / `downloadFailed` codes. */
export async function readBytes(source: ByteSource, codes: SourceErrors, what: string, signal?: AbortSignal): Promise<Uint8Array> {
  const { stream, totalBytes } = await openSource(source, codes, what, signal);
  return readStream(stream, totalBytes ?? undefined, signal);
}

/** `source` as a stream of bytes, without reading it all first; same errors as readBytes. */
export async function openSource(source: ByteSource, codes: SourceErrors, what: string, signal?: AbortSignal): Promise<OpenedSource> {
  const portable = await openPortableSource(source, codes, what, signal);
  if (portable) return portable;
  if (typeof source !== 'string' && !(source instanceof URL && source.protocol === 'file:')) {
    throw new AlexNetError('INVALID_ARGUMENT', `Cannot read ${what} from ${describe(source)}; pass a path, a URL, bytes, a Blob, a Response or a ReadableStream.`);
  }
  const path = source instanceof URL ? fileURLToPath(source) : /^file:/i.test(source) ? fileURLToPath(source) : source;
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

function describe(value: unknown): string {
  return value instanceof URL ? `a ${value.protocol} URL` : Object.prototype.toString.call(value);
}
