// A helper thread of the wasm backend, built on its own into wasm-thread.js (npm run build:wasm) so
// browsers start it as a module worker and Node as a worker thread, with nothing to resolve. It
// instantiates the kernels on the shared memory it is given, says it is ready, then runs its share of
// every kernel call the caller publishes (work-items.ts) until it is told to end.
import { runsOnNode } from '../../runtime.js';
import { ControlBlock, GENERATION, runClaimedItems, spinWhile, type KernelFunctions } from './work-items.js';

/**
 * What a helper receives first: its start, or (where a worker had its page start the helper) a port
 * on which the start arrives and reports go.
 */
export type ThreadHello = ThreadStart | { port: MessagePort };

export interface ThreadStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: SharedArrayBuffer;
  /** 1-based: 0 is the calling thread. */
  index: number;
}

/**
 * What a helper reports: ready to take calls; stopped when told to (it runs no kernel after this); or
 * failed (before starting, or while running items).
 */
export type ThreadReport = { type: 'ready' } | { type: 'stopped' } | { type: 'failed'; message: string };

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Takes calls until told to end; a failure is written to the control block so the caller redoes the items. */
function serve(start: ThreadStart, report: (message: ThreadReport) => void): void {
  const control = new ControlBlock(start.control);
  let kernels: KernelFunctions;
  try {
    kernels = new WebAssembly.Instance(start.module, { env: { memory: start.memory } }).exports as unknown as KernelFunctions;
  } catch (error) {
    report({ type: 'failed', message: `could not instantiate the kernels (${describe(error)})` });
    return;
  }
  control.helperStarted(start.index);
  report({ type: 'ready' });
  let seen = Atomics.load(control.slots, GENERATION);
  let running: [number, number] | undefined;
  try {
    for (;;) {
      if (!spinWhile(control.slots, GENERATION, seen)) control.sleepUntilNewCall(seen);
      seen = Atomics.load(control.slots, GENERATION);
      const call = control.callOf(seen);
      if (!call) {
        report({ type: 'stopped' });
        return;
      }
      runClaimedItems(control, kernels, call, (range) => (running = range));
    }
  } catch (error) {
    control.helperFailed(start.index, running);
    report({ type: 'failed', message: describe(error) });
  }
}

const scope = globalThis as unknown as { postMessage(message: unknown): void; addEventListener: typeof addEventListener };
if (!runsOnNode()) {
  // A browser worker: listen at once, before the first message can arrive.
  scope.addEventListener('message', (event) => {
    const hello = (event as MessageEvent<ThreadHello>).data;
    if (!('port' in hello)) {
      serve(hello, (report) => scope.postMessage(report));
      return;
    }
    hello.port.addEventListener('message', (start) => serve(start.data as ThreadStart, (report) => hello.port.postMessage(report)), { once: true });
    hello.port.start();
  }, { once: true });
} else {
  // A computed specifier keeps browser bundlers from following it; Node keeps messages until a listener comes.
  const workerThreads = 'node:worker_threads';
  const { parentPort } = (await import(/* @vite-ignore */ /* webpackIgnore: true */ workerThreads)) as typeof import('node:worker_threads');
  parentPort?.once('message', (start: ThreadStart) => serve(start, (report) => parentPort.postMessage(report)));
}
