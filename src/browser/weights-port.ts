// Weights a page opens for its worker: the download (or the cached copy) starts at once, while the
// worker is still booting, and its stream moves to the worker. The Cache API write stays on the page,
// next to the download; the worker says when the bytes were verified (commit) or were bad (abandon).
import { transfer, type Remote } from 'comlink';
import type { OpenedWeights } from '../classifier.js';
import { describeError, reviveError, type ErrorDescription } from './wire-errors.js';

/** One opening of the weights as it crosses to the worker; `id` names it in commit and abandon. */
export interface WireOpenedWeights {
  id: number;
  stream: ReadableStream<Uint8Array>;
  totalBytes: number | null;
  checksum?: string;
  integrityVerified?: boolean;
}

/** The page side, called by the worker through Comlink. */
export interface WeightsPort {
  open(): Promise<WireOpenedWeights>;
  commit(id: number): Promise<boolean>;
  abandon(id: number, error: ErrorDescription | undefined): Promise<boolean>;
  /** Why opening `id`'s stream failed on the page: a moved stream's error loses its code on the way. */
  failure(id: number): ErrorDescription | undefined;
}

/** `stream`, calling `onError` with the error that ends it, if one does. */
function reportingErrors(stream: ReadableStream<Uint8Array>, onError: (error: unknown) => Promise<unknown> | unknown): ReadableStream<Uint8Array> {
  const reader = stream.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done, value } = await reader.read();
        if (done) controller.close();
        else controller.enqueue(value);
      } catch (error) {
        controller.error((await onError(error)) ?? error);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}

let streamsTransfer: boolean | undefined;

/** Whether this browser moves a ReadableStream to a worker (Safari does not). */
export function canTransferStreams(): boolean {
  if (streamsTransfer === undefined) {
    try {
      const stream = new ReadableStream();
      structuredClone(stream, { transfer: [stream as unknown as Transferable] });
      streamsTransfer = true;
    } catch {
      streamsTransfer = false;
    }
  }
  return streamsTransfer;
}

/**
 * Starts opening the weights now and serves each open() the worker asks for: the first gets this
 * one, later ones (a damaged cache entry, a lost GPU device) open again. `close` ends what the worker
 * never finished: downloads are cancelled and unfinished cache writes dropped.
 */
export function servePageWeights(open: (signal: AbortSignal) => Promise<OpenedWeights>, signal?: AbortSignal): { port: WeightsPort; close(): void } {
  const controller = new AbortController();
  const abortLoad = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', abortLoad, { once: true });
  const unfinished = new Map<number, OpenedWeights>();
  const failures = new Map<number, ErrorDescription>();
  let nextId = 0;
  let closed = false;
  let first: Promise<OpenedWeights> | undefined = open(controller.signal);
  first.catch(() => undefined);
  // The caller's signal covers the first load only; later opens end with close().
  void first.finally(() => signal?.removeEventListener('abort', abortLoad)).catch(() => undefined);
  const take = (id: number): OpenedWeights | undefined => {
    const opened = unfinished.get(id);
    unfinished.delete(id);
    failures.delete(id);
    return opened;
  };
  const port: WeightsPort = {
    async open() {
      const pending = first ?? open(controller.signal);
      first = undefined;
      const opened = await pending;
      if (closed) {
        // close() ran while this opened: nobody will read it.
        const reason = new DOMException('The classifier ended before the weights were read.', 'AbortError');
        void opened.stream.cancel(reason).catch(() => undefined);
        void opened.abandon?.(reason)?.catch(() => undefined);
        throw reason;
      }
      const id = nextId++;
      unfinished.set(id, opened);
      const { totalBytes, checksum, integrityVerified } = opened;
      const stream = reportingErrors(opened.stream, (error) => void failures.set(id, describeError(error) ?? { name: 'Error', message: String(error) }));
      return transfer({ id, stream, totalBytes, checksum, integrityVerified }, [stream as unknown as Transferable]);
    },
    failure: (id) => failures.get(id),
    commit: async (id) => (await take(id)?.commit?.()) ?? false,
    abandon: async (id, error) => (await take(id)?.abandon?.(error && reviveError(error))) ?? false,
  };
  const close = (): void => {
    closed = true;
    const reason = new DOMException('The classifier ended before the weights were read.', 'AbortError');
    controller.abort(reason);
    void first?.then((opened) => {
      void opened.stream.cancel(reason).catch(() => undefined);
      return opened.abandon?.(reason);
    }).catch(() => undefined);
    for (const opened of unfinished.values()) void opened.abandon?.(reason)?.catch(() => undefined);
    unfinished.clear();
    failures.clear();
  };
  return { port, close };
}

/** The worker side: opens the weights through the page's port. */
export function openThroughPort(port: Remote<WeightsPort>): () => Promise<OpenedWeights> {
  return async () => {
    const { id, stream, totalBytes, checksum, integrityVerified } = await port.open();
    return {
      stream: reportingErrors(stream, async () => {
        const failure = await port.failure(id);
        return failure && reviveError(failure);
      }),
      totalBytes, checksum, integrityVerified,
      commit: () => port.commit(id),
      abandon: (error) => port.abandon(id, describeError(error)),
    };
  };
}
