// Which runtime runs us, for the few places threads differ: Node starts worker_threads, browsers Workers.

/** Node.js (also where a library put a `Worker` global in place: Node's own worker_threads are what work). */
export function runsOnNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}
