// How many threads the wasm backend runs on, and why: the caller's `threads`, else every core the
// platform reports (capped), and only where the platform lets threads share memory and wait.
import { runsOnNode } from '../../runtime.js';
import { MAX_THREADS } from './work-items.js';

/**
 * The default's cap, reasoned, not measured (this project's machines have 2 cores): beyond 8 the fully
 * connected layers, bound by memory bandwidth, and AlexNet's 13x13 convolutions (a few dozen items a
 * call) would leave threads idle.
 */
export const MAX_DEFAULT_THREADS = 8;

export interface ThreadPlan {
  threads: number;
  /**
   * How the calling thread waits for the others: 'blocking' (Atomics.wait; it computes too) or 'async'
   * (a page's main thread, which may not block: Atomics.waitAsync, and `threads` helpers compute).
   */
  wait: 'blocking' | 'async';
  /** Why, as the tail of a backendReason line: "2 threads (...)" or "1 thread: ...". */
  reason: string;
}

const ISOLATION_HINT = 'serve it with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp or credentialless';

/** Cores the platform reports: navigator.hardwareConcurrency, or Node's os.availableParallelism(). */
async function reportedCores(): Promise<number> {
  const reported = (globalThis.navigator as Navigator | undefined)?.hardwareConcurrency;
  if (reported) return reported;
  if (!runsOnNode()) return 1;
  // A computed specifier keeps browser bundlers from following it.
  const osModule = 'node:os';
  const os = (await import(/* @vite-ignore */ /* webpackIgnore: true */ osModule)) as typeof import('node:os');
  return os.availableParallelism?.() ?? os.cpus().length;
}

/** Whether this thread may block in Atomics.wait (a page's main thread may not). */
function mayBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Why threads cannot share memory here, or undefined when they can. */
function unsupportedBecause(): string | undefined {
  if ((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return `the page is not cross-origin isolated (${ISOLATION_HINT})`;
  if (typeof SharedArrayBuffer !== 'function') return `SharedArrayBuffer is missing (${ISOLATION_HINT})`;
  if (typeof Worker !== 'function' && !runsOnNode()) return 'this context cannot start Workers';
  return undefined;
}

/** Threads for a `threads` option (undefined: the default), and why. */
export async function planThreads(requested: number | undefined): Promise<ThreadPlan> {
  const one = (reason: string): ThreadPlan => ({ threads: 1, wait: 'blocking', reason });
  if (requested === 1) return one('1 thread (threads: 1 was asked for)');
  let threads: number;
  let why: string;
  if (requested === undefined) {
    const cores = await reportedCores();
    threads = Math.min(cores, MAX_DEFAULT_THREADS);
    why = threads < cores ? `${threads} of ${cores} cores: more do not help AlexNet` : `every core: ${cores} reported`;
  } else {
    threads = Math.min(requested, MAX_THREADS);
    why = threads < requested ? `threads: ${requested} was asked for, at most ${MAX_THREADS} run` : `threads: ${requested} was asked for`;
  }
  if (threads <= 1) return one(`1 thread (${why})`);
  const unsupported = unsupportedBecause();
  if (unsupported) return one(`1 thread: ${unsupported}`);
  if (mayBlock()) return { threads, wait: 'blocking', reason: `${threads} threads (${why})` };
  if (typeof Atomics.waitAsync !== 'function') {
    return one("1 thread: a page's main thread may not wait for others and this browser has no Atomics.waitAsync (run the classifier in its worker, the default)");
  }
  return { threads, wait: 'async', reason: `${threads} threads (${why}; helpers compute while the page's main thread waits with Atomics.waitAsync)` };
}
