// The bench's host row in Node: the multiply-add loop of bench/kernels/dot-peak.ts, its work on one
// worker thread or split over two (bench/kernels/host-loop-worker.js). On a shared VM the two vCPUs do
// not always run at once: next to our engines' scaling, this row says what the host itself gave.
import { Worker } from 'node:worker_threads';

/** The host row's name in the scaling tables, before ", 1 thread" / ", 2 threads". */
export const HOST_LOOP = 'host: multiply-add loop, nothing shared';

/** Loop steps of one run (64 multiply-adds each): about 15-25 ms on one thread here, as long as an inference. */
export const HOST_LOOP_STEPS = 1 << 23;

export interface HostLoop {
  /** Runs HOST_LOOP_STEPS split evenly over the threads; resolves when all are done. */
  run(): Promise<void>;
  close(): Promise<void>;
}

function answerOf(worker: Worker): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error): void => {
      worker.off('message', onMessage);
      reject(error);
    };
    const onMessage = (message: unknown): void => {
      worker.off('error', onError);
      resolve(message);
    };
    worker.once('message', onMessage);
    worker.once('error', onError);
  });
}

/** `threads` worker threads with the loop's wasm (one build of bench/kernels/dot-peak.ts) instantiated. */
export async function startHostLoop(threads: number, wasm: Uint8Array): Promise<HostLoop> {
  const workers = Array.from({ length: threads }, () => new Worker(new URL('./kernels/host-loop-worker.js', import.meta.url)));
  await Promise.all(workers.map((worker) => {
    const ready = answerOf(worker);
    worker.postMessage({ wasm });
    return ready;
  }));
  return {
    run: async () => {
      await Promise.all(workers.map((worker) => {
        const done = answerOf(worker);
        worker.postMessage({ steps: HOST_LOOP_STEPS / threads });
        return done;
      }));
    },
    close: async () => {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
