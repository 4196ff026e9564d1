// Shared WebAssembly memories for the threads builds. V8 does not count a shared memory toward the
// pressure that starts garbage collection, so disposed classifiers' memories would pile up until some
// collection happened to run (measured in Node 20: +84 MB RSS per create/classify/dispose cycle of the
// full AlexNet). A disposed backend hands its memory back here, once no helper thread can touch it,
// and the next backend reuses it; a weak reference leaves it to the collector when nobody asks.

/** At most 4 GiB (all wasm32 addresses); less where an engine refuses to reserve that much. */
const MAXIMUM_PAGES = [65536, 32768, 16384];

const recycled: WeakRef<WebAssembly.Memory>[] = [];

/** A disposed backend's memory if one is still alive, else a new one. Contents undefined. */
export function takeSharedMemory(): WebAssembly.Memory {
  while (recycled.length > 0) {
    const memory = recycled.pop()!.deref();
    if (memory) return memory;
  }
  for (const maximum of MAXIMUM_PAGES) {
    try {
      return new WebAssembly.Memory({ initial: 1, maximum, shared: true });
    } catch {
      // Try a smaller reservation.
    }
  }
  throw new Error('this engine has no shared WebAssembly memory');
}

/** Gives back `memory`: its backend is disposed and no thread runs kernels on it any more. */
export function recycleSharedMemory(memory: WebAssembly.Memory): void {
  recycled.push(new WeakRef(memory));
}
