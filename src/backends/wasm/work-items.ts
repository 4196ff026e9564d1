// How threads share out a kernel call: the calling thread publishes one call (kernel, arguments,
// item count) in a small control block of shared memory; every thread, the caller included, claims
// runs of items with a compare-and-swap on a ticket and calls the kernel on them; the caller waits
// until all items are done. Shared by the pool (thread-pool.ts) and the helper threads (thread.ts).

/** The kernel exports that take an item range [first, end) as their last two arguments. */
export const PARALLEL_KERNELS = [
  'conv2dPack', 'conv2dMultiply', 'winogradTransformInput', 'winogradMultiply', 'spaceToDepth',
  'maxPool', 'lrn', 'fullyConnectedInt8', 'fullyConnectedF32', 'softmax',
  'planeMaxima', 'winogradInt8QuantizeTransform', 'winogradInt8Multiply', 'quantizeRows', 'fullyConnectedW8A8', 'fullyConnectedW8A8Widened',
] as const;

export type ParallelKernel = (typeof PARALLEL_KERNELS)[number];

/** One kernel call shared out by items: `kernel(...args, first, end)` over [0, items). */
export interface KernelCall {
  kernel: ParallelKernel;
  args: number[];
  items: number;
  /** Items a thread claims at a time. */
  claim: number;
  /**
   * Where every helper is awake when the call is published, each thread claims its whole share at
   * once: for kernels whose claims run as one block (the multiply passes), as a claim re-reads all the
   * panels (or weights) it multiplies. conv3-5's int8 multiplies at 2 threads took 1.10 / 0.87 / 0.59 ms
   * in claims of a sixth of a share, 1.00 / 0.75 / 0.50 in one. A helper asleep wakes late (up to
   * milliseconds on a VM): then the claims stay small, and the threads awake take over its share.
   */
  shares?: boolean;
}

export type KernelFunctions = Record<ParallelKernel, (...args: number[]) => void>;

/** Threads the control block has room for, the caller included. */
export const MAX_THREADS = 16;
const MAX_ARGS = 24;

// Int32 slots of the control block.
/** Generation of the call being run; helpers sleep on it (Atomics.wait) until it changes. */
export const GENERATION = 0;
/** (generation mod 2^11) << 20 | next unclaimed item: a claim only succeeds for the current call. */
const TICKET = 1;
/** Items finished in the current call; the caller sleeps on it. */
export const DONE = 2;
const KERNEL = 3;
const ITEMS = 4;
const CLAIM = 5;
const ARG_COUNT = 6;
/** Helpers that failed so far; each one's record below says which items it left unfinished. */
export const FAILED = 7;
/** Helpers asleep in Atomics.wait for the next call. */
const SLEEPING = 8;
const HELPER_RECORDS = 9;
/** Per helper: its state, then the items [first, end) it was running when it failed (-1 if none). */
const RECORD_SLOTS = 3;
const ARGS_BYTE_OFFSET = 8 * Math.ceil(((HELPER_RECORDS + MAX_THREADS * RECORD_SLOTS) * 4) / 8);
export const CONTROL_BYTES = ARGS_BYTE_OFFSET + MAX_ARGS * 8;

/** KERNEL's value that tells helpers to end. */
const STOP = -1;
const RUNNING = 0;
const HAS_FAILED = 1;

const ITEM_BITS = 20;
const ITEM_MASK = (1 << ITEM_BITS) - 1;
/** The most items one shared call can number (the ticket's item field); larger calls run on one thread. */
export const MAX_SHARED_ITEMS = ITEM_MASK;
const GENERATION_MASK = 0x7ff;

/** Views of the control block (a SharedArrayBuffer of CONTROL_BYTES). */
export class ControlBlock {
  readonly slots: Int32Array;
  private readonly args: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer) {
    this.slots = new Int32Array(buffer, 0, ARGS_BYTE_OFFSET / 4);
    this.args = new Float64Array(buffer, ARGS_BYTE_OFFSET, MAX_ARGS);
  }

  /** Caller: publishes `call` as a new generation and wakes the helpers. */
  publish(call: KernelCall): number {
    if (call.args.length > MAX_ARGS || call.items > ITEM_MASK) throw new RangeError(`A kernel call of ${call.args.length} arguments and ${call.items} items does not fit the control block.`);
    const { slots } = this;
    const generation = (slots[GENERATION] + 1) | 0;
    // First: a thread that read this block while it changes may hold a mix of two calls' fields;
    // with the ticket closed its claim fails, so it never runs items of one call by the other's.
    this.closeTicket();
    slots[KERNEL] = PARALLEL_KERNELS.indexOf(call.kernel);
    slots[ITEMS] = call.items;
    slots[CLAIM] = Math.max(1, call.claim);
    slots[ARG_COUNT] = call.args.length;
    this.args.set(call.args);
    Atomics.store(slots, DONE, 0);
    Atomics.store(slots, TICKET, (generation & GENERATION_MASK) << ITEM_BITS);
    // Last: a helper that sees the new generation finds everything above in place.
    Atomics.store(slots, GENERATION, generation);
    Atomics.notify(slots, GENERATION);
    return generation;
  }

  /** Caller: whether every helper is awake (running items or polling for the next call), so that it takes part at once. */
  helpersAwake(): boolean {
    return Atomics.load(this.slots, SLEEPING) === 0;
  }

  /** Helper: sleeps until a call newer than `seen` is published, counted among the sleeping meanwhile. */
  sleepUntilNewCall(seen: number): void {
    Atomics.add(this.slots, SLEEPING, 1);
    Atomics.wait(this.slots, GENERATION, seen);
    Atomics.sub(this.slots, SLEEPING, 1);
  }

  /** Caller: tells the helpers to end. */
  stop(): void {
    this.closeTicket();
    this.slots[KERNEL] = STOP;
    Atomics.store(this.slots, GENERATION, (this.slots[GENERATION] + 1) | 0);
    Atomics.notify(this.slots, GENERATION);
  }

  /** Leaves no item of the current call to claim, whatever its item count. */
  private closeTicket(): void {
    Atomics.store(this.slots, TICKET, (Atomics.load(this.slots, TICKET) & ~ITEM_MASK) | ITEM_MASK);
  }

  /** The call of `generation`, or undefined once the helpers were told to end. */
  callOf(generation: number): (KernelCall & { generation: number }) | undefined {
    const kernel = this.slots[KERNEL];
    if (kernel === STOP) return undefined;
    const args = Array.from(this.args.subarray(0, this.slots[ARG_COUNT]));
    return { kernel: PARALLEL_KERNELS[kernel], args, items: this.slots[ITEMS], claim: this.slots[CLAIM], generation };
  }

  /** The next run of items of `call`'s generation, or undefined when none is left or a newer call began. */
  claim(call: KernelCall & { generation: number }): [first: number, end: number] | undefined {
    const { slots } = this;
    for (;;) {
      const ticket = Atomics.load(slots, TICKET);
      if (ticket >>> ITEM_BITS !== (call.generation & GENERATION_MASK)) return undefined;
      const first = ticket & ITEM_MASK;
      if (first >= call.items) return undefined;
      const end = Math.min(call.items, first + call.claim);
      if (Atomics.compareExchange(slots, TICKET, ticket, (ticket & ~ITEM_MASK) | end) === ticket) return [first, end];
    }
  }

  /** Marks `count` items done; wakes the caller when they were the last. */
  finish(count: number, items: number): void {
    if (Atomics.add(this.slots, DONE, count) + count === items) Atomics.notify(this.slots, DONE);
  }

  /** Helper `index` (1-based: 0 is the caller) starts running. */
  helperStarted(index: number): void {
    Atomics.store(this.slots, HELPER_RECORDS + index * RECORD_SLOTS, RUNNING);
  }

  /** Helper `index` failed and ends, leaving items [first, end) unfinished (or none); wakes the caller. */
  helperFailed(index: number, unfinished: [number, number] | undefined): void {
    const at = HELPER_RECORDS + index * RECORD_SLOTS;
    this.slots[at + 1] = unfinished ? unfinished[0] : -1;
    this.slots[at + 2] = unfinished ? unfinished[1] : -1;
    Atomics.store(this.slots, at, HAS_FAILED);
    Atomics.add(this.slots, FAILED, 1);
    Atomics.notify(this.slots, DONE);
  }

  /** Helper `index` has failed; with the items it left unfinished, if any. */
  helperFailure(index: number): { range?: [number, number] } | undefined {
    const at = HELPER_RECORDS + index * RECORD_SLOTS;
    if (Atomics.load(this.slots, at) !== HAS_FAILED) return undefined;
    const first = this.slots[at + 1];
    return first < 0 ? {} : { range: [first, this.slots[at + 2]] };
  }
}

/**
 * How long a thread polls for the next call (or the last items) before it sleeps: the calls of one
 * inference come microseconds apart, and waking a sleeping thread costs more on a VM (its vCPU halted).
 * Chromium, 2 threads, full AlexNet: 1.58x -> 1.68x the speed of one thread with 500 us; Node: no change.
 */
export const SPIN_MICROSECONDS = 500;

/** Polls slot `index` while it holds `value`, for at most SPIN_MICROSECONDS; whether it changed. */
export function spinWhile(slots: Int32Array, index: number, value: number): boolean {
  if (SPIN_MICROSECONDS <= 0) return false;
  const deadline = performance.now() + SPIN_MICROSECONDS / 1000;
  for (let i = 1; ; i++) {
    if (Atomics.load(slots, index) !== value) return true;
    if ((i & 255) === 0 && performance.now() > deadline) return false;
  }
}

/**
 * Runs items of `call` until none is left to claim; the items it ran are counted done. `running` hears
 * of each run of items before it starts and (undefined) after it ended, so a helper that fails knows
 * which items it left unfinished.
 */
export function runClaimedItems(
  control: ControlBlock, kernels: KernelFunctions, call: KernelCall & { generation: number }, running?: (range: [number, number] | undefined) => void,
): void {
  for (let range = control.claim(call); range; range = control.claim(call)) {
    // Our claim holds the call open, so its fields stay put; a thread that slept through 2^11 calls
    // (the ticket's generation field) may have read an older call's: read them again, and keep to its items.
    const generation = Atomics.load(control.slots, GENERATION);
    if (generation !== call.generation) {
      const current = control.callOf(generation);
      // The helpers were told to end meanwhile.
      if (!current) return;
      call = current;
    }
    const [first, end] = [range[0], Math.min(range[1], call.items)];
    if (first >= end) continue;
    running?.([first, end]);
    kernels[call.kernel](...call.args, first, end);
    running?.(undefined);
    control.finish(end - first, call.items);
  }
}
