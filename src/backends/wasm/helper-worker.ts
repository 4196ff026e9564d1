// Starts one helper thread (thread.ts, built as wasm-thread.js): a module Worker in browsers (from a
// URL beside the package's scripts: no blob: or data:, so a strict CSP page keeps working), a
// worker thread in Node. Resolves once the helper has instantiated the kernels on the shared memory.
// A context can have its threads started elsewhere (a ThreadStarter): the engine's worker has its
// page start them, so no worker ever owns workers (Chromium can leave a worker ended while it ends its
// own workers running forever, and later threads then hang).
import { runsOnNode } from '../../runtime.js';
import type { ThreadReport, ThreadStart } from './thread.js';

export interface HelperWorker {
  /** Once, when the helper fails or ends after it was ready: why. */
  onEnd(listener: (why: string) => void): void;
  /** Resolves once the helper runs no kernel any more: it stopped when told to, failed or ended. */
  readonly stopped: Promise<void>;
  /** Ends the thread; resolves once it exited (Node says when; browsers do not, so at once). */
  terminate(): Promise<void>;
}

/** How long a helper may take to start (download, compile, instantiate) before it is given up. */
const START_TIMEOUT_MS = 20_000;

/** A started thread script, as startHelperWorker talks to it, wherever it runs. */
export interface ThreadWorker {
  post(message: ThreadStart): void;
  onReport(listener: (report: ThreadReport) => void): void;
  onError(listener: (why: string) => void): void;
  terminate(): Promise<void>;
}

/** Starts the thread script at `url`; `name` is for debuggers. */
export type ThreadStarter = (url: URL, name: string) => Promise<ThreadWorker>;

/** Starts the script in this context: a module Worker, or a Node worker thread. */
export const startThreadHere: ThreadStarter = async (url, name) => {
  if (!runsOnNode()) {
    const worker = new Worker(url, { type: 'module', name });
    return {
      post: (message) => worker.postMessage(message),
      onReport: (listener) => worker.addEventListener('message', (event) => listener(event.data as ThreadReport)),
      onError: (listener) => {
        worker.addEventListener('error', (event) => {
          event.preventDefault();
          listener(event.message || `its script ${url.href} could not be loaded`);
        });
        worker.addEventListener('messageerror', () => listener('a message could not be read'));
      },
      terminate: () => {
        worker.terminate();
        return Promise.resolve();
      },
    };
  }
  // Node. A computed specifier keeps browser bundlers from following it.
  const workerThreads = 'node:worker_threads';
  const { Worker: NodeWorker } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ workerThreads)) as typeof import('node:worker_threads');
  // No Node options: the helper's script is self-contained, and inherited ones can stop it starting
  // (`--input-type` of `node -e`); V8's flags (relaxed SIMD in Node 20) are the process's anyway.
  const worker = new NodeWorker(url, { name, execArgv: [] });
  // Helpers never keep a process alive: a script that forgets dispose() still exits. (A 'message'
  // listener refs the worker's port again, so unref after adding it.)
  worker.unref();
  return {
    post: (message) => worker.postMessage(message),
    onReport: (listener) => {
      worker.on('message', listener);
      worker.unref();
    },
    onError: (listener) => {
      worker.on('error', (error) => listener(error.message));
      worker.on('exit', (code) => listener(`it exited with code ${code}`));
    },
    terminate: () => worker.terminate().then(
      () => undefined,
      () => undefined,
    ),
  };
};

/** A started helper thread, or an Error saying why it could not start (it is then ended). */
export async function startHelperWorker(url: URL, start: ThreadStart, startThread: ThreadStarter = startThreadHere): Promise<HelperWorker> {
  const worker = await startThread(url, `alexnet-web thread ${start.index}`);
  let endListener: ((why: string) => void) | undefined;
  let ended: string | undefined;
  let markStopped!: () => void;
  const stopped = new Promise<void>((resolve) => (markStopped = resolve));
  const end = (why: string): void => {
    markStopped();
    if (ended !== undefined) return;
    ended = why;
    endListener?.(why);
  };
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`it did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    worker.onReport((report) => {
      clearTimeout(timer);
      if (report.type === 'ready') resolve();
      else if (report.type === 'stopped') markStopped();
      else {
        reject(new Error(report.message));
        end(report.message);
      }
    });
    worker.onError((why) => {
      clearTimeout(timer);
      reject(new Error(why));
      end(why);
    });
  });
  worker.post(start);
  try {
    await ready;
  } catch (error) {
    void worker.terminate();
    throw error;
  }
  return {
    stopped,
    onEnd: (listener) => {
      endListener = listener;
      if (ended !== undefined) listener(ended);
    },
    terminate: () => {
      ended ??= 'it was ended';
      markStopped();
      return worker.terminate();
    },
  };
}
