// Runs the wasm backend's kernel calls: on the calling thread alone, or shared with helper threads
// over one shared WebAssembly.Memory (work-items.ts has the protocol). A caller that may block works
// too and sleeps with Atomics.wait only for the items others are still running; a page's main thread,
// which may not block, leaves the items to the helpers and awaits Atomics.waitAsync.
import { AlexNetError } from '../../errors.js';
import { startHelperWorker, type HelperWorker, type ThreadStarter } from './helper-worker.js';
import { ControlBlock, CONTROL_BYTES, DONE, FAILED, MAX_SHARED_ITEMS, runClaimedItems, spinWhile, type KernelCall, type KernelFunctions } from './work-items.js';

/** Runs kernel calls; `threads` is how many threads take part now. */
export interface Executor {
  readonly threads: number;
  /** Runs every item of `call` before it returns; absent where the calling thread may not wait (see runAsync). */
  run?(call: KernelCall): void;
  /** Resolves once every item of `call` ran: for a calling thread that may not block. */
  runAsync?(call: KernelCall): Promise<void>;
  /** Ends the helper threads (if any); resolves once none of them runs a kernel any more. */
  dispose(): Promise<void>;
}

/** Every call on the calling thread, all items at once. */
export class SerialExecutor implements Executor {
  readonly threads = 1;

  constructor(private readonly kernels: KernelFunctions) {}

  run({ kernel, args, items }: KernelCall): void {
    this.kernels[kernel](...args, 0, items);
  }

  async dispose(): Promise<void> {}
}

/** How long the caller sleeps between checks on helpers that might have failed. */
const WAIT_SLICE_MS = 1000;
/** No item finished for this long: a helper is gone without a word (its thread was killed). */
const STALL_MS = 60_000;
/** How long dispose() waits for helpers to say they stopped before it ends them anyway. */
const STOP_WAIT_MS = 5_000;

interface Helper {
  index: number;
  worker: HelperWorker;
  /** Why it stopped taking part, once it has. */
  lost?: string;
  /** Its failure was seen and the items it left were run again. */
  failureHandled?: boolean;
}

/** `lost` of helpers the pool itself ended. */
const ENDED = 'it was ended';

export interface ThreadPoolStart {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  /** The calling thread's instance of `module` on `memory`. */
  kernels: KernelFunctions;
  helpers: number;
  scriptUrl: URL;
  /** 'blocking': the caller computes and waits with Atomics.wait; 'async': helpers compute, the caller awaits. */
  wait: 'blocking' | 'async';
  /** Where helper threads start (default: in this context). */
  startThread?: ThreadStarter;
}

export class ThreadPool implements Executor {
  private readonly helpers: Helper[];
  private failuresSeen = 0;
  private broken: AlexNetError | undefined;
  private ended = false;

  /** Set in 'async' mode, where the caller only waits; absent in 'blocking' mode. */
  readonly runAsync?: (call: KernelCall) => Promise<void>;
  readonly run?: (call: KernelCall) => void;

  private constructor(
    private readonly control: ControlBlock, private readonly kernels: KernelFunctions, helpers: Helper[], readonly startProblems: string[],
    private readonly callerComputes: boolean,
  ) {
    this.helpers = helpers;
    if (callerComputes) this.run = (call) => this.runBlocking(call);
    else this.runAsync = (call) => this.runAwaiting(call);
    // The helper's own words replace the caller's guess; an end the pool asked for stays one.
    for (const helper of helpers) helper.worker.onEnd((why) => (helper.lost = helper.lost === ENDED ? ENDED : why));
  }

  /** Starts the helpers; those that cannot start are left out, with why in startProblems. */
  static async start({ module, memory, kernels, helpers: count, scriptUrl, wait, startThread }: ThreadPoolStart): Promise<ThreadPool> {
    const control = new ControlBlock(new SharedArrayBuffer(CONTROL_BYTES));
    const startOne = (index: number) => startHelperWorker(scriptUrl, { module, memory, control: control.buffer, index }, startThread);
    // A helper that fails to start gets one more try: its script request can fail once, for example
    // while a service worker takes the page over. What fails twice is reported.
    const attempts = await Promise.all(
      Array.from({ length: count }, (_, i) => startOne(i + 1).catch(() => startOne(i + 1)).catch((error: Error) => error)),
    );
    const helpers: Helper[] = [];
    const problems: string[] = [];
    attempts.forEach((attempt, i) => {
      if (attempt instanceof Error) problems.push(`helper thread ${i + 1} could not start: ${attempt.message}`);
      else helpers.push({ index: i + 1, worker: attempt });
    });
    return new ThreadPool(control, kernels, helpers, problems, wait === 'blocking');
  }

  /** Every helper still taking part, and the caller where it computes (or where no helper is left). */
  get threads(): number {
    const helpers = this.liveHelpers;
    return this.callerComputes || helpers === 0 ? 1 + helpers : helpers;
  }

  private get liveHelpers(): number {
    return this.helpers.filter((helper) => !helper.lost).length;
  }

  /** Helpers that stopped after they had started, and why. */
  get losses(): string[] {
    return this.helpers.filter((helper) => helper.lost && helper.lost !== ENDED).map((helper) => `helper thread ${helper.index} stopped: ${helper.lost}`);
  }

  private runBlocking(call: KernelCall): void {
    if (this.broken) throw this.broken;
    // One claim's worth of work, nobody to share it with, or more items than a ticket counts (a huge input): the caller alone.
    if (call.claim >= call.items || this.liveHelpers === 0 || call.items > MAX_SHARED_ITEMS) {
      this.kernels[call.kernel](...call.args, 0, call.items);
      return;
    }
    const shared = this.sharedOut(call);
    const generation = this.control.publish(shared);
    runClaimedItems(this.control, this.kernels, { ...shared, generation });
    this.waitForOthers(call);
  }

  /** `call` with the claims it takes now: one share a thread where it asks so and every helper is awake. */
  private sharedOut(call: KernelCall): KernelCall {
    return call.shares && this.control.helpersAwake() ? { ...call, claim: Math.ceil(call.items / this.threads) } : call;
  }

  private async runAwaiting(call: KernelCall): Promise<void> {
    if (this.broken) throw this.broken;
    // No helper left, or more items than a ticket counts: the page's thread computes, as with threads: 1.
    if (this.liveHelpers === 0 || call.items > MAX_SHARED_ITEMS) {
      this.kernels[call.kernel](...call.args, 0, call.items);
      return;
    }
    this.control.publish(this.sharedOut(call));
    const { slots } = this.control;
    const progress = this.stallWatch(call);
    for (;;) {
      const done = Atomics.load(slots, DONE);
      if (done === call.items) return;
      // dispose() ended the helpers while this call waited for them.
      if (this.ended) throw new AlexNetError('DISPOSED', 'This backend was disposed; create a new classifier.');
      if (Atomics.load(slots, FAILED) !== this.failuresSeen) {
        this.redoFailedItems(call);
        continue;
      }
      progress(done);
      const waiting = Atomics.waitAsync(slots, DONE, done, WAIT_SLICE_MS);
      if (waiting.async) await waiting.value;
    }
  }

  /** Throws (and breaks the pool) when `done` has not moved for STALL_MS. */
  private stallWatch(call: KernelCall): (done: number) => void {
    let lastDone = -1;
    let lastProgress = performance.now();
    return (done) => {
      if (done !== lastDone) {
        lastDone = done;
        lastProgress = performance.now();
      } else if (performance.now() - lastProgress > STALL_MS) {
        this.broken = new AlexNetError(
          'BACKEND_FAILED',
          `A WebAssembly helper thread stopped answering (no item of ${call.kernel} finished in ${STALL_MS / 1000} s). Create a new classifier, or pass threads: 1.`,
        );
        throw this.broken;
      }
    };
  }

  async dispose(): Promise<void> {
    this.ended = true;
    this.control.stop();
    // A page's thread awaiting a call wakes and finds the pool ended.
    Atomics.notify(this.control.slots, DONE);
    for (const helper of this.helpers) helper.lost ??= ENDED;
    // Each helper finishes the items it holds, says it stopped and is ended; one that never says so
    // (its thread is stuck) is ended after STOP_WAIT_MS all the same.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_WAIT_MS)));
    await Promise.all(this.helpers.map((helper) => Promise.race([helper.worker.stopped, timeout])));
    // Ended threads let go of the shared memory: once they exited, the next collection can free it.
    await Promise.all(this.helpers.map((helper) => Promise.race([helper.worker.terminate(), timeout])));
    // A pending timer would keep a Node process alive for STOP_WAIT_MS after its work is done.
    clearTimeout(timer);
  }

  // Sleeps until every item is done; redoes the items of helpers that failed while running them.
  private waitForOthers(call: KernelCall): void {
    const { slots } = this.control;
    const progress = this.stallWatch(call);
    for (;;) {
      const done = Atomics.load(slots, DONE);
      if (done === call.items) return;
      if (Atomics.load(slots, FAILED) !== this.failuresSeen) {
        this.redoFailedItems(call);
        continue;
      }
      progress(done);
      if (!spinWhile(slots, DONE, done)) Atomics.wait(slots, DONE, done, WAIT_SLICE_MS);
    }
  }

  private redoFailedItems(call: KernelCall): void {
    this.failuresSeen = Atomics.load(this.control.slots, FAILED);
    for (const helper of this.helpers) {
      const failure = this.control.helperFailure(helper.index);
      if (!failure || helper.failureHandled) continue;
      helper.failureHandled = true;
      helper.lost ??= 'it failed';
      if (!failure.range) continue;
      const [first, end] = failure.range;
      this.kernels[call.kernel](...call.args, first, end);
      this.control.finish(end - first, call.items);
    }
  }
}
