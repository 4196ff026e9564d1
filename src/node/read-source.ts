// Reading bytes from what Node users pass: a path or file: URL, plus everything portable (bytes, Blobs, streams, http(s)).
import { open, type FileHandle } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AlexNetError } from '../errors.js';
import { openPortableSource, readStream, type OpenedSource, type PortableByteSource, type SourceErrors } from '../io/open-bytes.js';

export type ByteSource = PortableByteSource;

/** Bytes of `source`, read whole; failures become AlexNetError with `notFound` / `downloadFailed` codes. */
export async function readBytes(source: ByteSource, codes: SourceErrors, what: string, signal?: AbortSignal): Promise<Uint8Array> {
  const { stream } = await openSource(source, codes, what, signal);
  return readStream(stream, signal);
}

/** `source` as a stream of bytes, without reading it all first; same errors as readBytes. */
export async function openSource(source: ByteSource, codes: SourceErrors, what: string, signal?: AbortSignal): Promise<OpenedSource> {
  const portable = await openPortableSource(source, codes, what, signal);
  if (portable) return portable;
  if (typeof source !== 'string' && !(source instanceof URL && source.protocol === 'file:')) {
    throw new AlexNetError('INVALID_ARGUMENT', `Cannot read ${what} from ${describe(source)}; pass a path, a URL, bytes, a Blob, a Response or a ReadableStream.`);
  }
  const path = source instanceof URL ? fileURLToPath(source) : /^file:/i.test(source) ? fileURLToPath(source) : source;
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    const info = await handle.stat();
    if (!info.isFile()) {
      await handle.close();
      const kind = info.isDirectory() ? 'a directory' : 'not a regular file';
      throw new AlexNetError(codes.notFound, `Cannot read ${what} at ${path}: it is ${kind}.`);
    }
    // No signal here: streamModel checks it between chunks and cancels the stream, which closes the file.
    return { stream: fileStream(handle), totalBytes: info.size };
  } catch (error) {
    if (error instanceof AlexNetError) throw error;
    await handle?.close().catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'EACCES' || code === 'ENOTDIR') {
      throw new AlexNetError(codes.notFound, `Cannot read ${what} at ${path} (${code}).`, { cause: error });
    }
    throw error;
  }
}

/** Bytes read from a file per pull. */
const FILE_CHUNK_BYTES = 1 << 20;

/**
 * A file's bytes as a pull-based stream over its handle: nothing is read ahead, and cancelling at any
 * moment (a rejected header, an abort) just closes the file. (Node's Readable.toWeb adapter could
 * enqueue into an already-cancelled stream and crash the process with ERR_INVALID_STATE.)
 */
function fileStream(handle: FileHandle): ReadableStream<Uint8Array> {
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close().catch(() => undefined);
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let bytesRead: number;
      const chunk = new Uint8Array(FILE_CHUNK_BYTES);
      try {
        ({ bytesRead } = await handle.read(chunk, 0, FILE_CHUNK_BYTES, null));
      } catch (error) {
        if (closed) return;
        await close();
        controller.error(error);
        return;
      }
      // Cancelled while the read was under way: the stream takes nothing more.
      if (closed) return;
      if (bytesRead === 0) {
        await close();
        controller.close();
        return;
      }
      controller.enqueue(chunk.subarray(0, bytesRead));
    },
    cancel: close,
  });
}

function describe(value: unknown): string {
  return value instanceof URL ? `a ${value.protocol} URL` : Object.prototype.toString.call(value);
}
