// A download as a byte stream that survives a dropped connection: when the body breaks off (or ends
// short of Content-Length), it asks again for the rest with a Range request, a bounded number of
// times with exponential backoff, instead of starting over.
import { AlexNetError, type AlexNetErrorCode } from '../errors.js';

export interface ResumableDownloadOptions {
  signal?: AbortSignal;
  /** Range requests after a drop before giving up (default 3). */
  retries?: number;
  /** First backoff; doubles each retry (default 250 ms). */
  backoffMs?: number;
  /** What the download is, for messages ("the weights"). */
  what?: string;
  /** Code of the errors thrown (default WEIGHTS_DOWNLOAD_FAILED). */
  errorCode?: AlexNetErrorCode;
}

export interface Download {
  stream: ReadableStream<Uint8Array>;
  /** Content-Length of the first response, when the server sent one. */
  totalBytes: number | null;
}

async function request(
  url: string, signal: AbortSignal | undefined, from: number, what: string, failed: (message: string, cause?: unknown) => AlexNetError, version?: string,
): Promise<Response> {
  let response: Response;
  // If-Range: a server whose file changed since the first bytes answers 200, not a range of the new file.
  const headers: Record<string, string> | undefined = from > 0 ? { Range: `bytes=${from}-`, ...(version ? { 'If-Range': version } : {}) } : undefined;
  try {
    response = await fetch(url, { signal, headers });
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw failed(`Could not download ${what} from ${url}: ${(error as Error).message}.`, error);
  }
  if (!response.ok || !response.body) {
    throw failed(`Downloading ${what} from ${url} failed with HTTP ${response.status} ${response.statusText}.`);
  }
  return response;
}

/** The body's size from Content-Length; null when absent or when the body is compressed (the length is not the file's). */
export function contentLength(response: Response): number | null {
  const length = Number(response.headers.get('content-length') ?? NaN);
  return Number.isSafeInteger(length) && length > 0 && !response.headers.get('content-encoding') ? length : null;
}

/** Starts downloading `url`; the returned stream resumes with Range requests when the connection drops. */
export async function openResumableDownload(url: string | URL, options: ResumableDownloadOptions = {}): Promise<Download> {
  const { signal, retries = 3, backoffMs = 250, what = 'the file', errorCode = 'WEIGHTS_DOWNLOAD_FAILED' } = options;
  const failed = (message: string, cause?: unknown): AlexNetError => new AlexNetError(errorCode, message, { cause });
  const href = String(url);
  const first = await request(href, signal, 0, what, failed);
  const totalBytes = contentLength(first);
  // Weak ETags never match in If-Range: use Last-Modified then.
  const etag = first.headers.get('etag');
  const version = (etag && !etag.startsWith('W/') ? etag : first.headers.get('last-modified')) ?? undefined;
  let reader = first.body!.getReader();
  let received = 0;
  let attempts = 0;

  const resume = async (cause: unknown): Promise<void> => {
    if (attempts >= retries) {
      throw failed(`The connection dropped after ${received}${totalBytes ? ` of ${totalBytes}` : ''} bytes of ${what} and ${retries} attempts to resume failed. Check the network and try again.`, cause);
    }
    await new Promise((resolve) => setTimeout(resolve, backoffMs * 2 ** attempts));
    attempts++;
    signal?.throwIfAborted();
    const response = await request(href, signal, received, what, failed, version);
    const range = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '');
    if (response.status !== 206 || !range || Number(range[1]) !== received) {
      await response.body?.cancel();
      throw failed(`The connection dropped after ${received} bytes of ${what}, and ${href} does not support resuming (no HTTP 206 for a Range request, or the file changed meanwhile). Try again, or serve the file with Range support.`, cause);
    }
    reader = response.body!.getReader();
  };

  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          if (signal?.aborted) throw signal.reason;
          await resume(error);
          continue;
        }
        if (result.done) {
          if (totalBytes !== null && received < totalBytes) {
            await resume(new Error('body ended early'));
            continue;
          }
          controller.close();
          return;
        }
        received += result.value.byteLength;
        controller.enqueue(result.value);
        return;
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  return { stream, totalBytes };
}
