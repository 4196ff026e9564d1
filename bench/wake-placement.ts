// The bench's wake-placement probe: how often this host runs a thread woken by Atomics.notify on the
// core of the thread that woke it, while the other core idles. Each round the caller wakes a helper,
// and both burn BURN_MS: about BURN_MS when they ran side by side, twice that when they took turns on
// one core. The helper sleeps (notified, as our helpers after their 0.5 ms spin) or polls (never
// sleeps, the control). A host that packs threads onto few vCPUs (this project's VMs do) caps what two
// threads give after a pause, whatever the engine: the bench prints this next to its scaling rows.
import { Worker } from 'node:worker_threads';

const BURN_MS = 5;
const ROUNDS = 20;
/** A round counts as packed when it took this many times BURN_MS or more. */
const PACKED_FACTOR = 1.5;

/** Keeps this thread busy for `ms` (scalar work, no memory traffic). */
function burn(ms: number): number {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) for (let i = 0; i < 1000; i++) x += Math.sqrt(i + x);
  return x;
}

export interface WakePlacement {
  /** Rounds, of `rounds`, in which the two threads took turns on one core. */
  packed: number;
  rounds: number;
  medianMs: number;
}

async function probe(sleeps: boolean, idleMs: number): Promise<WakePlacement> {
  const block = new SharedArrayBuffer(8);
  const slots = new Int32Array(block);
  const worker = new Worker(new URL('./kernels/wake-placement-worker.js', import.meta.url));
  worker.postMessage({ block, sleeps, burnMs: BURN_MS });
  const times: number[] = [];
  try {
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (let round = 1; round <= ROUNDS; round++) {
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      const started = performance.now();
      Atomics.store(slots, 0, round);
      Atomics.notify(slots, 0);
      burn(BURN_MS);
      while (Atomics.load(slots, 1) !== round) {
        // The helper is still burning (or has not started).
      }
      times.push(performance.now() - started);
    }
  } finally {
    Atomics.store(slots, 0, -1);
    Atomics.notify(slots, 0);
    await worker.terminate();
  }
  times.sort((a, b) => a - b);
  return { packed: times.filter((ms) => ms >= PACKED_FACTOR * BURN_MS).length, rounds: ROUNDS, medianMs: times[ROUNDS >> 1] };
}

/** The probe right after the helper fell asleep, after 50 ms idle, and with a polling helper. */
export async function measureWakePlacement(): Promise<{ notifiedAtOnce: WakePlacement; notifiedAfter50Ms: WakePlacement; polling: WakePlacement }> {
  return { notifiedAtOnce: await probe(true, 0), notifiedAfter50Ms: await probe(true, 50), polling: await probe(false, 50) };
}

export function describeWakePlacement(p: Awaited<ReturnType<typeof measureWakePlacement>>): string {
  const share = (w: WakePlacement) => `${w.packed}/${w.rounds}`;
  return `host: two threads each burning ${BURN_MS} ms took turns on one core in ${share(p.notifiedAtOnce)} rounds when the second was woken by Atomics.notify right after it fell asleep, ${share(p.notifiedAfter50Ms)} after 50 ms idle, ${share(p.polling)} when it polled`;
}
